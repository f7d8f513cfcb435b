package version

import (
	"fmt"
	"runtime"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// commitStore numbers commits for the walk: commit-graph positions first,
// then commits read from objects (newer than the graph, or no graph at
// all). Small integer ids let the walk keep its flags in a slice instead
// of a map keyed by object name.
type commitStore struct {
	ODB      *gitread.ODB
	g        *gitread.CommitGraph
	ng       uint32
	extraIdx map[gitread.OID]uint32
	extra    []extraCommit
	shallow  map[gitread.OID]bool
	pbuf     []uint32
	// onNew is called for every commit read from an object, so names can
	// be attached to commits the graph does not know.
	onNew func(id gitread.OID, node uint32)
	// reads counts commits read from objects; exhaustive says the walk
	// will visit all history. Either can switch to bulk decoding.
	reads      int
	exhaustive bool
	bulk       *gitread.BulkCommits
}

type extraCommit struct {
	id       gitread.OID
	tree     gitread.OID
	date     uint64
	parentID []gitread.OID
	parents  []uint32
	resolved bool
}

func newCommitStore(o *gitread.ODB, g *gitread.CommitGraph, shallow map[gitread.OID]bool) *commitStore {
	s := &commitStore{ODB: o, g: g, extraIdx: map[gitread.OID]uint32{}, shallow: shallow}
	if g != nil {
		s.ng = g.Total
	}
	return s
}

// count is the number of node ids handed out so far (an upper bound for
// slices indexed by node).
func (s *commitStore) count() uint32 { return s.ng + uint32(len(s.extra)) }

// node returns the id of a commit, reading its object when the graph does
// not have it.
func (s *commitStore) node(id gitread.OID) (uint32, error) {
	if s.g != nil {
		if pos, ok := s.g.Find(id); ok {
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

func (s *commitStore) readCommit(id gitread.OID) (extraCommit, error) {
	s.reads++
	if s.bulk == nil && s.wantBulk() {
		s.bulk = gitread.DecodeAllCommits(s.ODB)
	}
	if s.bulk != nil {
		if h, ok := s.bulk.Lookup(s.ODB, id); ok {
			return extraCommit{id: id, tree: h.Tree, date: h.Date, parentID: h.Parents}, nil
		}
	}
	h, err := s.ODB.ReadCommitHeader(id)
	if err != nil {
		return extraCommit{}, err
	}
	return extraCommit{id: id, tree: h.Tree, date: h.Date, parentID: h.Parents}, nil
}

// wantBulk decides when decoding all packed commits at once pays off: for
// a walk that must cover all history without a commit-graph, once it has
// read enough commits to show the history is not tiny.
func (s *commitStore) wantBulk() bool {
	if !s.exhaustive || s.g != nil || s.reads < 256 || runtime.GOMAXPROCS(0) < 2 {
		return false
	}
	err := s.ODB.LoadPacks()
	return err == nil && s.ODB.HasPacks()
}

func (s *commitStore) oidOf(n uint32) gitread.OID {
	if n < s.ng {
		return s.g.OIDAt(n)
	}
	return s.extra[n-s.ng].id
}

func (s *commitStore) date(n uint32) uint64 {
	if n < s.ng {
		return s.g.DateAt(n)
	}
	return s.extra[n-s.ng].date
}

func (s *commitStore) tree(n uint32) gitread.OID {
	if n < s.ng {
		return s.g.TreeAt(n)
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
		ps, err := s.g.Parents(n, s.pbuf[:0])
		s.pbuf = ps
		if err != nil {
			return nil, fmt.Errorf("version: commit %s: %w", s.g.OIDAt(n), err)
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
