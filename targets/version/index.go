package version

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// Index entry flags.
const (
	ceAssumeValid  = 0x8000
	ceExtended     = 0x4000
	ceStageMask    = 0x3000
	ceNameMask     = 0x0fff
	ceSkipWorktree = 0x4000 // extended flags
	ceIntentToAdd  = 0x2000 // extended flags
)

// indexEntry is one cached path of .git/index.
type indexEntry struct {
	ctimeS, ctimeNs uint32
	mtimeS, mtimeNs uint32
	dev, ino        uint32
	mode            uint32
	uid, gid        uint32
	size            uint32
	id              gitread.OID
	flags           uint16
	xflags          uint16
	path            string
}

func (e *indexEntry) stage() int         { return int(e.flags&ceStageMask) >> 12 }
func (e *indexEntry) skipWorktree() bool { return e.xflags&ceSkipWorktree != 0 }
func (e *indexEntry) intentToAdd() bool  { return e.xflags&ceIntentToAdd != 0 }
func (e *indexEntry) assumeValid() bool  { return e.flags&ceAssumeValid != 0 }

// cacheTree is a node of the TREE extension; entryCount < 0 marks a
// node invalidated since the tree was last written.
type cacheTree struct {
	name       string
	entryCount int
	id         gitread.OID
	children   []*cacheTree
}

func (c *cacheTree) child(name string) *cacheTree {
	if c == nil {
		return nil
	}
	for _, ch := range c.children {
		if ch.name == name {
			return ch
		}
	}
	return nil
}

// gitIndex is what the dirty check needs from .git/index.
type gitIndex struct {
	entries []indexEntry
	tree    *cacheTree
	split   bool // "link": entries are a delta against a shared index
	sparse  bool // "sdir": directories collapsed into tree entries
}

// parseIndex reads index versions 2, 3 and 4 with their TREE extension.
// The trailing checksum is not verified: git itself skips that when
// index.skipHash is set, and a torn index shows up as a parse error.
func parseIndex(d []byte) (*gitIndex, error) {
	if len(d) < 12+gitread.HashLen || string(d[:4]) != "DIRC" {
		return nil, errors.New("not an index file")
	}
	version := be32(d[4:])
	if version < 2 || version > 4 {
		return nil, errors.New("unsupported index version " + strconv.Itoa(int(version)))
	}
	n := int(be32(d[8:]))
	end := len(d) - gitread.HashLen
	if n > end/62 {
		return nil, errors.New("entry count larger than the file")
	}
	idx := &gitIndex{entries: make([]indexEntry, n)}
	p := 12
	var prev []byte
	for i := 0; i < n; i++ {
		if p+62 > end {
			return nil, errors.New("truncated entry " + strconv.Itoa(i))
		}
		e := &idx.entries[i]
		b := d[p:]
		e.ctimeS, e.ctimeNs = be32(b[0:]), be32(b[4:])
		e.mtimeS, e.mtimeNs = be32(b[8:]), be32(b[12:])
		e.dev, e.ino = be32(b[16:]), be32(b[20:])
		e.mode = be32(b[24:])
		e.uid, e.gid = be32(b[28:]), be32(b[32:])
		e.size = be32(b[36:])
		copy(e.id[:], b[40:60])
		e.flags = uint16(b[60])<<8 | uint16(b[61])
		q := p + 62
		if e.flags&ceExtended != 0 {
			if version < 3 || q+2 > end {
				return nil, errors.New("bad extended flags in entry " + strconv.Itoa(i))
			}
			e.xflags = uint16(d[q])<<8 | uint16(d[q+1])
			q += 2
		}
		if version == 4 {
			strip, w := indexVarint(d[q:end])
			if w == 0 || int(strip) > len(prev) {
				return nil, errors.New("bad path compression in entry " + strconv.Itoa(i))
			}
			q += w
			nul := bytes.IndexByte(d[q:end], 0)
			if nul < 0 {
				return nil, errors.New("unterminated path in entry " + strconv.Itoa(i))
			}
			name := make([]byte, 0, len(prev)-int(strip)+nul)
			name = append(append(name, prev[:len(prev)-int(strip)]...), d[q:q+nul]...)
			prev = name
			e.path = string(name)
			p = q + nul + 1
			continue
		}
		nameLen := int(e.flags & ceNameMask)
		if nameLen == ceNameMask {
			nul := bytes.IndexByte(d[q:end], 0)
			if nul < 0 {
				return nil, errors.New("unterminated path in entry " + strconv.Itoa(i))
			}
			nameLen = nul
		}
		if q+nameLen > end {
			return nil, errors.New("truncated path in entry " + strconv.Itoa(i))
		}
		e.path = string(d[q : q+nameLen])
		// Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
		p += (q - p + nameLen + 8) &^ 7
	}
	for p+8 <= end {
		sig := string(d[p : p+4])
		size := int(be32(d[p+4:]))
		p += 8
		if size < 0 || p+size > end {
			return nil, errors.New("truncated extension " + strconv.Quote(sig))
		}
		data := d[p : p+size]
		p += size
		switch sig {
		case "TREE":
			t, _, err := parseCacheTree(data)
			if err != nil {
				return nil, err
			}
			idx.tree = t
		case "link":
			idx.split = true
		case "sdir":
			idx.sparse = true
		default:
			if sig[0] < 'A' || sig[0] > 'Z' {
				return nil, errors.New("unknown required extension " + strconv.Quote(sig))
			}
		}
	}
	return idx, nil
}

// indexVarint is git's decode_varint (the offset encoding of index v4).
func indexVarint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	i := 1
	v := uint64(c & 127)
	for c&128 != 0 {
		v++
		if v == 0 || v>>57 != 0 || i >= len(b) {
			return 0, 0
		}
		c = b[i]
		i++
		v = v<<7 + uint64(c&127)
	}
	return v, i
}

func parseCacheTree(d []byte) (*cacheTree, []byte, error) {
	bad := errors.New("bad cache-tree extension")
	nul := bytes.IndexByte(d, 0)
	if nul < 0 {
		return nil, nil, bad
	}
	t := &cacheTree{name: string(d[:nul])}
	d = d[nul+1:]
	sp := bytes.IndexByte(d, ' ')
	nl := bytes.IndexByte(d, '\n')
	if sp < 0 || nl < sp {
		return nil, nil, bad
	}
	count, err1 := strconv.Atoi(string(d[:sp]))
	subtrees, err2 := strconv.Atoi(string(d[sp+1 : nl]))
	if err1 != nil || err2 != nil || subtrees < 0 {
		return nil, nil, bad
	}
	t.entryCount = count
	d = d[nl+1:]
	if count >= 0 {
		if len(d) < gitread.HashLen {
			return nil, nil, bad
		}
		copy(t.id[:], d[:gitread.HashLen])
		d = d[gitread.HashLen:]
	}
	for i := 0; i < subtrees; i++ {
		var c *cacheTree
		var err error
		c, d, err = parseCacheTree(d)
		if err != nil {
			return nil, nil, err
		}
		t.children = append(t.children, c)
	}
	return t, d, nil
}

func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }
