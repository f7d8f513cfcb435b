package version

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// objType is git's object type number as stored in packs.
type objType uint8

const (
	typeNone     objType = 0
	typeCommit   objType = 1
	typeTree     objType = 2
	typeBlob     objType = 3
	typeTag      objType = 4
	typeOfsDelta objType = 6
	typeRefDelta objType = 7
)

func (t objType) String() string {
	switch t {
	case typeCommit:
		return "commit"
	case typeTree:
		return "tree"
	case typeBlob:
		return "blob"
	case typeTag:
		return "tag"
	}
	return "unknown"
}

func typeFromName(s string) objType {
	switch s {
	case "commit":
		return typeCommit
	case "tree":
		return typeTree
	case "blob":
		return typeBlob
	case "tag":
		return typeTag
	}
	return typeNone
}

// odb is an objects directory and its alternates: the pack indexes and
// packs, mapped once and shared. Reading goes through an objReader, which
// holds the state one goroutine needs; odb's own methods use a default
// reader and are not safe for concurrent use.
type odb struct {
	dirs        []string // objects directories: the repository's, then alternates
	packs       []*pack
	packsLoaded bool
	packErr     error
	midxCount   uint64 // objects listed in multi-pack-indexes
	mapMu       sync.Mutex
	*objReader
}

// objReader reads objects for one goroutine: it reuses one inflater and
// keeps its own delta base cache.
type objReader struct {
	db       *odb
	lastPack *pack
	zr       io.ReadCloser // reused zlib reader
	br       bytes.Reader

	baseCache     map[baseKey]cachedObject
	baseCacheSize int

	hdr     [64]byte // loose object header scratch
	scratch []byte   // commit header scratch
	pi      prefixInflater
}

func (o *odb) newReader() *objReader { return &objReader{db: o} }

type cachedObject struct {
	typ  objType
	data []byte
}

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

func newODB(objectsDir string) *odb {
	o := &odb{}
	o.objReader = o.newReader()
	seen := map[string]bool{}
	o.addDir(objectsDir, seen, 0)
	return o
}

// addDir adds an objects directory and, recursively, its alternates.
func (o *odb) addDir(dir string, seen map[string]bool, depth int) {
	clean := filepath.Clean(dir)
	if seen[clean] || depth > 5 {
		return
	}
	seen[clean] = true
	o.dirs = append(o.dirs, clean)
	data, err := os.ReadFile(filepath.Join(clean, "info", "alternates"))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(clean, line)
		}
		o.addDir(line, seen, depth+1)
	}
}

func (o *odb) close() {
	for _, p := range o.packs {
		if p.idx != nil {
			p.idx.m.close()
		}
		if p.data != nil {
			p.data.close()
		}
	}
	o.packs = nil
}

// loadPacks opens every pack index whose pack exists, as git's
// prepare_packed_git does, and reads multi-pack-index object counts.
func (o *odb) loadPacks() error {
	if o.packsLoaded {
		return o.packErr
	}
	o.packsLoaded = true
	for _, dir := range o.dirs {
		pdir := filepath.Join(dir, "pack")
		ents, err := os.ReadDir(pdir)
		if err != nil {
			continue
		}
		midxPacks, midxN := readMidx(filepath.Join(pdir, "multi-pack-index"))
		o.midxCount += midxN
		for _, e := range ents {
			name := e.Name()
			if !strings.HasSuffix(name, ".idx") {
				continue
			}
			packPath := filepath.Join(pdir, strings.TrimSuffix(name, ".idx")+".pack")
			if _, err := os.Stat(packPath); err != nil {
				continue
			}
			x, err := openPackIndex(filepath.Join(pdir, name))
			if err != nil {
				if o.packErr == nil {
					o.packErr = err
				}
				continue
			}
			o.packs = append(o.packs, &pack{idx: x, packPath: packPath, inMidx: midxPacks[name]})
		}
	}
	return o.packErr
}

// approximateCount is git's repo_approximate_object_count: objects in
// multi-pack-indexes plus objects in packs they do not cover. Loose
// objects are not counted. Git up to 2.47 also counts again every pack
// the multi-pack-index covers that it has read an object from, because
// reading installs the pack in its list of packs; classic reproduces that.
func (o *odb) approximateCount(classic bool) uint64 {
	_ = o.loadPacks()
	n := o.midxCount
	for _, p := range o.packs {
		if !p.inMidx || classic && p.touched.Load() {
			n += uint64(p.idx.n)
		}
	}
	return n
}

// touch marks the pack holding id as read from, as git's reading it
// would (see approximateCount).
func (o *odb) touch(id oid) {
	if o.midxCount > 0 {
		o.findPacked(id)
	}
}

// findPackedPos locates id in the packs by index position.
func (o *objReader) findPackedPos(id oid) (*pack, uint32, bool) {
	if err := o.db.loadPacks(); err != nil && len(o.db.packs) == 0 {
		return nil, 0, false
	}
	if p := o.lastPack; p != nil {
		if i, ok := p.idx.search(id); ok {
			p.markTouched()
			return p, i, true
		}
	}
	for _, p := range o.db.packs {
		if p == o.lastPack {
			continue
		}
		if i, ok := p.idx.search(id); ok {
			o.lastPack = p
			p.markTouched()
			return p, i, true
		}
	}
	return nil, 0, false
}

func (p *pack) markTouched() {
	if p.inMidx && !p.touched.Load() {
		p.touched.Store(true)
	}
}

// findPacked locates id in the packs.
func (o *objReader) findPacked(id oid) (*pack, uint64, bool) {
	if err := o.db.loadPacks(); err != nil && len(o.db.packs) == 0 {
		return nil, 0, false
	}
	p, i, ok := o.findPackedPos(id)
	if !ok {
		return nil, 0, false
	}
	off, ok := p.idx.offsetAt(i)
	return p, off, ok
}

func (o *objReader) loosePath(dir string, id oid) string {
	h := id.String()
	return filepath.Join(dir, h[:2], h[2:])
}

// readLoose returns the compressed bytes of a loose object, if any.
func (o *objReader) readLoose(id oid) ([]byte, error) {
	for _, dir := range o.db.dirs {
		data, err := os.ReadFile(o.loosePath(dir, id))
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, &ObjectError{ID: id.String(), Reason: "cannot read loose object", Err: err}
		}
	}
	return nil, nil
}

func (o *objReader) notFound(id oid) error {
	return &ObjectError{ID: id.String(), Reason: "not found", Err: ErrCorrupt}
}

// read returns an object's type and full content.
func (o *objReader) read(id oid) (objType, []byte, error) {
	if p, off, ok := o.findPacked(id); ok {
		return o.readPacked(p, off, id)
	}
	raw, err := o.readLoose(id)
	if err != nil {
		return 0, nil, err
	}
	if raw == nil {
		return 0, nil, o.notFound(id)
	}
	typ, data, _, err := o.inflateLoose(id, raw, -1)
	return typ, data, err
}

// typeOf returns an object's type without inflating more than a header.
func (o *objReader) typeOf(id oid) (objType, error) {
	if p, off, ok := o.findPacked(id); ok {
		return o.typeAt(p, off, id)
	}
	raw, err := o.readLoose(id)
	if err != nil {
		return 0, err
	}
	if raw == nil {
		return 0, o.notFound(id)
	}
	typ, _, _, err := o.looseHeader(id, raw)
	return typ, err
}

// typeAt follows a pack entry's delta chain to the type of its base.
func (o *objReader) typeAt(p *pack, off uint64, id oid) (objType, error) {
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
			if pos+hashLen > uint64(len(d)) {
				return 0, o.packCorrupt(p, off, id, errors.New("truncated delta base"))
			}
			var b oid
			copy(b[:], d[pos:pos+hashLen])
			return o.typeOf(b)
		default:
			return typ, nil
		}
	}
	return 0, o.packCorrupt(p, off, id, errors.New("delta chain too deep"))
}

// has reports whether the object exists.
func (o *objReader) has(id oid) bool {
	if _, _, ok := o.findPacked(id); ok {
		return true
	}
	for _, dir := range o.db.dirs {
		if _, err := os.Stat(o.loosePath(dir, id)); err == nil {
			return true
		}
	}
	return false
}

// bytes maps the pack on first use; readers on several goroutines may ask
// at once.
func (p *pack) bytes(db *odb) ([]byte, error) {
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
			m.close()
			return nil, corrupt(p.packPath, "not a pack file")
		}
		p.data = m
		p.mapped.Store(&m.data)
	}
	return p.data.data, nil
}

func (o *objReader) packCorrupt(p *pack, off uint64, id oid, err error) error {
	return &ObjectError{ID: id.String(), Reason: "bad pack entry at offset " + strconv.FormatUint(off, 10) + " in " + p.packPath + ": " + err.Error(), Err: ErrCorrupt}
}

// entryHeader decodes a pack entry's type and inflated size.
func entryHeader(d []byte, off uint64) (objType, uint64, int, error) {
	if off >= uint64(len(d)) {
		return 0, 0, 0, errors.New("offset beyond end of pack")
	}
	c := d[off]
	typ := objType(c >> 4 & 7)
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
	case typeCommit, typeTree, typeBlob, typeTag, typeOfsDelta, typeRefDelta:
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
func (o *objReader) readPacked(p *pack, off uint64, id oid) (objType, []byte, error) {
	type link struct {
		p     *pack
		off   uint64
		delta []byte
	}
	var chain []link
	var base []byte
	var typ objType
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
			if pos+hashLen > uint64(len(d)) {
				return 0, nil, o.packCorrupt(cur, curOff, id, errors.New("truncated delta base"))
			}
			var b oid
			copy(b[:], d[pos:pos+hashLen])
			delta, err := o.inflate(d[pos+hashLen:], int(size))
			if err != nil {
				return 0, nil, o.packCorrupt(cur, curOff, id, err)
			}
			chain = append(chain, link{cur, curOff, delta})
			if bp, boff, ok := o.findPacked(b); ok {
				cur, curOff = bp, boff
				continue
			}
			t2, data, err := o.read(b)
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
func (o *objReader) cacheBase(p *pack, off uint64, data []byte, t objType) {
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

// looseHeader starts inflating a loose object: its type, its size, and
// the content bytes already inflated along with the header. The inflater
// is left positioned after them.
func (o *objReader) looseHeader(id oid, raw []byte) (objType, int, []byte, error) {
	bad := func(reason string, err error) error {
		if err == nil {
			err = ErrCorrupt
		}
		return &ObjectError{ID: id.String(), Reason: reason, Err: err}
	}
	if err := o.resetInflater(raw); err != nil {
		return 0, 0, nil, bad("cannot inflate loose object", err)
	}
	n, err := io.ReadFull(o.zr, o.hdr[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, 0, nil, bad("cannot inflate loose object", err)
	}
	nul := bytes.IndexByte(o.hdr[:n], 0)
	if nul < 0 {
		return 0, 0, nil, bad("bad loose object header", nil)
	}
	name, sizeStr, ok := strings.Cut(string(o.hdr[:nul]), " ")
	typ := typeFromName(name)
	size, err := strconv.Atoi(sizeStr)
	if !ok || typ == typeNone || err != nil || size < 0 {
		return 0, 0, nil, bad("bad loose object header", nil)
	}
	rest := o.hdr[nul+1 : n]
	if len(rest) > size {
		rest = rest[:size]
	}
	return typ, size, rest, nil
}

// inflateLoose decodes a loose object: its header, then want bytes of
// content (all of it when want < 0). It also returns the full size.
func (o *objReader) inflateLoose(id oid, raw []byte, want int) (objType, []byte, int, error) {
	typ, size, first, err := o.looseHeader(id, raw)
	if err != nil {
		return 0, nil, 0, err
	}
	if want < 0 || want > size {
		want = size
	}
	data := make([]byte, want)
	got := copy(data, first)
	if got < want {
		if _, err := io.ReadFull(o.zr, data[got:]); err != nil {
			return 0, nil, 0, &ObjectError{ID: id.String(), Reason: "truncated loose object", Err: err}
		}
	}
	return typ, data, size, nil
}

// readCommitHeader parses the header of commit id, inflating only as much
// of the object as the header needs: a commit's message is never read.
func (o *objReader) readCommitHeader(id oid) (commitHeader, error) {
	if p, off, ok := o.findPacked(id); ok {
		return o.commitHeaderAt(p, off, id)
	}
	raw, err := o.readLoose(id)
	if err != nil {
		return commitHeader{}, err
	}
	if raw == nil {
		return commitHeader{}, o.notFound(id)
	}
	// The loose header ("commit <size>\0") comes first in the stream.
	for want := 384; ; want *= 4 {
		data, err := o.pi.inflatePrefix(raw, want, o.scratch)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: "cannot inflate loose object", Err: err}
		}
		o.scratch = data[:0]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 {
			if len(data) < want {
				return commitHeader{}, &ObjectError{ID: id.String(), Reason: "bad loose object header", Err: ErrCorrupt}
			}
			continue
		}
		name, sizeStr, _ := strings.Cut(string(data[:nul]), " ")
		size, err := strconv.Atoi(sizeStr)
		if typ := typeFromName(name); typ != typeCommit || err != nil {
			if typ == typeNone || err != nil {
				return commitHeader{}, &ObjectError{ID: id.String(), Reason: "bad loose object header", Err: ErrCorrupt}
			}
			return commitHeader{}, notCommit(id, typ)
		}
		body := data[nul+1:]
		if len(body) > size {
			body = body[:size]
		}
		h, more, err := parseCommitHeader(body, len(body) == size)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !more {
			return h, nil
		}
		if len(body) >= size || len(data) < want {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: "truncated loose object", Err: ErrCorrupt}
		}
	}
}

// commitHeaderAt parses the header of the commit stored at off.
func (o *objReader) commitHeaderAt(p *pack, off uint64, id oid) (commitHeader, error) {
	d, err := p.bytes(o.db)
	if err != nil {
		return commitHeader{}, err
	}
	typ, size, hl, err := entryHeader(d, off)
	if err != nil {
		return commitHeader{}, o.packCorrupt(p, off, id, err)
	}
	if typ == typeOfsDelta || typ == typeRefDelta {
		t, data, err := o.readPacked(p, off, id)
		if err != nil {
			return commitHeader{}, err
		}
		if t != typeCommit {
			return commitHeader{}, notCommit(id, t)
		}
		h, _, err := parseCommitHeader(data, true)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		return h, nil
	}
	if typ != typeCommit {
		return commitHeader{}, notCommit(id, typ)
	}
	return o.packedCommitHeader(d[off+uint64(hl):], int(size), id, func(err error) error { return o.packCorrupt(p, off, id, err) })
}

// packedCommitHeader inflates a packed commit's stream in growing
// prefixes until its header parses.
func (o *objReader) packedCommitHeader(src []byte, size int, id oid, bad func(error) error) (commitHeader, error) {
	for want := 320; ; want *= 4 {
		n := min(want, size)
		data, err := o.pi.inflatePrefix(src, n, o.scratch)
		if err != nil {
			return commitHeader{}, bad(err)
		}
		o.scratch = data[:0]
		if len(data) < n {
			return commitHeader{}, bad(errors.New("stream shorter than its size"))
		}
		h, more, err := parseCommitHeader(data, n == size)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !more {
			return h, nil
		}
	}
}

func notCommit(id oid, t objType) error {
	return &ObjectError{ID: id.String(), Reason: "is a " + t.String() + ", not a commit", Err: ErrCorrupt}
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
