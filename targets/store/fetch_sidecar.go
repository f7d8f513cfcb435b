package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
)

// SidecarMismatchError is a sidecar that describes another file than the
// one it sits beside. Fetch records what a sidecar says (project, version,
// kind, tags), so one that disagrees with its file's name is refused
// rather than believed.
type SidecarMismatchError struct {
	Sidecar string // where the sidecar is, redacted
	File    string // the file name
	Field   string // the sidecar's field: file, project, version, kind, platform or tags
	Says    string // what the sidecar says
	Want    string // what the file name says
}

func (e *SidecarMismatchError) Error() string {
	return fmt.Sprintf("store: fetch: sidecar %s says %s %q, but the file name %s says %s", e.Sidecar, e.Field, e.Says, e.File, e.Want)
}

// Artifact is the manifest entry of the fetched file: what its sidecar
// says (dist.Sidecar.Artifact), or for a file without one, its name, kind
// and hash, of version.
func (f Fetched) Artifact(version string) dist.Artifact {
	a := dist.Artifact{Name: f.Name, Version: version}
	if f.Sidecar != nil {
		a = f.Sidecar.Artifact()
	}
	// Where the file is and what was checked on download, whatever the
	// sidecar says.
	a.Path, a.Kind, a.SHA256, a.Size = f.Rel, f.Kind, f.SHA256, f.Size
	return a
}

// checkSidecar compares what sc says with what the file name says. Fields
// a name does not carry (the project of an archive, which is named after
// its group of tools) are not compared.
func checkSidecar(where, name string, sc *Sidecar) error {
	bad := func(field, says, want string) error {
		return &SidecarMismatchError{Sidecar: where, File: name, Field: field, Says: says, Want: want}
	}
	if sc.File != name {
		return bad("file", sc.File, fmt.Sprintf("%q", name))
	}
	stem, ext := splitExt(name)
	project, version, ok := FileVersion(name)
	if !ok && ext == ".whl" {
		return bad("version", sc.Version, "none")
	}
	if ok && sc.Version != "" && !sameVersion(sc.Version, version) {
		return bad("version", sc.Version, fmt.Sprintf("%q", version))
	}
	kinds := []string{dist.KindArchive} // group-version-platform
	switch {
	case !ok:
		kinds = []string{dist.KindSdist, dist.KindArchive}
	case strings.HasSuffix(stem, "-"+version):
		kinds = []string{dist.KindSdist}
	}
	switch ext {
	case ".whl":
		kinds = []string{dist.KindWheel}
	case ".run", ".exe", ".dmg":
		kinds = []string{dist.KindInstaller}
	}
	if sc.Kind != "" && !slices.Contains(kinds, sc.Kind) {
		return bad("kind", sc.Kind, fmt.Sprintf("%q", kinds[0]))
	}
	if !ok {
		return nil // nothing more to compare with
	}
	kind := kinds[0]
	if sc.Project != "" && (kind == dist.KindWheel || kind == dist.KindSdist) && config.NormalizeName(sc.Project) != config.NormalizeName(project) {
		return bad("project", sc.Project, fmt.Sprintf("%q", project))
	}
	switch kind {
	case dist.KindWheel:
		tags := wheelTags(stem)
		if sc.Platform != "" && sc.Platform != "any" && !slices.ContainsFunc(tags, func(t string) bool { return strings.HasSuffix(t, "-"+sc.Platform) }) {
			return bad("platform", sc.Platform, "tags "+strings.Join(tags, ", "))
		}
		for _, t := range sc.Tags {
			if !slices.Contains(tags, t) {
				return bad("tags", t, "tags "+strings.Join(tags, ", "))
			}
		}
	case dist.KindSdist:
		if sc.Platform != "" && sc.Platform != "any" {
			return bad("platform", sc.Platform, `"any"`)
		}
	case dist.KindArchive:
		if sc.Platform != "" && sc.Platform != "any" && !strings.HasSuffix(stem, "-"+sc.Platform) {
			return bad("platform", sc.Platform, "another platform")
		}
	}
	return nil
}

// splitExt splits a file name into its stem and extension, ".tar.gz"
// counting as one.
func splitExt(name string) (stem, ext string) {
	if s, ok := strings.CutSuffix(name, ".tar.gz"); ok {
		return s, ".tar.gz"
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i], name[i:]
	}
	return name, ""
}

// wheelTags expands the compressed tag set of a wheel's name
// (py2.py3-none-any) into python-abi-platform tags.
func wheelTags(stem string) []string {
	parts := strings.Split(stem, "-")
	if len(parts) < 3 {
		return nil
	}
	py, abi, plat := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	var tags []string
	for _, p := range strings.Split(py, ".") {
		for _, a := range strings.Split(abi, ".") {
			for _, pl := range strings.Split(plat, ".") {
				tags = append(tags, p+"-"+a+"-"+pl)
			}
		}
	}
	return tags
}
