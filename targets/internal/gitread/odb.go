package gitread

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ObjType is git's object type number as stored in packs.
type ObjType uint8

const (
	TypeNone     ObjType = 0
	TypeCommit   ObjType = 1
	TypeTree     ObjType = 2
	TypeBlob     ObjType = 3
	TypeTag      ObjType = 4
	typeOfsDelta ObjType = 6
	typeRefDelta ObjType = 7
)

// String is the type's name as git writes it in loose object headers.
func (t ObjType) String() string {
	switch t {
	case TypeCommit:
		return "commit"
	case TypeTree:
		return "tree"
	case TypeBlob:
		return "blob"
	case TypeTag:
		return "tag"
	}
	return "unknown"
}

func typeFromName(s string) ObjType {
	switch s {
	case "commit":
		return TypeCommit
	case "tree":
		return TypeTree
	case "blob":
		return TypeBlob
	case "tag":
		return TypeTag
	}
	return TypeNone
}

// ODB is an objects directory and its alternates: the pack indexes and
// packs, mapped once and shared. Reading goes through an objReader, which
// holds the state one goroutine needs; ODB's own methods use a default
// reader and are not safe for concurrent use.
type ODB struct {
	Dirs        []string // objects directories: the repository's, then alternates
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
	db       *ODB
	lastPack *pack
	zr       io.ReadCloser // reused zlib reader
	br       bytes.Reader

	baseCache     map[baseKey]cachedObject
	baseCacheSize int

	hdr     [64]byte // loose object header scratch
	scratch []byte   // commit header scratch
	pi      prefixInflater
}

func (o *ODB) newReader() *objReader { return &objReader{db: o} }

// NewODB reads the objects directory objectsDir and, recursively, its
// alternates. Packs are opened on first use.
func NewODB(objectsDir string) *ODB {
	o := &ODB{}
	o.objReader = o.newReader()
	seen := map[string]bool{}
	o.addDir(objectsDir, seen, 0)
	return o
}

// addDir adds an objects directory and, recursively, its alternates.
func (o *ODB) addDir(dir string, seen map[string]bool, depth int) {
	clean := filepath.Clean(dir)
	if seen[clean] || depth > 5 {
		return
	}
	seen[clean] = true
	o.Dirs = append(o.Dirs, clean)
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

// Close unmaps the packs and their indexes.
func (o *ODB) Close() {
	for _, p := range o.packs {
		if p.idx != nil {
			p.idx.m.Close()
		}
		if p.data != nil {
			p.data.Close()
		}
	}
	o.packs = nil
}

// LoadPacks opens every pack index whose pack exists, as git's
// prepare_packed_git does, and reads multi-pack-index object counts.
func (o *ODB) LoadPacks() error {
	if o.packsLoaded {
		return o.packErr
	}
	o.packsLoaded = true
	for _, dir := range o.Dirs {
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
func (o *ODB) approximateCount(classic bool) uint64 {
	_ = o.LoadPacks()
	n := o.midxCount
	for _, p := range o.packs {
		if !p.inMidx || classic && p.touched.Load() {
			n += uint64(p.idx.n)
		}
	}
	return n
}

// Touch marks the pack holding id as read from, as git's reading it
// would (see approximateCount).
func (o *ODB) Touch(id OID) {
	if o.midxCount > 0 {
		o.findPacked(id)
	}
}

// findPackedPos locates id in the packs by index position.
func (o *objReader) findPackedPos(id OID) (*pack, uint32, bool) {
	if err := o.db.LoadPacks(); err != nil && len(o.db.packs) == 0 {
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
func (o *objReader) findPacked(id OID) (*pack, uint64, bool) {
	if err := o.db.LoadPacks(); err != nil && len(o.db.packs) == 0 {
		return nil, 0, false
	}
	p, i, ok := o.findPackedPos(id)
	if !ok {
		return nil, 0, false
	}
	off, ok := p.idx.offsetAt(i)
	return p, off, ok
}

func (o *objReader) notFound(id OID) error {
	return &ObjectError{ID: id.String(), Reason: "not found", Err: ErrNotFound}
}

// Read returns an object's type and full content.
func (o *objReader) Read(id OID) (ObjType, []byte, error) {
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

// TypeOf returns an object's type without inflating more than a header.
func (o *objReader) TypeOf(id OID) (ObjType, error) {
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

// HasPacks reports whether the object directories hold any pack (after
// LoadPacks).
func (o *ODB) HasPacks() bool { return len(o.packs) > 0 }

// Multipack reports whether a multi-pack-index lists objects: git then
// parses objects it would otherwise take from the commit-graph, which
// callers that count git's reads must follow.
func (o *ODB) Multipack() bool { return o.midxCount > 0 }
