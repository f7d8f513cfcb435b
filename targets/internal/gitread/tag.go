package gitread

import (
	"bytes"
	"errors"
)

// TagObject is what a walk over names needs of an annotated tag: what it
// points at, that object's type, the name inside it and its date.
type TagObject struct {
	Target     OID
	TargetType string
	Name       string // the "tag" header: what git prints
	Date       uint64 // tagger date, 0 without a tagger line
}

var errBadTag = errors.New("bad tag object")

// parseTag ports git's parse_tag_buffer (2.39).
func parseTag(b []byte) (TagObject, error) {
	var t TagObject
	if len(b) < HexLen+24 {
		return t, errBadTag
	}
	if !bytes.HasPrefix(b, []byte("object ")) {
		return t, errBadTag
	}
	id, ok := ParseOID(b[7 : 7+HexLen])
	if !ok || b[7+HexLen] != '\n' {
		return t, errBadTag
	}
	t.Target = id
	p := b[8+HexLen:]
	if !bytes.HasPrefix(p, []byte("type ")) {
		return t, errBadTag
	}
	p = p[5:]
	nl := bytes.IndexByte(p, '\n')
	if nl < 0 || nl >= 20 {
		return t, errBadTag
	}
	t.TargetType = string(p[:nl])
	if typeFromName(t.TargetType) == TypeNone {
		return t, errBadTag
	}
	p = p[nl+1:]
	if !(4 < len(p) && bytes.HasPrefix(p, []byte("tag "))) {
		return t, errBadTag
	}
	p = p[4:]
	nl = bytes.IndexByte(p, '\n')
	if nl < 0 {
		return t, errBadTag
	}
	t.Name = string(p[:nl])
	p = p[nl+1:]
	if 7 < len(p) && bytes.HasPrefix(p, []byte("tagger ")) {
		t.Date = parseTagDate(p)
	}
	return t, nil
}

func parseTagDate(b []byte) uint64 {
	i := bytes.IndexByte(b, '>')
	if i < 0 || i+1 >= len(b) {
		return 0
	}
	datePos := i + 1
	j := bytes.IndexByte(b[datePos:], '\n')
	if j < 0 || datePos+j+1 >= len(b) {
		return 0
	}
	return strtoumax(b[datePos:])
}

// LoadTag reads and parses an annotated tag object.
func (r *Repo) LoadTag(id OID) (*TagObject, error) {
	typ, data, err := r.ODB.Read(id)
	if err != nil {
		return nil, err
	}
	if typ != TypeTag {
		return nil, &ObjectError{ID: id.String(), Reason: "is a " + typ.String() + ", not a tag", Err: ErrCorrupt}
	}
	t, err := parseTag(data)
	if err != nil {
		return nil, &ObjectError{ID: id.String(), Reason: "bad tag object", Err: ErrCorrupt}
	}
	return &t, nil
}

// Peel is git's peel_object: the object a tag chain finally points at.
// ok is false when id is not a tag or the chain is broken, in which case
// git treats the ref as a lightweight tag of id itself.
func (r *Repo) Peel(id OID) (OID, bool) {
	typ, err := r.ODB.TypeOf(id)
	if err != nil || typ != TypeTag {
		return OID{}, false
	}
	cur := id
	for depth := 0; depth < 100; depth++ {
		t, err := r.LoadTag(cur)
		if err != nil {
			return OID{}, false
		}
		if t.TargetType != "tag" {
			return t.Target, true
		}
		cur = t.Target
	}
	return OID{}, false
}
