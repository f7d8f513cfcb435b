package config

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Validate checks the settings against each other and against the allowed
// values. Load calls it; call it again after changing a Config in code. It
// reports every problem, each naming the file key or environment variable
// the value came from.
func (c *Config) Validate() error {
	var errs []error
	if !slices.Contains(versionSchemes, c.VersionScheme) {
		errs = append(errs, c.invalid(keyVersionScheme, "one of "+quoteList(versionSchemes), quoteShort(c.VersionScheme)))
	}
	if !slices.Contains(versionFormats, c.VersionFormat) {
		errs = append(errs, c.invalid(keyVersionFormat, "one of "+quoteList(versionFormats), quoteShort(c.VersionFormat)))
	}
	if c.VersionScheme == "file" && len(c.VersionFiles) == 0 {
		errs = append(errs, c.invalid(keyVersionScheme, `a version-file to go with "file" (the version is read from it)`, "no version-file"))
	}
	if c.TagFormat != "" && !strings.Contains(c.TagFormat, "{version}") {
		errs = append(errs, c.invalid(keyTagFormat, `a tag name containing "{version}", such as "v{version}"`, quoteShort(c.TagFormat)))
	}
	if c.TagPattern != "" {
		if _, err := path.Match(c.TagPattern, ""); err != nil {
			e := c.invalid(keyTagPattern, `a glob such as "v*" or "pkg/v*"`, quoteShort(c.TagPattern))
			e.Cause = err
			errs = append(errs, e)
		}
	}
	if c.Installer != "" && !slices.Contains(installers, c.Installer) {
		errs = append(errs, c.invalid(keyInstaller, "one of "+quoteList(installers), quoteShort(c.Installer)))
	}
	if c.Remote == "" {
		errs = append(errs, c.invalid(keyRemote, "a git remote name", `""`))
	}
	if c.RepairCommand != nil {
		if p := c.checkRepairCommand(); p != nil {
			errs = append(errs, p)
		}
	}
	for i, e := range c.Extras {
		if !ValidExtra(e) {
			p := c.invalid(keyExtras, "an extra's name, such as cli or http2 (letters, digits, -, _ and .)", quoteShort(e))
			if p.Env == "" {
				p.Key = fmt.Sprintf("%s[%d]", keyExtras, i)
			}
			errs = append(errs, p)
		}
	}
	for i, vf := range c.VersionFiles {
		if p := c.checkVersionFile(i, vf); p != nil {
			errs = append(errs, p)
		}
	}
	return errors.Join(errs...)
}

func (c *Config) checkVersionFile(i int, vf VersionFile) error {
	e := c.invalid(keyVersionFile, "", "")
	if e.Env == "" && len(c.VersionFiles) > 1 {
		e.Key = fmt.Sprintf("%s[%d]", keyVersionFile, i)
	}
	switch {
	case vf.Path == "":
		e.Want, e.Got = "a file path", `""`
	case filepath.IsAbs(vf.Path) || strings.HasPrefix(filepath.ToSlash(vf.Path), "/"):
		e.Want, e.Got = "a path relative to the project directory", quoteShort(vf.Path)
	case outsideDir(c.Dir, vf.Path):
		e.Want, e.Got = "a file inside the project directory", quoteShort(vf.Path)
	case vf.Pattern != nil && vf.Pattern.NumSubexp() != 1:
		e.Key += ".pattern"
		e.Want, e.Got = "a regexp with one capture group around the version", quoteShort(vf.Pattern.String())
	default:
		return nil
	}
	return e
}

// outsideDir reports whether rel, relative to dir, names a file outside dir:
// through "..", or through a symlink whose target is elsewhere. Stamping
// writes to the file, so a version file must not reach out of the project.
// With no dir (a Config built in code) only the ".." check applies. A path
// that does not exist yet is judged by its deepest existing parent.
func outsideDir(dir, rel string) bool {
	clean := filepath.Clean(filepath.FromSlash(rel))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return true
	}
	if dir == "" {
		return false
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false // Load has already read dir/pyproject.toml; nothing to judge by
	}
	p := filepath.Join(dir, clean)
	for hops := 0; ; hops++ {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			r, err := filepath.Rel(root, real)
			return err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator))
		}
		if target, err := os.Readlink(p); err == nil && hops < 40 {
			// A dangling link: writing through it would create its target.
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = target
			continue
		}
		parent := filepath.Dir(p)
		if parent == p {
			return false
		}
		p = parent
	}
}

// Placeholders of repair-command, as cibuildwheel's repair-wheel-command
// spells them: the wheel to repair and the directory to write it into.
const (
	PlaceholderWheel   = "{wheel}"
	PlaceholderDestDir = "{dest_dir}"
)

// checkRepairCommand insists on a program and on both placeholders: a
// command that is not told where to write cannot hand its wheel back.
func (c *Config) checkRepairCommand() error {
	const want = `a command with {wheel} and {dest_dir} among its arguments, such as ["delocate-wheel", "-w", "{dest_dir}", "{wheel}"]`
	cmd := c.RepairCommand
	joined := strings.Join(cmd, " ")
	switch {
	case len(cmd) == 0 || strings.TrimSpace(cmd[0]) == "":
		return c.invalid(keyRepairCommand, want, "no command")
	case !strings.Contains(joined, PlaceholderWheel) || !strings.Contains(joined, PlaceholderDestDir):
		return c.invalid(keyRepairCommand, want, quoteShort(joined))
	}
	return nil
}

// invalid builds an error for key that names where its value came from: the
// environment variable that set it, or the file.
func (c *Config) invalid(key, want, got string) *ValueError {
	e := &ValueError{Want: want, Got: got, Err: ErrInvalid}
	if env, ok := c.envs[key]; ok {
		e.Env = env
		return e
	}
	e.File, e.Key = c.File, key
	if c.File != "" {
		e.Table = toolTableName
	}
	return e
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// ValidExtra accepts an extra's name as core metadata allows it (PEP 685:
// letters, digits, and -, _ or . between them).
func ValidExtra(e string) bool {
	if e == "" {
		return false
	}
	for i, r := range e {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || i == len(e)-1 || !strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}
