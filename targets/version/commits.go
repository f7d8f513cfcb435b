package version

import (
	"bytes"
	"fmt"
	"runtime"
)

// commitStore numbers commits for the walk: commit-graph positions first,
// then commits read from objects (newer than the graph, or no graph at
// all). Small integer ids let the walk keep its flags in a slice instead
// of a map keyed by object name.
type commitStore struct {
	odb      *odb
	g        *commitGraph
	ng       uint32
	extraIdx map[oid]uint32
	extra    []extraCommit
	shallow  map[oid]bool
	pbuf     []uint32
	// onNew is called for every commit read from an object, so names can
	// be attached to commits the graph does not know.
	onNew func(id oid, node uint32)
	// reads counts commits read from objects; exhaustive says the walk
	// will visit all history. Either can switch to bulk decoding.
	reads      int
	exhaustive bool
	bulk       *bulkCommits
}

type extraCommit struct {
	id       oid
	tree     oid
	date     uint64
	parentID []oid
	parents  []uint32
	resolved bool
}

func newCommitStore(o *odb, g *commitGraph, shallow map[oid]bool) *commitStore {
	s := &commitStore{odb: o, g: g, extraIdx: map[oid]uint32{}, shallow: shallow}
	if g != nil {
		s.ng = g.total
	}
	return s
}

// count is the number of node ids handed out so far (an upper bound for
// slices indexed by node).
func (s *commitStore) count() uint32 { return s.ng + uint32(len(s.extra)) }

// node returns the id of a commit, reading its object when the graph does
// not have it.
func (s *commitStore) node(id oid) (uint32, error) {
	if s.g != nil {
		if pos, ok := s.g.find(id); ok {
			return pos, nil
		}
	}
	if n, ok := s.extraIdx[id]; ok {
		return n, nil
	}
	c, err := s.readCommit(id)
	if err != nil {
		return 0, err
	}
	n := s.ng + uint32(len(s.extra))
	s.extra = append(s.extra, c)
	s.extraIdx[id] = n
	if s.onNew != nil {
		s.onNew(id, n)
	}
	return n, nil
}

func (s *commitStore) readCommit(id oid) (extraCommit, error) {
	s.reads++
	if s.bulk == nil && s.wantBulk() {
		s.bulk = decodeAllCommits(s.odb)
	}
	if s.bulk != nil {
		if c, ok := s.bulk.lookup(s.odb.objReader, id); ok {
			return c, nil
		}
	}
	h, err := s.odb.readCommitHeader(id)
	if err != nil {
		return extraCommit{}, err
	}
	return extraCommit{id: id, tree: h.tree, date: h.date, parentID: h.parents}, nil
}

// wantBulk decides when decoding all packed commits at once pays off: for
// a walk that must cover all history without a commit-graph, once it has
// read enough commits to show the history is not tiny.
func (s *commitStore) wantBulk() bool {
	if !s.exhaustive || s.g != nil || s.reads < 256 || runtime.GOMAXPROCS(0) < 2 {
		return false
	}
	err := s.odb.loadPacks()
	return err == nil && len(s.odb.packs) > 0
}

func (s *commitStore) oidOf(n uint32) oid {
	if n < s.ng {
		return s.g.oidAt(n)
	}
	return s.extra[n-s.ng].id
}

func (s *commitStore) date(n uint32) uint64 {
	if n < s.ng {
		return s.g.dateAt(n)
	}
	return s.extra[n-s.ng].date
}

func (s *commitStore) tree(n uint32) oid {
	if n < s.ng {
		return s.g.treeAt(n)
	}
	return s.extra[n-s.ng].tree
}

// parents returns a commit's parents. The slice is only valid until the
// next call. A shallow boundary commit has parents the repository does not
// hold, so asking for them is where a shallow clone stops being able to
// answer.
func (s *commitStore) parents(n uint32) ([]uint32, error) {
	if len(s.shallow) > 0 && s.shallow[s.oidOf(n)] {
		ps, err := s.rawParents(n)
		if err != nil || len(ps) > 0 {
			return nil, errShallowBoundary
		}
		return nil, nil
	}
	return s.rawParents(n)
}

var errShallowBoundary = fmt.Errorf("shallow boundary: %w", ErrShallow)

func (s *commitStore) rawParents(n uint32) ([]uint32, error) {
	if n < s.ng {
		ps, err := s.g.parents(n, s.pbuf[:0])
		s.pbuf = ps
		if err != nil {
			return nil, fmt.Errorf("version: commit %s: %w", s.g.oidAt(n), err)
		}
		return ps, nil
	}
	e := &s.extra[n-s.ng]
	if !e.resolved {
		ps := make([]uint32, 0, len(e.parentID))
		for _, pid := range e.parentID {
			p, err := s.node(pid)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		e = &s.extra[n-s.ng] // node may have grown the slice
		e.parents, e.resolved = ps, true
	}
	return e.parents, nil
}

type commitHeader struct {
	tree    oid
	parents []oid
	date    uint64
}

// parseCommitHeader ports git's parse_commit_buffer and parse_commit_date
// (2.39), including their tolerance of odd headers, so that dates and
// parents are exactly the ones git's walk sees. With complete false, b
// may be a prefix of the object; more reports that the answer needs bytes
// beyond it.
func parseCommitHeader(b []byte, complete bool) (h commitHeader, more bool, err error) {
	const treeLen = 5 + hexLen
	const parentLen = 7 + hexLen
	if len(b) <= treeLen+1 {
		if !complete {
			return h, true, nil
		}
		return h, false, fmt.Errorf("bogus commit object")
	}
	if !bytes.HasPrefix(b, []byte("tree ")) || b[treeLen] != '\n' {
		return h, false, fmt.Errorf("bogus commit object")
	}
	t, ok := parseOID(b[5:treeLen])
	if !ok {
		return h, false, fmt.Errorf("bad tree pointer")
	}
	h.tree = t
	p := treeLen + 1
	for {
		if p+parentLen >= len(b) {
			if !complete {
				return h, true, nil
			}
			break
		}
		if !bytes.HasPrefix(b[p:], []byte("parent ")) {
			break
		}
		if len(b) <= p+parentLen+1 {
			if !complete {
				return h, true, nil
			}
			return h, false, fmt.Errorf("bad parents")
		}
		id, ok := parseOID(b[p+7 : p+parentLen])
		if !ok || b[p+parentLen] != '\n' {
			return h, false, fmt.Errorf("bad parents")
		}
		h.parents = append(h.parents, id)
		p += parentLen + 1
	}
	d, more := parseCommitDate(b[p:], complete)
	if more {
		return h, true, nil
	}
	h.date = d
	return h, false, nil
}

func parseCommitDate(b []byte, complete bool) (uint64, bool) {
	short := func() (uint64, bool) { return 0, !complete }
	if 6 >= len(b) {
		return short()
	}
	if !bytes.HasPrefix(b, []byte("author")) {
		return 0, false
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return short()
	}
	p := i + 1
	if p+9 >= len(b) {
		return short()
	}
	if !bytes.HasPrefix(b[p:], []byte("committer")) {
		return 0, false
	}
	j := bytes.IndexByte(b[p:], '>')
	if j < 0 {
		return short()
	}
	p += j + 1
	if p >= len(b) {
		return short()
	}
	datePos := p
	k := bytes.IndexByte(b[p:], '\n')
	if k < 0 {
		return short()
	}
	p += k + 1
	if p >= len(b) {
		return short()
	}
	return strtoumax(b[datePos:]), false
}

// strtoumax is C's strtoumax in base 10 as git's parse_timestamp uses it:
// leading space, an optional sign (a minus wraps around), saturation at
// the maximum on overflow, and 0 when there are no digits.
func strtoumax(b []byte) uint64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	overflow := false
	digits := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		digits = true
		d := uint64(b[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if !digits {
		return 0
	}
	if overflow {
		return ^uint64(0)
	}
	if neg {
		return -v
	}
	return v
}
