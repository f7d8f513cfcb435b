package version

import (
	"bytes"
	"errors"
)

// tagName is describe's commit_name: the one name kept for a commit.
type tagName struct {
	path   string // ref name without refs/tags/
	ref    oid    // what the ref points to: the tag object when annotated
	peeled oid
	prio   int        // 2 annotated, 1 lightweight
	tag    *tagObject // parsed annotated tag, loaded on demand
}

// tagObject is the part of an annotated tag describe uses.
type tagObject struct {
	target     oid
	targetType string
	name       string // the "tag" header: what git prints
	date       uint64 // tagger date, 0 without a tagger line
}

var errBadTag = errors.New("bad tag object")

// parseTag ports git's parse_tag_buffer (2.39).
func parseTag(b []byte) (tagObject, error) {
	var t tagObject
	if len(b) < hexLen+24 {
		return t, errBadTag
	}
	if !bytes.HasPrefix(b, []byte("object ")) {
		return t, errBadTag
	}
	id, ok := parseOID(b[7 : 7+hexLen])
	if !ok || b[7+hexLen] != '\n' {
		return t, errBadTag
	}
	t.target = id
	p := b[8+hexLen:]
	if !bytes.HasPrefix(p, []byte("type ")) {
		return t, errBadTag
	}
	p = p[5:]
	nl := bytes.IndexByte(p, '\n')
	if nl < 0 || nl >= 20 {
		return t, errBadTag
	}
	t.targetType = string(p[:nl])
	if typeFromName(t.targetType) == typeNone {
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
	t.name = string(p[:nl])
	p = p[nl+1:]
	if 7 < len(p) && bytes.HasPrefix(p, []byte("tagger ")) {
		t.date = parseTagDate(p)
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

// loadTag reads and parses an annotated tag object.
func (r *repository) loadTag(id oid) (*tagObject, error) {
	typ, data, err := r.odb.read(id)
	if err != nil {
		return nil, err
	}
	if typ != typeTag {
		return nil, &ObjectError{ID: id.String(), Reason: "is a " + typ.String() + ", not a tag", Err: ErrCorrupt}
	}
	t, err := parseTag(data)
	if err != nil {
		return nil, &ObjectError{ID: id.String(), Reason: "bad tag object", Err: ErrCorrupt}
	}
	return &t, nil
}

// peel is git's peel_object: the object a tag chain finally points at.
// ok is false when id is not a tag or the chain is broken, in which case
// git treats the ref as a lightweight tag of id itself.
func (r *repository) peel(id oid) (oid, bool) {
	typ, err := r.odb.typeOf(id)
	if err != nil || typ != typeTag {
		return oid{}, false
	}
	cur := id
	for depth := 0; depth < 100; depth++ {
		t, err := r.loadTag(cur)
		if err != nil {
			return oid{}, false
		}
		if t.targetType != "tag" {
			return t.target, true
		}
		cur = t.target
	}
	return oid{}, false
}

// nameSet is the candidate names keyed by the commit (or other object)
// they peel to.
type nameSet struct {
	byPeeled map[oid]*tagName
	count    int // names kept, as git's hashmap size
}

// anyAnnotated reports whether some kept name is an annotated tag: only
// those let git's walk stop before the end of history.
func (ns *nameSet) anyAnnotated() bool {
	for _, n := range ns.byPeeled {
		if n.prio == 2 {
			return true
		}
	}
	return false
}

// collectNames ports get_name/add_to_known_names/replace_name: walk tags
// in ref order, filter them, and keep one name per peeled object.
func (r *repository) collectNames(refs []tagRef, accept func(string) bool) (*nameSet, error) {
	ns := &nameSet{byPeeled: make(map[oid]*tagName, len(refs))}
	for _, t := range refs {
		if accept != nil && !accept(t.name) {
			continue
		}
		peeled, annotated := t.peeled, false
		if t.peelKnown {
			if peeled.isZero() {
				peeled = t.id
			} else {
				annotated = peeled != t.id
			}
		} else if p, ok := r.peel(t.id); ok {
			peeled, annotated = p, p != t.id
		} else {
			peeled = t.id
		}
		prio := 1
		if annotated {
			prio = 2
		}
		e := ns.byPeeled[peeled]
		replace, tag := r.replaceName(e, prio, t.id)
		if !replace {
			continue
		}
		if e == nil {
			e = &tagName{peeled: peeled}
			ns.byPeeled[peeled] = e
			ns.count++
		}
		e.tag, e.prio, e.ref, e.path = tag, prio, t.id, t.name
	}
	return ns, nil
}

// replaceName is git's replace_name: an annotated tag beats a lightweight
// one; of two annotated tags the one with the later tagger date wins; a
// tie keeps the first in ref order.
func (r *repository) replaceName(e *tagName, prio int, id oid) (bool, *tagObject) {
	if e == nil || e.prio < prio {
		return true, nil
	}
	if e.prio == 2 && prio == 2 {
		if e.tag == nil {
			t, err := r.loadTag(e.ref)
			if err != nil {
				return true, nil
			}
			e.tag = t
		}
		t, err := r.loadTag(id)
		if err != nil {
			return false, nil
		}
		if e.tag.date < t.date {
			return true, t
		}
	}
	return false, nil
}

// display is git's append_name: an annotated tag is shown by the name
// inside the tag object, which differs from the ref name only when a tag
// was renamed by hand.
func (r *repository) display(n *tagName) (string, error) {
	if n.prio == 2 && n.tag == nil {
		t, err := r.loadTag(n.ref)
		if err != nil {
			return "", &ObjectError{ID: n.ref.String(), Reason: "annotated tag " + n.path + " not available", Err: err}
		}
		n.tag = t
	}
	if n.tag != nil {
		return n.tag.name, nil
	}
	return n.path, nil
}
