package changelog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// towncrierConfig is what a towncrier build reads and writes, from the
// project's configuration, with towncrier's defaults (26.9). towncrier
// itself renders the section; this is what pyrelease needs to know to put
// it in the file and to list the fragments the build consumes.
type towncrierConfig struct {
	file         string // the configuration file
	base         string // the project directory, absolute
	filename     string // the news file, relative to base
	singleFile   bool
	startString  string
	titleFormat  string // "" when unset or false
	name         string
	directory    *string // nil when unset
	packageDir   string
	pkg          string
	sections     []string
	types        map[string]bool
	ignore       []string
	ignoreSet    bool
	orphanPrefix string
	template     string // a template file's path; "" for a packaged one
}

// packagedTemplate is towncrier's "package:resource" template reference.
var packagedTemplate = lazyRegexp(`^[-\w.]+:[-\w.]+$`)

// loadTowncrier reads the towncrier configuration of the project in dir,
// as `towncrier build --dir dir` finds it: towncrier.toml, else a
// pyproject.toml with a [tool.towncrier] table. It returns nil when the
// project does not use towncrier. (towncrier 26.9 reads no .ini file.)
func loadTowncrier(dir string) (*towncrierConfig, error) {
	base, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("changelog: %w", err)
	}
	pyproject := filepath.Join(base, "pyproject.toml")
	var project map[string]any
	if _, err := toml.DecodeFile(pyproject, &project); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("changelog: %s: %w", pyproject, err)
	}
	file := filepath.Join(base, "towncrier.toml")
	var doc map[string]any
	if _, err := toml.DecodeFile(file, &doc); errors.Is(err, fs.ErrNotExist) {
		file, doc = pyproject, project
		if _, ok := table(doc, "tool")["towncrier"]; !ok {
			return nil, nil
		}
	} else if err != nil {
		return nil, fmt.Errorf("changelog: %s: %w", file, err)
	}
	t := table(table(doc, "tool"), "towncrier")
	c := &towncrierConfig{
		file: file, base: base,
		filename:     stringOr(t, "filename", "NEWS.rst"),
		singleFile:   true,
		name:         stringOr(t, "name", ""),
		packageDir:   stringOr(t, "package_dir", "."),
		pkg:          stringOr(t, "package", ""),
		orphanPrefix: stringOr(t, "orphan_prefix", "+"),
		startString:  stringOr(t, "start_string", ""),
	}
	if b, ok := t["single_file"].(bool); ok {
		c.singleFile = b
	}
	if s, ok := t["title_format"].(string); ok {
		c.titleFormat = s
	}
	if d, ok := t["directory"].(string); ok {
		c.directory = &d
	}
	if c.startString == "" {
		c.startString = ".. towncrier release notes start\n"
		if filepath.Ext(c.filename) == ".md" {
			c.startString = "<!-- towncrier release notes start -->\n"
		}
	}
	if name := stringOr(table(project, "project"), "name", ""); name != "" {
		// towncrier falls back on the project's name for both.
		if c.pkg == "" {
			c.pkg = name
		}
		if c.name == "" {
			c.name = c.pkg
		}
	}
	if secs, ok := t["section"].([]map[string]any); ok {
		for _, s := range secs {
			c.sections = append(c.sections, stringOr(s, "path", ""))
		}
	} else {
		c.sections = []string{""}
	}
	c.types = map[string]bool{}
	if frags := table(t, "fragment"); len(frags) > 0 {
		for k := range frags {
			c.types[k] = true
		}
	} else if types, ok := t["type"].([]map[string]any); ok && len(types) > 0 {
		for _, ty := range types {
			c.types[stringOr(ty, "directory", strings.ToLower(stringOr(ty, "name", "")))] = true
		}
	} else {
		for _, k := range []string{"feature", "bugfix", "doc", "removal", "misc"} {
			c.types[k] = true
		}
	}
	if ig, ok := t["ignore"].([]any); ok {
		c.ignoreSet = true
		for _, v := range ig {
			if s, ok := v.(string); ok {
				c.ignore = append(c.ignore, s)
			}
		}
	}
	if tpl := stringOr(t, "template", "towncrier:default"); !packagedTemplate().MatchString(tpl) {
		c.template = filepath.Join(base, tpl)
	}
	return c, nil
}

func table(m map[string]any, key string) map[string]any {
	t, _ := m[key].(map[string]any)
	return t
}

func stringOr(m map[string]any, key, def string) string {
	if s, ok := m[key].(string); ok {
		return s
	}
	return def
}

// newsFile is the file the build writes, absolute.
func (c *towncrierConfig) newsFile(version, date string) (string, error) {
	name := c.filename
	if !c.singleFile {
		// A file per release, named by str.format.
		if strings.Contains(name, "{name}") && c.name == "" {
			return "", fmt.Errorf("changelog: %s: towncrier's filename %q needs the project's name: set name in [tool.towncrier]", c.file, name)
		}
		name = strings.NewReplacer("{{", "{", "}}", "}", "{name}", c.name, "{version}", version, "{project_date}", date).Replace(name)
	}
	return filepath.Join(c.base, name), nil
}

// fragmentDirs are the directories towncrier reads fragments from, one per
// section: <directory>/<section> when directory is set, else
// <package_dir>/<package>/<section>/newsfragments.
func (c *towncrierConfig) fragmentDirs() []string {
	var dirs []string
	for _, s := range c.sections {
		if c.directory != nil {
			dirs = append(dirs, filepath.Join(c.base, *c.directory, s))
		} else {
			dirs = append(dirs, filepath.Join(c.base, c.packageDir, c.pkg, s, "newsfragments"))
		}
	}
	return dirs
}

// fragments lists the news fragments a build folds into the news file and
// then removes, sorted: the files of the fragment directories whose name
// has a known type after a dot ("123.feature.rst", "+abc.bugfix.md"),
// except towncrier's ignored names. A name towncrier would refuse is left
// to its draft run to report.
func (c *towncrierConfig) fragments() ([]string, error) {
	ignored := []string{".gitignore", ".gitkeep", ".keep", "readme", "readme.md", "readme.rst"}
	if c.template != "" {
		ignored = append(ignored, filepath.Base(c.template))
	}
	for _, i := range c.ignore {
		ignored = append(ignored, strings.ToLower(i))
	}
	var files []string
	for _, dir := range c.fragmentDirs() {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("changelog: towncrier fragments: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if matchAny(strings.ToLower(name), ignored) || !c.hasType(name) {
				continue
			}
			files = append(files, filepath.Join(dir, name))
		}
	}
	sort.Strings(files)
	return files, nil
}

// hasType reports whether a fragment's name has a known type after its
// first part, as towncrier parses it.
func (c *towncrierConfig) hasType(name string) bool {
	parts := strings.Split(name, ".")
	for _, p := range parts[min(1, len(parts)):] {
		if c.types[p] {
			return true
		}
	}
	return false
}

// matchAny is Python's fnmatch against patterns: "[!x]" is Go's "[^x]".
func matchAny(name string, patterns []string) bool {
	for _, p := range patterns {
		p = strings.ReplaceAll(p, "[!", "[^")
		if ok, err := path.Match(p, name); ok && err == nil || p == name {
			return true
		}
	}
	return false
}
