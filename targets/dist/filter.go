package dist

import (
	"path"
	"slices"
)

// Artifacts is a list of manifest entries, asked with filters instead of
// loops by hand: m.Artifacts.Filter(And(ByVersion(v), ByKind(KindWheel))).
type Artifacts []Artifact

// Filter tells whether an artifact belongs to a selection.
type Filter func(Artifact) bool

// Filter returns the artifacts f keeps, in order.
func (l Artifacts) Filter(f Filter) Artifacts {
	var out Artifacts
	for _, a := range l {
		if f(a) {
			out = append(out, a)
		}
	}
	return out
}

// Names returns the artifacts' file names, in order.
func (l Artifacts) Names() []string {
	names := make([]string, len(l))
	for i, a := range l {
		names[i] = a.Name
	}
	return names
}

// ByVersion keeps the artifacts of version, as recorded.
func ByVersion(version string) Filter {
	return func(a Artifact) bool { return a.Version == version }
}

// ByKind keeps the artifacts of any of kinds.
func ByKind(kinds ...string) Filter {
	return func(a Artifact) bool { return slices.Contains(kinds, a.Kind) }
}

// ForIndex keeps what goes to a package index: wheels and sdists.
var ForIndex = ByKind(KindWheel, KindSdist)

// And keeps what every filter keeps.
func And(filters ...Filter) Filter {
	return func(a Artifact) bool {
		for _, f := range filters {
			if !f(a) {
				return false
			}
		}
		return true
	}
}

// Or keeps what any filter keeps.
func Or(filters ...Filter) Filter {
	return func(a Artifact) bool {
		for _, f := range filters {
			if f(a) {
				return true
			}
		}
		return false
	}
}

// Not keeps what f leaves out.
func Not(f Filter) Filter {
	return func(a Artifact) bool { return !f(a) }
}

// Missing returns the globs of expected file names that none of names
// matches: a version's set of files is complete when there are none. The
// globs are [tool.pyrelease.snapshot] expect's, one per kind and platform
// (config's Snapshot.Globs); a malformed one matches nothing.
func Missing(globs, names []string) []string {
	var missing []string
	for _, glob := range globs {
		if !slices.ContainsFunc(names, func(n string) bool { ok, _ := path.Match(glob, n); return ok }) {
			missing = append(missing, glob)
		}
	}
	return missing
}
