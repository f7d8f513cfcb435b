package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Config is a project's release settings: [project] facts plus
// [tool.pyrelease] settings, with environment overrides applied.
type Config struct {
	Dir     string // project directory (absolute)
	File    string // path of pyproject.toml (absolute)
	Project Project

	VersionScheme string        // "pep440" (default) or "file"
	VersionFiles  []VersionFile // files holding the version; may be empty
	TagPattern    string        // git describe --match style glob; "" = every tag that reads as a version
	TagFormat     string        // how bump names tags, contains "{version}"; "" = derived at bump time
	VersionFormat string        // "pep440" (default) or "semver"
	Changelog     string        // changelog path; "" = auto-detect; "none" = disabled
	Push          bool          // push the release commit and tag after bump
	Remote        string        // remote to push to; "origin" by default

	Python       string // interpreter that builds; "" = probe
	Isolation    bool   // build in a fresh venv with the build requirements
	IsolationSet bool   // isolation was written (file or environment): no automatic fallback to it
	Installer    string // what installs into wheel's venvs: "auto" (default; also ""), "pip" or "uv"
	Repair       bool   // repair platform wheels (auditwheel on linux_* wheels); default true
	// RepairCommand repairs every platform wheel instead of auditwheel; its
	// arguments hold {wheel} and {dest_dir}. Nil = auditwheel.
	RepairCommand []string
	Tools         []string // console scripts the smoke test runs; nil = every console script of the wheel, empty = none
	SmokeCommand  []string // arguments of the smoke test; default ["--version"]
	// Extras are optional extras of the project installed with its wheel
	// where its tools run (smoke test, freeze environment, zipapp).
	Extras []string

	// Platform is the platform tag of archives and installers
	// (PYRELEASE_PLATFORM), checked to be {os}-{machine}; "" means this
	// machine's.
	Platform string
	// GitToken authenticates bump's push to HTTPS remotes
	// (PYRELEASE_GIT_TOKEN, else GITHUB_TOKEN); "" means none.
	GitToken Secret

	Smoke    Smoke    // [tool.pyrelease.smoke]
	Bdist    Bdist    // [tool.pyrelease.bdist], with defaults from [project.scripts]
	Snapshot Snapshot // [tool.pyrelease.snapshot]
	Release  Release  // [tool.pyrelease.release]

	// Tool is the decoded [tool.pyrelease] table as written (nil when
	// absent), for features that read their own sub-tables (KnownTables).
	Tool map[string]any

	doc map[string]any // pyproject.toml as decoded

	// envs maps a key name to the environment variable that set it, so
	// Validate can blame the right place.
	envs map[string]string
}

// VersionFile is a file that holds the project's version.
type VersionFile struct {
	// Path is relative to Config.Dir, cleaned, with the OS separator.
	Path string
	// Pattern finds the version: its one capture group is the version text.
	// Nil means the file's usual assignment is looked for.
	Pattern *regexp.Regexp
	// PatternText is Pattern as written, for messages; "" when Pattern is nil.
	PatternText string
}

// Project is what pyrelease uses from the PEP 621 [project] table.
type Project struct {
	Name string
	// NameFrom says where Name was found (NameFromProject, ...); "" when
	// no file names the project statically and only a build can tell.
	NameFrom       string
	Version        string // "" when the version is dynamic or absent
	Dynamic        []string
	Scripts        map[string]string // [project.scripts]: command name to entry point
	RequiresPython string
}

// nameSeparators are the runs PEP 503 folds into a single "-".
var nameSeparators = regexp.MustCompile(`[-_.]+`)

// NormalizedName is the project name as PEP 503 normalises it, the form
// package indexes use in URLs and file names.
func (c *Config) NormalizedName() string {
	return NormalizeName(c.Project.Name)
}

// EnvSource returns the environment variable that set key, or "" when the
// value is the file's or the default: advice in errors names the right one.
func (c *Config) EnvSource(key string) string {
	return c.envs[key]
}

// NormalizeName is the PEP 503 form of a project name: lower case, every
// run of "-", "_" and "." one "-". Two spellings name the same project
// when their normal forms are equal ("Foo.Bar" and "foo-bar").
func NormalizeName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(name, "-"))
}

// DefaultVersionFiles guesses where the version lives when none is
// configured: the conventional module files of the import package named
// after the project, in the order they are usually meant. It only checks
// that the files exist; the caller checks they really hold a version.
func (c *Config) DefaultVersionFiles() []string {
	pkg := strings.ReplaceAll(c.NormalizedName(), "-", "_")
	if pkg == "" {
		return nil
	}
	candidates := []string{
		filepath.Join("src", pkg, "version.py"),
		filepath.Join(pkg, "version.py"),
		filepath.Join("src", pkg, "__init__.py"),
		filepath.Join(pkg, "__init__.py"),
		filepath.Join(pkg, "_version.py"),
	}
	var found []string
	for _, rel := range candidates {
		fi, err := os.Stat(filepath.Join(c.Dir, rel))
		if err == nil && fi.Mode().IsRegular() {
			found = append(found, rel)
		}
	}
	return found
}
