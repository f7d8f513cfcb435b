package version

import (
	"runtime"
	"sync"
)

// Without a commit-graph every commit the walk visits must be inflated,
// one after the other, since each commit names the next. When the walk is
// known to cover all history (no tags, or too few for anything to stop
// it), decoding every commit of every pack in parallel is faster than
// discovering them one by one. Mid-walk the gain is too uncertain: on two
// cores, decoding everything costs as much as reading half of it in turn.

// bulkCommits are the commits of all packs, by pack and index position.
type bulkCommits struct {
	byPack map[*pack][]bulkEntry
}

type bulkEntry struct {
	ok bool
	c  extraCommit
}

// lookup returns a decoded commit.
func (b *bulkCommits) lookup(r *objReader, id oid) (extraCommit, bool) {
	p, pos, ok := r.findPackedPos(id)
	if !ok {
		return extraCommit{}, false
	}
	es := b.byPack[p]
	if es == nil || !es[pos].ok {
		return extraCommit{}, false
	}
	return es[pos].c, true
}

// decodeAllCommits inflates and parses every commit in the packs using
// all CPUs. Entries that fail are left for the normal path to report.
func decodeAllCommits(db *odb) *bulkCommits {
	b := &bulkCommits{byPack: map[*pack][]bulkEntry{}}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for _, p := range db.packs {
		n := int(p.idx.n)
		if n == 0 {
			continue
		}
		if _, err := p.bytes(db); err != nil {
			continue
		}
		es := make([]bulkEntry, n)
		b.byPack[p] = es
		chunk := (n + workers - 1) / workers
		for lo := 0; lo < n; lo += chunk {
			hi := min(lo+chunk, n)
			wg.Add(1)
			go func(p *pack, es []bulkEntry, lo, hi int) {
				defer wg.Done()
				r := db.newReader()
				for pos := lo; pos < hi; pos++ {
					if c, ok := r.decodeCommitAt(p, uint32(pos)); ok {
						es[pos] = bulkEntry{ok: true, c: c}
					}
				}
			}(p, es, lo, hi)
		}
	}
	wg.Wait()
	return b
}

// decodeCommitAt parses the pack entry at an index position if it is a
// commit; other objects are skipped after reading their header.
func (o *objReader) decodeCommitAt(p *pack, pos uint32) (extraCommit, bool) {
	off, ok := p.idx.offsetAt(pos)
	if !ok {
		return extraCommit{}, false
	}
	d, err := p.bytes(o.db)
	if err != nil {
		return extraCommit{}, false
	}
	typ, size, hl, err := entryHeader(d, off)
	if err != nil {
		return extraCommit{}, false
	}
	if typ != typeCommit {
		// Deltified commits are rare; the walk reads them itself.
		return extraCommit{}, false
	}
	id := p.idx.oidAt(pos)
	h, err := o.packedCommitHeader(d[off+uint64(hl):], int(size), id, func(err error) error { return err })
	if err != nil {
		return extraCommit{}, false
	}
	return extraCommit{id: id, tree: h.tree, date: h.date, parentID: h.parents}, true
}
