package gitread

import (
	"compress/zlib"
	"errors"
	"io"
	"strconv"
	"sync/atomic"
)

// cachedObject is a delta base kept by an objReader.
type cachedObject struct {
	typ  ObjType
	data []byte
}

// baseKey names a pack entry.
type baseKey struct {
	p   *pack
	off uint64
}

const baseCacheBudget = 32 << 20

// pack is one packfile with its index; the .pack is mapped on first read.
type pack struct {
	idx      *packIndex
	packPath string
	data     *mapping
	mapped   atomic.Pointer[[]byte]
	inMidx   bool
	// touched records that an object was read from a pack the
	// multi-pack-index covers: git 2.47 and older then count the pack a
	// second time when estimating the object count (see approximateCount).
	touched atomic.Bool
}

// typeAt follows a pack entry's delta chain to the type of its base.
func (o *objReader) typeAt(p *pack, off uint64, id OID) (ObjType, error) {
	for depth := 0; depth < 10000; depth++ {
		d, err := p.bytes(o.db)
		if err != nil {
			return 0, err
		}
		typ, _, hl, err := entryHeader(d, off)
		if err != nil {
			return 0, o.packCorrupt(p, off, id, err)
		}
		switch typ {
		case typeOfsDelta:
			base, _, err := ofsBase(d, off+uint64(hl), off)
			if err != nil {
				return 0, o.packCorrupt(p, off, id, err)
			}
			off = base
		case typeRefDelta:
			pos := off + uint64(hl)
			if pos+HashLen > uint64(len(d)) {
				return 0, o.packCorrupt(p, off, id, errors.New("truncated delta base"))
			}
			var b OID
			copy(b[:], d[pos:pos+HashLen])
			return o.TypeOf(b)
		default:
			return typ, nil
		}
	}
	return 0, o.packCorrupt(p, off, id, errors.New("delta chain too deep"))
}

// bytes maps the pack on first use; readers on several goroutines may ask
// at once.
func (p *pack) bytes(db *ODB) ([]byte, error) {
	if d := p.mapped.Load(); d != nil {
		return *d, nil
	}
	db.mapMu.Lock()
	defer db.mapMu.Unlock()
	if p.data == nil {
		m, err := mapFile(p.packPath)
		if err != nil {
			return nil, &FileError{Path: p.packPath, Reason: "cannot open pack", Err: err}
		}
		if len(m.data) < 12 || string(m.data[:4]) != "PACK" {
			m.Close()
			return nil, corrupt(p.packPath, "not a pack file")
		}
		p.data = m
		p.mapped.Store(&m.data)
	}
	return p.data.data, nil
}

func (o *objReader) packCorrupt(p *pack, off uint64, id OID, err error) error {
	return &ObjectError{ID: id.String(), Reason: "bad pack entry at offset " + strconv.FormatUint(off, 10) + " in " + p.packPath + ": " + err.Error(), Err: ErrCorrupt}
}

// entryHeader decodes a pack entry's type and inflated size.
func entryHeader(d []byte, off uint64) (ObjType, uint64, int, error) {
	if off >= uint64(len(d)) {
		return 0, 0, 0, errors.New("offset beyond end of pack")
	}
	c := d[off]
	typ := ObjType(c >> 4 & 7)
	size := uint64(c & 15)
	shift := uint(4)
	n := 1
	for c&0x80 != 0 {
		if off+uint64(n) >= uint64(len(d)) || shift > 60 {
			return 0, 0, 0, errors.New("truncated entry header")
		}
		c = d[off+uint64(n)]
		n++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	switch typ {
	case TypeCommit, TypeTree, TypeBlob, TypeTag, typeOfsDelta, typeRefDelta:
	default:
		return 0, 0, 0, errors.New("unknown entry type")
	}
	return typ, size, n, nil
}

// ofsBase decodes an OFS_DELTA base offset at pos for the entry at off.
func ofsBase(d []byte, pos, off uint64) (uint64, int, error) {
	n := 0
	if pos >= uint64(len(d)) {
		return 0, 0, errors.New("truncated delta offset")
	}
	c := d[pos]
	n++
	rel := uint64(c & 0x7f)
	for c&0x80 != 0 {
		if pos+uint64(n) >= uint64(len(d)) || n > 9 {
			return 0, 0, errors.New("truncated delta offset")
		}
		c = d[pos+uint64(n)]
		n++
		rel = (rel+1)<<7 | uint64(c&0x7f)
	}
	if rel == 0 || rel > off {
		return 0, 0, errors.New("delta base offset out of range")
	}
	return off - rel, n, nil
}

// inflate decompresses exactly size bytes (or fewer when the stream ends
// early, which is an error) from src.
func (o *objReader) inflate(src []byte, size int) ([]byte, error) {
	if err := o.resetInflater(src); err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(o.zr, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// readPacked reconstructs the object at off, applying deltas.
func (o *objReader) readPacked(p *pack, off uint64, id OID) (ObjType, []byte, error) {
	type link struct {
		p     *pack
		off   uint64
		delta []byte
	}
	var chain []link
	var base []byte
	var typ ObjType
	cur, curOff := p, off
	for {
		if c, ok := o.baseCache[baseKey{cur, curOff}]; ok && len(chain) > 0 {
			typ, base = c.typ, c.data
			break
		}
		d, err := cur.bytes(o.db)
		if err != nil {
			return 0, nil, err
		}
		t, size, hl, err := entryHeader(d, curOff)
		if err != nil {
			return 0, nil, o.packCorrupt(cur, curOff, id, err)
		}
		pos := curOff + uint64(hl)
		switch t {
		case typeOfsDelta:
			b, n, err := ofsBase(d, pos, curOff)
			if err != nil {
				return 0, nil, o.packCorrupt(cur, curOff, id, err)
			}
			delta, err := o.inflate(d[pos+uint64(n):], int(size))
			if err != nil {
				return 0, nil, o.packCorrupt(cur, curOff, id, err)
			}
			chain = append(chain, link{cur, curOff, delta})
			curOff = b
			continue
		case typeRefDelta:
			if pos+HashLen > uint64(len(d)) {
				return 0, nil, o.packCorrupt(cur, curOff, id, errors.New("truncated delta base"))
			}
			var b OID
			copy(b[:], d[pos:pos+HashLen])
			delta, err := o.inflate(d[pos+HashLen:], int(size))
			if err != nil {
				return 0, nil, o.packCorrupt(cur, curOff, id, err)
			}
			chain = append(chain, link{cur, curOff, delta})
			if bp, boff, ok := o.findPacked(b); ok {
				cur, curOff = bp, boff
				continue
			}
			t2, data, err := o.Read(b)
			if err != nil {
				return 0, nil, err
			}
			typ, base = t2, data
		default:
			data, err := o.inflate(d[pos:], int(size))
			if err != nil {
				return 0, nil, o.packCorrupt(cur, curOff, id, err)
			}
			typ, base = t, data
		}
		break
	}
	for i := len(chain) - 1; i >= 0; i-- {
		out, err := applyDelta(base, chain[i].delta)
		if err != nil {
			return 0, nil, o.packCorrupt(chain[i].p, chain[i].off, id, err)
		}
		if i > 0 {
			o.cacheBase(chain[i].p, chain[i].off, out, typ)
		}
		base = out
	}
	return typ, base, nil
}

// cacheBase keeps intermediate delta results: trees read one after the
// other share long delta chains. The cache is simply dropped when full.
func (o *objReader) cacheBase(p *pack, off uint64, data []byte, t ObjType) {
	if len(data) > baseCacheBudget/8 {
		return
	}
	if o.baseCache == nil || o.baseCacheSize+len(data) > baseCacheBudget {
		o.baseCache = map[baseKey]cachedObject{}
		o.baseCacheSize = 0
	}
	o.baseCache[baseKey{p, off}] = cachedObject{t, data}
	o.baseCacheSize += len(data)
}

// resetInflater points the reused zlib reader at src.
func (o *objReader) resetInflater(src []byte) error {
	o.br.Reset(src)
	if o.zr == nil {
		zr, err := zlib.NewReader(&o.br)
		if err != nil {
			return err
		}
		o.zr = zr
		return nil
	}
	return o.zr.(zlib.Resetter).Reset(&o.br, nil)
}

// applyDelta applies a git delta to base.
func applyDelta(base, delta []byte) ([]byte, error) {
	pos := 0
	varint := func() (uint64, error) {
		var v uint64
		shift := uint(0)
		for {
			if pos >= len(delta) || shift > 63 {
				return 0, errors.New("truncated delta header")
			}
			c := delta[pos]
			pos++
			v |= uint64(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 {
				return v, nil
			}
		}
	}
	srcSize, err := varint()
	if err != nil {
		return nil, err
	}
	if srcSize != uint64(len(base)) {
		return nil, errors.New("delta base size mismatch")
	}
	dstSize, err := varint()
	if err != nil {
		return nil, err
	}
	if dstSize > 1<<32 {
		return nil, errors.New("delta result too large")
	}
	out := make([]byte, 0, dstSize)
	for pos < len(delta) {
		c := delta[pos]
		pos++
		switch {
		case c&0x80 != 0:
			var off, size uint64
			for i := uint(0); i < 4; i++ {
				if c&(1<<i) != 0 {
					if pos >= len(delta) {
						return nil, errors.New("truncated copy instruction")
					}
					off |= uint64(delta[pos]) << (8 * i)
					pos++
				}
			}
			for i := uint(0); i < 3; i++ {
				if c&(0x10<<i) != 0 {
					if pos >= len(delta) {
						return nil, errors.New("truncated copy instruction")
					}
					size |= uint64(delta[pos]) << (8 * i)
					pos++
				}
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(base)) || uint64(len(out))+size > dstSize {
				return nil, errors.New("copy instruction out of range")
			}
			out = append(out, base[off:off+size]...)
		case c != 0:
			n := int(c)
			if pos+n > len(delta) || uint64(len(out)+n) > dstSize {
				return nil, errors.New("insert instruction out of range")
			}
			out = append(out, delta[pos:pos+n]...)
			pos += n
		default:
			return nil, errors.New("reserved delta instruction")
		}
	}
	if uint64(len(out)) != dstSize {
		return nil, errors.New("delta result size mismatch")
	}
	return out, nil
}
