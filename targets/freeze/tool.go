package freeze

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// Tool is one command-line program of the project to freeze.
type Tool struct {
	Name       string   // output name ("greet"); ".exe" added for Windows by name
	EntryPoint string   // "module:function" or a script path (relative to the project dir)
	Excludes   []string // modules to exclude (PyInstaller --exclude-module)
	HooksDir   string   // PyInstaller --additional-hooks-dir (must exist)
	Icon       string   // PyInstaller --icon (must exist)
	Data       []string // "src:dest" PyInstaller --add-data (src must exist)
	Args       []string // extra freezer arguments
	// SmokeArgs are what the frozen binary is run with to check it starts;
	// nil means --version, whose output must hold Options.Version. Only
	// exit status 0 is required of other arguments.
	SmokeArgs []string
	SkipSmoke bool // a tool that cannot be run unattended (a daemon)
}

// entry is a parsed EntryPoint: either Module and Attr ("pkg.cli", "main"
// or "App.run"), or Script, a path relative to the project.
type entry struct {
	Module string
	Attr   string
	Script string
}

// parseEntryPoint reads "module:attr" or a script path. A colon whose left
// side is a dotted module name makes an entry point; anything else must
// look like a path to a .py file, since a bare word is most likely a
// forgotten ":main".
func parseEntryPoint(s string) (entry, error) {
	if s == "" {
		return entry{}, errors.New("empty: want module:function or a path to a .py script")
	}
	if mod, attr, ok := strings.Cut(s, ":"); ok && !strings.ContainsAny(mod, `/\`) {
		if !isDotted(mod) {
			return entry{}, fmt.Errorf("module %q is not a dotted Python name: want module:function", mod)
		}
		if strings.ContainsAny(attr, "[ ") {
			return entry{}, errors.New("extras and spaces are not allowed: want module:function")
		}
		if !isDotted(attr) {
			return entry{}, fmt.Errorf("function %q is not a Python name: want module:function", attr)
		}
		return entry{Module: mod, Attr: attr}, nil
	}
	if strings.HasSuffix(s, ".py") || strings.ContainsAny(s, `/\`) {
		if filepath.IsAbs(s) {
			return entry{}, errors.New("script path is absolute: want a path relative to the project directory")
		}
		return entry{Script: s}, nil
	}
	return entry{}, errors.New("want module:function or a path to a .py script")
}

// isDotted reports whether s is a dotted sequence of Python identifiers.
func isDotted(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if !isIdentifier(part) {
			return false
		}
	}
	return true
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return false
	}
	return true
}

// CheckTools rejects, before anything is built, tools whose configuration
// cannot work: a bad or duplicate name, an entry point that is neither
// module:function nor an existing script, a missing icon, hooks directory
// or data source, a malformed exclude. Relative paths are taken from dir.
// Every problem found is reported, each naming the tool and field.
func CheckTools(dir string, tools []Tool) error {
	var errs []error
	seen := map[string]bool{}
	for i, t := range tools {
		bad := func(field, value, detail string) {
			name := t.Name
			if name == "" {
				name = "#" + strconv.Itoa(i+1)
			}
			errs = append(errs, &ToolError{Tool: name, Field: field, Value: value, Detail: detail})
		}
		switch {
		case t.Name == "":
			bad("name", t.Name, "empty: want a command name")
		case strings.ContainsAny(t.Name, `/\:*?"<>| `) || t.Name == "." || t.Name == ".." || strings.HasPrefix(t.Name, "-"):
			bad("name", t.Name, "not a command name: want letters, digits, '.', '_' or '-'")
		case seen[strings.ToLower(t.Name)]:
			bad("name", t.Name, "used by another tool: two binaries cannot share a name")
		}
		seen[strings.ToLower(t.Name)] = true

		if e, err := parseEntryPoint(t.EntryPoint); err != nil {
			bad("entry-point", t.EntryPoint, err.Error())
		} else if e.Script != "" {
			if detail := checkPath(dir, e.Script, wantFile); detail != "" {
				bad("entry-point", t.EntryPoint, detail)
			}
		}
		for _, m := range t.Excludes {
			if !isDotted(m) {
				bad("excludes", m, "not a dotted module name")
			}
		}
		if t.HooksDir != "" {
			if detail := checkPath(dir, t.HooksDir, wantDir); detail != "" {
				bad("hooks-dir", t.HooksDir, detail)
			}
		}
		if t.Icon != "" {
			if detail := checkPath(dir, t.Icon, wantFile); detail != "" {
				bad("icon", t.Icon, detail)
			}
		}
		for _, d := range t.Data {
			src, dest, ok := splitData(d)
			switch {
			case !ok:
				bad("data", d, `want "source:destination" with both parts`)
			case filepath.IsAbs(dest) || strings.HasPrefix(filepath.ToSlash(filepath.Clean(dest)), "../"):
				bad("data", d, "destination must stay inside the bundle: want a relative path")
			default:
				if detail := checkPath(dir, src, wantAny); detail != "" {
					bad("data", d, "source "+detail)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// splitData cuts "src:dest" at the last colon, so a Windows source path
// with a drive letter still splits right.
func splitData(s string) (src, dest string, ok bool) {
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// What checkPath accepts.
const (
	wantFile = iota
	wantDir
	wantAny
)

// checkPath returns "" when path (relative to dir) exists and is of the
// wanted kind, else what is wrong.
func checkPath(dir, path string, want int) string {
	st, err := os.Stat(resolve(dir, path))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "does not exist in " + dir
	case err != nil:
		return err.Error()
	case want == wantDir && !st.IsDir():
		return "is a file: want a directory"
	case want == wantFile && st.IsDir():
		return "is a directory: want a file"
	}
	return ""
}

// resolve makes path absolute against dir without touching the disk.
func resolve(dir, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(dir, path)
}
