package version

import (
	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// tagName is describe's commit_name: the one name kept for a commit.
type tagName struct {
	path   string      // ref name without refs/tags/
	ref    gitread.OID // what the ref points to: the tag object when annotated
	peeled gitread.OID
	prio   int                // 2 annotated, 1 lightweight
	tag    *gitread.TagObject // parsed annotated tag, loaded on demand
}

// nameSet is the candidate names keyed by the commit (or other object)
// they peel to.
type nameSet struct {
	byPeeled map[gitread.OID]*tagName
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
func (r *repository) collectNames(refs []gitread.TagRef, accept func(string) bool) (*nameSet, error) {
	ns := &nameSet{byPeeled: make(map[gitread.OID]*tagName, len(refs))}
	for _, t := range refs {
		if accept != nil && !accept(t.Name) {
			continue
		}
		peeled, annotated := t.Peeled, false
		if t.PeelKnown {
			if peeled.IsZero() {
				peeled = t.ID
			} else {
				annotated = peeled != t.ID
			}
		} else if p, ok := r.Peel(t.ID); ok {
			peeled, annotated = p, p != t.ID
		} else {
			peeled = t.ID
		}
		prio := 1
		if annotated {
			prio = 2
		}
		e := ns.byPeeled[peeled]
		replace, tag := r.replaceName(e, prio, t.ID)
		if !replace {
			continue
		}
		if e == nil {
			e = &tagName{peeled: peeled}
			ns.byPeeled[peeled] = e
			ns.count++
		}
		e.tag, e.prio, e.ref, e.path = tag, prio, t.ID, t.Name
	}
	return ns, nil
}

// replaceName is git's replace_name: an annotated tag beats a lightweight
// one; of two annotated tags the one with the later tagger date wins; a
// tie keeps the first in ref order.
func (r *repository) replaceName(e *tagName, prio int, id gitread.OID) (bool, *gitread.TagObject) {
	if e == nil || e.prio < prio {
		return true, nil
	}
	if e.prio == 2 && prio == 2 {
		if e.tag == nil {
			t, err := r.LoadTag(e.ref)
			if err != nil {
				return true, nil
			}
			e.tag = t
		}
		t, err := r.LoadTag(id)
		if err != nil {
			return false, nil
		}
		if e.tag.Date < t.Date {
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
		t, err := r.LoadTag(n.ref)
		if err != nil {
			return "", &ObjectError{ID: n.ref.String(), Reason: "annotated tag " + n.path + " not available", Err: err}
		}
		n.tag = t
	}
	if n.tag != nil {
		return n.tag.Name, nil
	}
	return n.path, nil
}
