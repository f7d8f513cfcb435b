package wheel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Legacy defaults pip applies to a project without [build-system], so a
// setup.py-only project builds the way `pip wheel` builds it.
const (
	legacyBackend  = "setuptools.build_meta:__legacy__"
	legacyRequires = "setuptools>=40.8.0"
)

// BuildSystem is the [build-system] table of pyproject.toml (PEP 517/518):
// what the backend needs installed, which object implements the hooks, and
// in-tree directories to import it from.
type BuildSystem struct {
	Requires    []string // PEP 508 requirements, e.g. "hatchling>=1.10"
	Backend     string   // "module" or "module:object", e.g. "setuptools.build_meta"
	BackendPath []string // directories relative to the project, searched first for Backend
	// SCMSource is set when the backend versions from git by a setting of
	// its own rather than a plugin in Requires: "pdm-backend" for
	// [tool.pdm.version] source = "scm".
	SCMSource string
}

// ReadBuildSystem reads dir/pyproject.toml's [build-system]. Without the
// table, or without pyproject.toml but with setup.py, it returns pip's legacy
// default (setuptools.build_meta:__legacy__ requiring setuptools>=40.8.0).
func ReadBuildSystem(dir string) (BuildSystem, error) {
	path := filepath.Join(dir, "pyproject.toml")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(dir, "setup.py")); serr != nil {
			return BuildSystem{}, fmt.Errorf("wheel: %s: no pyproject.toml or setup.py: %w", dir, ErrNotProject)
		}
		return legacyBuildSystem(), nil
	}
	if err != nil {
		return BuildSystem{}, fmt.Errorf("wheel: %w", err)
	}
	return parseBuildSystem(path, data)
}

func legacyBuildSystem() BuildSystem {
	return BuildSystem{Requires: []string{legacyRequires}, Backend: legacyBackend}
}

// parseBuildSystem checks [build-system] as pip does: requires is
// mandatory when the table exists, build-backend defaults to the legacy
// backend, and backend-path entries must stay inside the project.
func parseBuildSystem(path string, data []byte) (BuildSystem, error) {
	var doc struct {
		BuildSystem map[string]any `toml:"build-system"`
		Tool        struct {
			PDM struct {
				Version map[string]any `toml:"version"`
			} `toml:"pdm"`
		} `toml:"tool"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return BuildSystem{}, &BuildSystemError{Path: path, Field: "syntax", Detail: err.Error()}
	}
	if doc.BuildSystem == nil {
		return legacyBuildSystem(), nil
	}
	scmSource := ""
	if src, _ := doc.Tool.PDM.Version["source"].(string); src == "scm" {
		scmSource = "pdm-backend"
	}
	bs := doc.BuildSystem
	field := func(name string) string { return "[build-system]." + name }
	raw, ok := bs["requires"]
	if !ok {
		return BuildSystem{}, &BuildSystemError{Path: path, Field: field("requires"), Detail: "missing: want a list of requirements, e.g. requires = [\"setuptools>=61\"]"}
	}
	requires, err := stringList(raw)
	if err != nil {
		return BuildSystem{}, &BuildSystemError{Path: path, Field: field("requires"), Detail: err.Error()}
	}
	for _, r := range requires {
		if err := checkRequirement(r); err != nil {
			return BuildSystem{}, &BuildSystemError{Path: path, Field: field("requires"), Detail: err.Error()}
		}
	}
	out := BuildSystem{Requires: requires, Backend: legacyBackend, SCMSource: scmSource}
	if raw, ok := bs["build-backend"]; ok {
		s, isString := raw.(string)
		if !isString || !backendPattern.MatchString(s) {
			return BuildSystem{}, &BuildSystemError{Path: path, Field: field("build-backend"), Detail: fmt.Sprintf("%v is not an object reference: want \"module\" or \"module:object\", e.g. \"hatchling.build\"", raw)}
		}
		out.Backend = strings.TrimSpace(s)
	}
	if raw, ok := bs["backend-path"]; ok {
		paths, err := stringList(raw)
		if err != nil {
			return BuildSystem{}, &BuildSystemError{Path: path, Field: field("backend-path"), Detail: err.Error()}
		}
		for _, p := range paths {
			if err := checkBackendPath(p); err != nil {
				return BuildSystem{}, &BuildSystemError{Path: path, Field: field("backend-path"), Detail: err.Error()}
			}
		}
		out.BackendPath = paths
	}
	return out, nil
}

// backendPattern is a PEP 517 object reference: dotted module, optionally
// ":" and a dotted attribute path, spaces around the colon tolerated.
var backendPattern = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\s*(:\s*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\s*)?$`)

// requirementNamePattern is the distribution name at the start of a PEP
// 508 requirement.
var requirementNamePattern = regexp.MustCompile(`^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)`)

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%v is not a list of strings", v)
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("item %v is not a string", item)
		}
		out = append(out, s)
	}
	return out, nil
}

// checkRequirement rejects what could not be a PEP 508 requirement; pip
// gets requirements as arguments, so one starting with "-" would be read as
// an option.
func checkRequirement(r string) error {
	if !requirementNamePattern.MatchString(r) || strings.ContainsAny(r, "\n\r") {
		return fmt.Errorf("%q is not a requirement: want a name and optional version, e.g. \"wheel>=0.36\"", r)
	}
	return nil
}

// requirementName is the distribution a requirement names, or r itself.
func requirementName(r string) string {
	if m := requirementNamePattern.FindStringSubmatch(r); m != nil {
		return m[1]
	}
	return r
}

// checkBackendPath keeps in-tree backends in the tree, as PEP 517 demands.
func checkBackendPath(p string) error {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || filepath.VolumeName(p) != "" {
		return fmt.Errorf("%q is not a relative directory inside the project", p)
	}
	clean := filepath.Clean(filepath.FromSlash(p))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%q leaves the project directory: want a directory inside it", p)
	}
	return nil
}

// backendModule is the module part of an object reference.
func backendModule(backend string) string {
	mod, _, _ := strings.Cut(backend, ":")
	return strings.TrimSpace(mod)
}

// vcsVersionPlugins are build requirements that compute the version from
// git inside the backend, PEP 503-normalised.
var vcsVersionPlugins = []string{"setuptools-scm", "hatch-vcs", "versioneer", "poetry-dynamic-versioning", "versioningit"}

// VCSPlugin names the build requirement that versions the project from git
// inside the backend (setuptools-scm, hatch-vcs, ...), or the backend
// itself when a setting of its own does (SCMSource), or "" when nothing
// does. Such a backend needs no version file stamped: it is handed the
// version through PretendVersionEnv.
func (b BuildSystem) VCSPlugin() string {
	if b.SCMSource != "" {
		return b.SCMSource
	}
	for _, r := range b.Requires {
		name := strings.ToLower(r)
		if i := strings.IndexAny(name, "<>=!~;[( @"); i >= 0 {
			name = name[:i]
		}
		name = strings.NewReplacer("_", "-", ".", "-").Replace(strings.TrimSpace(name))
		if slices.Contains(vcsVersionPlugins, name) {
			return name
		}
	}
	return ""
}

// PretendVersionEnv are the variables that make the backends which compute
// a version from git build exactly version instead: setuptools-scm (and
// hatch-vcs, which uses it), pdm-backend's scm source and
// poetry-dynamic-versioning. With a project name the setuptools-scm
// variable is the per-distribution one, so that build dependencies built
// from source in the same environment keep their own versions. hatch-vcs
// does not tell setuptools-scm the distribution's name (0.5 does not), so
// with plugin "hatch-vcs", or without a name, the general variable is set
// as well.
func PretendVersionEnv(project, plugin, version string) []string {
	const scm = "SETUPTOOLS_SCM_PRETEND_VERSION"
	var env []string
	if project != "" {
		env = append(env, scm+"_FOR_"+strings.ToUpper(EscapeName(project))+"="+version)
	}
	if project == "" || plugin == "hatch-vcs" {
		env = append(env, scm+"="+version)
	}
	return append(env,
		"PDM_BUILD_SCM_VERSION="+version,
		"POETRY_DYNAMIC_VERSIONING_BYPASS="+version,
	)
}
