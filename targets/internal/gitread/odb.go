package version

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
