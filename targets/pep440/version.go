package pep440

import (
	"slices"
	"strconv"
	"strings"
)

// Version is a parsed PEP 440 version. The zero value is not valid; use Parse.
//
// Fields hold values in normalised form, so two spellings of one version
// ("1.0-RC.1" and "1.0rc1") parse to identical structs. Versions that differ
// only in trailing zero release components ("1.0" and "1.0.0") are Equal but
// keep their own Release and String.
type Version struct {
	Epoch   int
	Release []int // at least one component
	Pre     *Pre  // nil when not a pre-release
	Post    *int  // nil when no post segment (".post0" is non-nil 0)
	Dev     *int  // nil when no dev segment
	// Local holds the local segments lowercased, numeric ones without
	// leading zeros ("ubuntu", "1"); nil when there is no local part.
	Local []string
}

// Pre is a pre-release segment such as "rc1".
type Pre struct {
	Label string // "a", "b" or "rc"
	N     int
}

// String returns the normalised form, exactly as packaging's str() does.
func (v Version) String() string {
	var b strings.Builder
	b.Grow(8 + 4*len(v.Release))
	if v.Epoch != 0 {
		b.WriteString(strconv.Itoa(v.Epoch))
		b.WriteByte('!')
	}
	for i, n := range v.Release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	if v.Pre != nil {
		b.WriteString(v.Pre.Label)
		b.WriteString(strconv.Itoa(v.Pre.N))
	}
	if v.Post != nil {
		b.WriteString(".post")
		b.WriteString(strconv.Itoa(*v.Post))
	}
	if v.Dev != nil {
		b.WriteString(".dev")
		b.WriteString(strconv.Itoa(*v.Dev))
	}
	if len(v.Local) > 0 {
		b.WriteByte('+')
		b.WriteString(strings.Join(v.Local, "."))
	}
	return b.String()
}

// Clone returns a deep copy, so that a bump or an edit of the copy never
// shows through in the original.
func (v Version) Clone() Version {
	c := Version{Epoch: v.Epoch, Release: slices.Clone(v.Release), Local: slices.Clone(v.Local)}
	if v.Pre != nil {
		p := *v.Pre
		c.Pre = &p
	}
	c.Post = cloneInt(v.Post)
	c.Dev = cloneInt(v.Dev)
	return c
}

// Public returns the version without its local part: what an index such as
// PyPI accepts, since it refuses local versions.
func (v Version) Public() Version {
	c := v.Clone()
	c.Local = nil
	return c
}

// Base returns the epoch and release only: the final release that a pre,
// post or dev release belongs to.
func (v Version) Base() Version {
	return Version{Epoch: v.Epoch, Release: slices.Clone(v.Release)}
}

// IsPrerelease reports whether v has a pre or dev segment, as packaging's
// is_prerelease does; installers skip such versions unless asked.
func (v Version) IsPrerelease() bool { return v.Pre != nil || v.Dev != nil }

// IsDevrelease reports whether v has a dev segment.
func (v Version) IsDevrelease() bool { return v.Dev != nil }

// IsPostrelease reports whether v has a post segment.
func (v Version) IsPostrelease() bool { return v.Post != nil }

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	n := *p
	return &n
}

func intPtr(n int) *int { return &n }
