package gitread

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

// BulkCommits are the commits of all packs, by pack and index position.
type BulkCommits struct {
	byPack map[*pack][]bulkEntry
}

type bulkEntry struct {
	ok bool
	c  CommitHeader
}

// Lookup returns a decoded commit; ok is false for one the bulk decode
// skipped (a loose or deltified commit), which the caller reads itself.
func (b *BulkCommits) Lookup(o *ODB, id OID) (c CommitHeader, ok bool) {
	p, pos, ok := o.findPackedPos(id)
	if !ok {
		return CommitHeader{}, false
	}
	es := b.byPack[p]
	if es == nil || !es[pos].ok {
		return CommitHeader{}, false
	}
	return es[pos].c, true
}

// DecodeAllCommits inflates and parses every commit in the packs using
// all CPUs. Entries that fail are left for the normal path to report.
func DecodeAllCommits(db *ODB) *BulkCommits {
	b := &BulkCommits{byPack: map[*pack][]bulkEntry{}}
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
func (o *objReader) decodeCommitAt(p *pack, pos uint32) (CommitHeader, bool) {
	off, ok := p.idx.offsetAt(pos)
	if !ok {
		return CommitHeader{}, false
	}
	d, err := p.bytes(o.db)
	if err != nil {
		return CommitHeader{}, false
	}
	typ, size, hl, err := entryHeader(d, off)
	if err != nil {
		return CommitHeader{}, false
	}
	if typ != TypeCommit {
		// Deltified commits are rare; the walk reads them itself.
		return CommitHeader{}, false
	}
	id := p.idx.OIDAt(pos)
	h, err := o.packedCommitHeader(d[off+uint64(hl):], int(size), id, func(err error) error { return err })
	if err != nil {
		return CommitHeader{}, false
	}
	return h, true
}
