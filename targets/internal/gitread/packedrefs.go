package gitread

import (
	"bytes"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// peelMode is what a packed-refs header promises about "^" lines.
type peelMode uint8

const (
	peelNone  peelMode = iota // no promise: peel by reading objects
	peelTags                  // refs under refs/tags/ have "^" lines when annotated
	peelFully                 // every ref that peels has a "^" line
)

// packedRef is one record of packed-refs.
type packedRef struct {
	Name      string
	ID        OID
	Peeled    OID
	HasPeeled bool
}

type packedRefs struct {
	refs []packedRef // sorted by name
	mode peelMode
}

// knowsPeeled reports whether the file's header lets a reader trust a
// missing "^" line to mean "not an annotated tag" for this ref.
func (p *packedRefs) knowsPeeled(name string) bool {
	return p.mode == peelFully || p.mode == peelTags && strings.HasPrefix(name, "refs/tags/")
}

func (p *packedRefs) lookup(name string) (packedRef, bool) {
	i := sort.Search(len(p.refs), func(i int) bool { return p.refs[i].Name >= name })
	if i < len(p.refs) && p.refs[i].Name == name {
		return p.refs[i], true
	}
	return packedRef{}, false
}

// parsePackedRefs reads a packed-refs file. Like git it insists on
// complete lines; unlike git it never dies, it reports which line is bad.
func parsePackedRefs(data []byte) (*packedRefs, error) {
	p := &packedRefs{}
	line := 0
	bad := func(why string) error {
		return errors.New("line " + strconv.Itoa(line) + ": " + why)
	}
	if bytes.HasPrefix(data, []byte("# pack-refs with:")) {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return nil, errors.New("line 1: unterminated header")
		}
		traits := strings.Fields(string(data[len("# pack-refs with:"):nl]))
		for _, t := range traits {
			switch t {
			case "fully-peeled":
				p.mode = peelFully
			case "peeled":
				if p.mode != peelFully {
					p.mode = peelTags
				}
			}
		}
		data = data[nl+1:]
		line++
	}
	sorted := true
	for len(data) > 0 {
		line++
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return nil, bad("unterminated line")
		}
		l := data[:nl]
		data = data[nl+1:]
		if len(l) > 0 && l[0] == '^' {
			id, ok := ParseOID(l[1:])
			if !ok {
				return nil, bad("bad peeled object name")
			}
			if len(p.refs) == 0 || p.refs[len(p.refs)-1].HasPeeled {
				return nil, bad("peeled line without a preceding ref")
			}
			p.refs[len(p.refs)-1].Peeled = id
			p.refs[len(p.refs)-1].HasPeeled = true
			continue
		}
		if len(l) < HexLen+2 || l[HexLen] != ' ' {
			return nil, bad("expected \"<object name> <refname>\"")
		}
		id, ok := ParseOID(l[:HexLen])
		if !ok {
			return nil, bad("bad object name")
		}
		name := string(l[HexLen+1:])
		if n := len(p.refs); n > 0 && p.refs[n-1].Name >= name {
			sorted = false
		}
		p.refs = append(p.refs, packedRef{Name: name, ID: id})
	}
	if !sorted {
		sort.SliceStable(p.refs, func(i, j int) bool { return p.refs[i].Name < p.refs[j].Name })
	}
	return p, nil
}

// PackedRef looks name up in the packed-refs file of a common git
// directory, without opening the repository; ok is false when neither the
// file nor the ref is there.
func PackedRef(commonDir, name string) (id OID, ok bool, err error) {
	r := &Repo{CommonDir: commonDir}
	p, err := r.packedRefs()
	if err != nil {
		return OID{}, false, err
	}
	pr, ok := p.lookup(name)
	return pr.ID, ok, nil
}
