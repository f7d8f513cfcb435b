package version

import (
	"context"
	"errors"
	"math"
	"sort"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// maxCandidates is describe's default --candidates.
const maxCandidates = 10

// Walk flags: git's SEEN, one bit per candidate (1..maxCandidates), and a
// bit of our own marking commits currently in the queue.
const (
	flagSeen   = 1
	flagQueued = 1 << 31
)

// candidate is git's possible_tag.
type candidate struct {
	name       *tagName
	depth      int
	foundOrder int
	flag       uint32
}

// walker runs describe's search over a commitStore.
type walker struct {
	ctx   context.Context
	s     *commitStore
	flags []uint32
	names map[uint32]*tagName
	q     commitQueue
	pops  int
	// modern stops as git 2.48 does: as soon as ten candidates, or all
	// names, have been found. nameCount is the size of git's name table.
	modern    bool
	nameCount int
}

func newWalker(ctx context.Context, s *commitStore, names map[uint32]*tagName) *walker {
	return &walker{ctx: ctx, s: s, names: names, flags: make([]uint32, s.count())}
}

func (w *walker) grow() {
	if n := int(w.s.count()); n > len(w.flags) {
		w.flags = append(w.flags, make([]uint32, n-len(w.flags))...)
	}
}

func (w *walker) push(n uint32) {
	w.flags[n] |= flagQueued
	w.q.push(n, w.s.date(n))
}

func (w *walker) pop() (uint32, error) {
	n := w.q.pop()
	w.flags[n] &^= flagQueued
	w.pops++
	if w.pops&4095 == 0 {
		if err := w.ctx.Err(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (w *walker) parents(n uint32) ([]uint32, error) {
	ps, err := w.s.parents(n)
	w.grow()
	return ps, err
}

// result of the search: the best candidate (nil when no tag is reachable)
// and the number of commits popped, which is the count of commits
// reachable from the start when nothing matched.
type searchResult struct {
	best *candidate
	seen int
}

// search ports describe_commit for a commit that carries no name itself:
// a date-ordered walk that records up to maxCandidates tags, counts for
// each how many walked commits it does not contain, then finishes the
// count for the best one. Git up to 2.47 keeps walking until it meets an
// eleventh candidate; 2.48 stops at the tenth (or when no name is left),
// which can change which candidate is best.
func (w *walker) search(start uint32) (searchResult, error) {
	var matches [maxCandidates]candidate
	matchCnt, annotated := 0, 0
	seen := 0
	gaveUp, hasGaveUp := uint32(0), false

	w.flags[start] = flagSeen
	w.push(start)
	for w.q.len() > 0 {
		c, err := w.pop()
		if err != nil {
			return searchResult{}, err
		}
		seen++
		if w.modern && (matchCnt == maxCandidates || matchCnt == w.nameCount) {
			gaveUp, hasGaveUp = c, true
			break
		}
		if n := w.names[c]; n != nil {
			if matchCnt < maxCandidates {
				t := &matches[matchCnt]
				matchCnt++
				*t = candidate{name: n, depth: seen - 1, foundOrder: matchCnt, flag: 1 << matchCnt}
				w.flags[c] |= t.flag
				if n.prio == 2 {
					annotated++
				}
			} else {
				gaveUp, hasGaveUp = c, true
				break
			}
		}
		fc := w.flags[c]
		for i := 0; i < matchCnt; i++ {
			if fc&matches[i].flag == 0 {
				matches[i].depth++
			}
		}
		// Stop if the last remaining path is covered by the best
		// candidate(s).
		if annotated > 0 && w.q.len() == 0 {
			bestDepth, bestWithin := math.MaxInt, uint32(0)
			for i := 0; i < matchCnt; i++ {
				t := &matches[i]
				if t.depth < bestDepth {
					bestDepth, bestWithin = t.depth, t.flag
				} else if t.depth == bestDepth {
					bestWithin |= t.flag
				}
			}
			if fc&bestWithin == bestWithin {
				break
			}
		}
		ps, err := w.parents(c)
		if err != nil {
			return searchResult{}, w.parentErr(c, err)
		}
		fc &^= flagQueued
		for _, p := range ps {
			if w.flags[p]&flagSeen == 0 {
				w.push(p)
			}
			w.flags[p] |= fc
		}
	}
	if matchCnt == 0 {
		return searchResult{seen: seen}, nil
	}
	ms := matches[:matchCnt]
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].depth != ms[j].depth {
			return ms[i].depth < ms[j].depth
		}
		return ms[i].foundOrder < ms[j].foundOrder
	})
	if hasGaveUp {
		w.push(gaveUp)
		seen--
	}
	best := ms[0]
	if err := w.finishDepth(&best); err != nil {
		return searchResult{}, err
	}
	return searchResult{best: &best, seen: seen}, nil
}

// finishDepth is finish_depth_computation: keep walking until every
// queued commit is known to be reachable from the best tag, counting the
// ones that are not. Instead of rescanning the queue at every step it
// keeps a count of queued commits lacking the best tag's flag.
func (w *walker) finishDepth(best *candidate) error {
	bf := best.flag
	missing := 0
	for _, e := range w.q.items {
		if w.flags[e.node]&bf == 0 {
			missing++
		}
	}
	for w.q.len() > 0 {
		c, err := w.pop()
		if err != nil {
			return err
		}
		fc := w.flags[c]
		if fc&bf != 0 {
			if missing == 0 {
				break
			}
		} else {
			missing--
			best.depth++
		}
		ps, err := w.parents(c)
		if err != nil {
			return w.parentErr(c, err)
		}
		for _, p := range ps {
			pf := w.flags[p]
			if pf&flagSeen == 0 {
				w.push(p)
				w.flags[p] |= fc
				if fc&bf == 0 {
					missing++
				}
				continue
			}
			w.flags[p] |= fc
			if pf&flagQueued != 0 && pf&bf == 0 && fc&bf != 0 {
				missing--
			}
		}
	}
	return nil
}

func (w *walker) parentErr(c uint32, err error) error {
	if errors.Is(err, errShallowBoundary) {
		return &shallowHit{commit: w.s.oidOf(c)}
	}
	return err
}

// shallowHit is turned into a ShallowError naming the repository.
type shallowHit struct{ commit gitread.OID }

// Error names the boundary commit the walk reached.
func (e *shallowHit) Error() string { return "shallow boundary at " + e.commit.String() }

// commitQueue is git's date-ordered commit list as a heap: newest
// committer date first, and among equal dates the one queued first, which
// is exactly the order commit_list_insert_by_date produces.
type commitQueue struct {
	items []queued
	seq   uint64
}

type queued struct {
	date uint64
	seq  uint64
	node uint32
}

func (q *commitQueue) len() int { return len(q.items) }

func before(a, b *queued) bool {
	if a.date != b.date {
		return a.date > b.date
	}
	return a.seq < b.seq
}

func (q *commitQueue) push(n uint32, date uint64) {
	q.seq++
	q.items = append(q.items, queued{date: date, seq: q.seq, node: n})
	i := len(q.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !before(&q.items[i], &q.items[parent]) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *commitQueue) pop() uint32 {
	top := q.items[0].node
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items = q.items[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= last {
			break
		}
		m := l
		if r := l + 1; r < last && before(&q.items[r], &q.items[l]) {
			m = r
		}
		if !before(&q.items[m], &q.items[i]) {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return top
}
