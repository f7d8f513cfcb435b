package gitread

import (
	"os"
	"path/filepath"
)

// Abbreviation lengths from git's object-name.c.
const (
	fallbackAbbrev = 7
	maxRawSz       = 32 // GIT_MAX_RAWSZ: git compares hex positions against it
)

// AbbrevLen ports repo_find_unique_abbrev_r: start from core.abbrev (or
// from the approximate object count when it is auto), then lengthen until
// no other object, packed or loose, shares the prefix.
func (r *Repo) AbbrevLen(id OID, classic bool) (int, error) {
	length, err := r.Config.abbrev()
	if err != nil {
		return 0, err
	}
	if length < 0 {
		count := r.ODB.approximateCount(classic)
		length = (msb(count) + 1 + 1) / 2
		if length < fallbackAbbrev {
			length = fallbackAbbrev
		}
	}
	if length == HexLen || length == 0 {
		return HexLen, nil
	}
	cur := length
	extend := func(other OID) {
		if i := commonHexPrefix(id, other); i < maxRawSz && i >= cur {
			cur = i + 1
		}
	}
	if err := r.ODB.LoadPacks(); err != nil && len(r.ODB.packs) == 0 {
		return 0, err
	}
	for _, p := range r.ODB.packs {
		x := p.idx
		if x.n == 0 {
			continue
		}
		i, found := x.search(id)
		if !found {
			if i < x.n {
				extend(x.OIDAt(i))
			}
		} else if i+1 < x.n {
			extend(x.OIDAt(i + 1))
		}
		if i > 0 {
			extend(x.OIDAt(i - 1))
		}
	}
	// Loose objects sharing the first cur digits live in one fan-out
	// directory per object directory.
	hex := id.String()
	for _, dir := range r.ODB.Dirs {
		names, err := listDir(filepath.Join(dir, hex[:2]))
		if err != nil {
			continue
		}
		for _, name := range names {
			if len(name) != HexLen-2 {
				continue
			}
			other, ok := ParseOIDString(hex[:2] + name)
			if !ok {
				continue
			}
			extend(other)
		}
	}
	return cur, nil
}

func msb(v uint64) int {
	r := 0
	for v >>= 1; v != 0; v >>= 1 {
		r++
	}
	return r
}

// listDir returns a directory's entry names unsorted: cheaper than
// os.ReadDir for a loose object fan-out directory.
func listDir(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
