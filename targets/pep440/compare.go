package pep440

import (
	"cmp"
	"strings"
)

// Compare orders a and b as packaging does, returning -1, 0 or 1:
// epoch first, then the release with trailing zeros ignored (1.0 == 1.0.0),
// then dev releases of a release before its pre-releases (1.0.dev1 < 1.0a1),
// pre-releases before the release, post releases after it, a dev segment
// before the same version without one, and a local part after the same
// public version without one.
func Compare(a, b Version) int {
	if c := cmp.Compare(a.Epoch, b.Epoch); c != 0 {
		return c
	}
	if c := compareRelease(a.Release, b.Release); c != 0 {
		return c
	}
	if c := comparePre(a, b); c != 0 {
		return c
	}
	// A missing post segment sorts before any post release.
	if c := compareOptional(a.Post, b.Post, -1); c != 0 {
		return c
	}
	// A missing dev segment sorts after any dev release.
	if c := compareOptional(a.Dev, b.Dev, 1); c != 0 {
		return c
	}
	return compareLocal(a.Local, b.Local)
}

// Compare is Compare(v, o).
func (v Version) Compare(o Version) int { return Compare(v, o) }

// Equal reports whether v and o are the same version, which is not the same
// as having the same fields: 1.0 equals 1.0.0.
func (v Version) Equal(o Version) bool { return Compare(v, o) == 0 }

func compareRelease(a, b []int) int {
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// preRank places a version without a pre-release segment: a bare dev
// release (1.0.dev0) sorts before every pre-release of its release, and
// anything else without one sorts after them.
func preRank(v Version) int {
	switch {
	case v.Pre != nil:
		return 0
	case v.Post == nil && v.Dev != nil:
		return -1
	default:
		return 1
	}
}

func comparePre(a, b Version) int {
	ra, rb := preRank(a), preRank(b)
	if ra != rb || ra != 0 {
		return cmp.Compare(ra, rb)
	}
	// "a" < "b" < "rc" as strings, which is the order packaging relies on.
	if c := strings.Compare(a.Pre.Label, b.Pre.Label); c != 0 {
		return c
	}
	return cmp.Compare(a.Pre.N, b.Pre.N)
}

// compareOptional compares two optional numbers where a missing one sorts
// before (missing = -1) or after (missing = 1) every present one.
func compareOptional(a, b *int, missing int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return missing
	case b == nil:
		return -missing
	}
	return cmp.Compare(*a, *b)
}

// compareLocal follows PEP 440: segment by segment, letters before numbers,
// numbers numerically, words lexically, and a longer local part after its
// own prefix. Numbers are compared as digit strings so that no local part is
// ever too large to order.
func compareLocal(a, b []string) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		xn, yn := isNumeric(x), isNumeric(y)
		switch {
		case xn && yn:
			x, y = trimZeros(x), trimZeros(y)
			if c := cmp.Compare(len(x), len(y)); c != 0 {
				return c
			}
		case xn:
			return 1
		case yn:
			return -1
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}
