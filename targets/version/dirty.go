package version

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// File modes as git stores them.
const (
	modeTypeMask = 0170000
	modeRegular  = 0100000
	modeSymlink  = 0120000
	modeGitlink  = 0160000
	modeDir      = 0040000
)

// dirty answers what `git describe --dirty` answers: whether HEAD's tree
// differs from the index, or a tracked file differs from the index. It
// reads the index and stats only tracked paths, so ignored or untracked
// trees (node_modules, .venv) cost nothing; untracked files do not count.
func (r *repository) dirty(ctx context.Context, head gitread.OID, s *commitStore) (bool, error) {
	if r.WorkTree == "" {
		return false, fmt.Errorf("%w: %s is a bare repository, with no working tree to check for changes", ErrNoWorktree, r.GitDir)
	}
	path := filepath.Join(r.GitDir, "index")
	idx := &gitIndex{}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return false, &FileError{Path: path, Reason: "cannot read", Err: err}
	default:
		if idx, err = parseIndex(data); err != nil {
			return false, &FileError{Path: path, Reason: err.Error(), Err: ErrCorrupt}
		}
	}
	var indexMtime int64
	if st, err := os.Stat(path); err == nil {
		indexMtime = st.ModTime().Unix()
	}
	if idx.split || idx.sparse {
		// Split and sparse indexes are rare; git answers for them.
		return r.gitDirty(ctx)
	}
	for i := range idx.entries {
		if e := &idx.entries[i]; e.stage() != 0 || e.intentToAdd() {
			return true, nil
		}
	}
	hn, err := s.node(head)
	if err != nil {
		return false, err
	}
	c := &treeCompare{ODB: r.ODB}
	same, err := c.equal(s.tree(hn), "", idx.entries, idx.tree)
	if err != nil || !same {
		return !same, err
	}
	return r.worktreeDirty(ctx, idx, indexMtime)
}

// gitDirty asks git itself, for index layouts this package does not read
// and for content that git would convert (line endings, filters) before
// comparing. Without a git binary the answer is "dirty": a tracked file
// whose bytes differ from the index is most likely changed, and calling a
// clean tree dirty costs a local version, never a wrong release.
func (r *repository) gitDirty(ctx context.Context) (bool, error) {
	if _, err := run.LookPath("git"); err != nil {
		return true, nil
	}
	out, err := run.Output(ctx, run.Cmd{
		Name: "git",
		Args: []string{"--no-optional-locks", "status", "--porcelain", "--untracked-files=no"},
		Dir:  r.WorkTree,
	})
	if err != nil {
		return false, err
	}
	return len(bytes.TrimSpace(out)) > 0, nil
}

// treeCompare compares a tree with a sorted run of index entries.
type treeCompare struct{ ODB *gitread.ODB }

// equal reports whether es (the stage-0 entries under prefix) are exactly
// the tree's blobs, modes included. Valid cache-tree nodes whose tree id
// matches are skipped without reading anything.
func (c *treeCompare) equal(tree gitread.OID, prefix string, es []indexEntry, ct *cacheTree) (bool, error) {
	if ct != nil && ct.entryCount >= 0 && ct.id == tree && ct.entryCount == len(es) {
		return true, nil
	}
	typ, data, err := c.ODB.Read(tree)
	if err != nil {
		return false, err
	}
	if typ != gitread.TypeTree {
		return false, &ObjectError{ID: tree.String(), Reason: "is a " + typ.String() + ", not a tree", Err: ErrCorrupt}
	}
	i := 0
	for len(data) > 0 {
		e, rest, err := gitread.NextTreeEntry(data)
		if err != nil {
			return false, &ObjectError{ID: tree.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		data = rest
		mode, name, id := e.Mode, e.Name, e.ID
		full := prefix + name
		if mode&modeTypeMask == modeDir {
			sub := full + "/"
			j := i
			for j < len(es) && strings.HasPrefix(es[j].path, sub) {
				j++
			}
			if j == i {
				return false, nil
			}
			ok, err := c.equal(id, sub, es[i:j], ct.child(name))
			if err != nil || !ok {
				return false, err
			}
			i = j
			continue
		}
		if i >= len(es) || es[i].path != full || es[i].mode != canonMode(mode) || es[i].id != id {
			return false, nil
		}
		i++
	}
	return i == len(es), nil
}

// canonMode is git's canon_mode.
func canonMode(m uint32) uint32 {
	switch m & modeTypeMask {
	case modeRegular:
		if m&0100 != 0 {
			return modeRegular | 0755
		}
		return modeRegular | 0644
	case modeSymlink:
		return modeSymlink
	case modeDir:
		return modeDir
	}
	return modeGitlink
}

// worktreeDirty stats every tracked path and compares it with its index
// entry, rehashing content only when the stat data differ or the entry is
// racily clean. Paths are checked in parallel; the first difference stops
// the rest.
func (r *repository) worktreeDirty(ctx context.Context, idx *gitIndex, indexMtime int64) (bool, error) {
	fileMode, err := r.Config.Boolean("core.filemode", true)
	if err != nil {
		return false, err
	}
	symlinks, err := r.Config.Boolean("core.symlinks", true)
	if err != nil {
		return false, err
	}
	lstat := r.lstat
	if lstat == nil {
		lstat = os.Lstat
	}
	chk := &entryCheck{
		lstat:      lstat,
		root:       r.WorkTree,
		fileMode:   fileMode,
		symlinks:   symlinks,
		indexMtime: indexMtime,
		converts:   r.mayConvert(idx),
	}
	es := idx.entries
	workers := runtime.GOMAXPROCS(0)
	if workers > 8 {
		workers = 8
	}
	if len(es) < 512 || workers < 2 {
		workers = 1
	}
	var found atomic.Int32 // 1 dirty, 2 unsure (ask git)
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	chunk := (len(es) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(es))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(part []indexEntry) {
			defer wg.Done()
			for i := range part {
				if found.Load() != 0 || i&255 == 0 && ctx.Err() != nil {
					return
				}
				res, err := chk.check(&part[i])
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					found.Store(1)
					return
				}
				if res != entryClean {
					found.CompareAndSwap(0, int32(res))
					return
				}
			}
		}(es[lo:hi])
	}
	wg.Wait()
	if firstErr != nil {
		return false, firstErr
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	switch found.Load() {
	case int32(entryChanged):
		return true, nil
	case int32(entryUnsure):
		return r.gitDirty(ctx)
	}
	return false, nil
}

// mayConvert reports whether git could transform file content before
// hashing it (core.autocrlf, or any attributes file), in which case a
// content mismatch is not proof of a change.
func (r *repository) mayConvert(idx *gitIndex) bool {
	if v, _, ok := r.Config.Get("core.autocrlf"); ok {
		if b, isBool := gitread.ParseBool(v); !isBool || b {
			return true
		}
	}
	if _, _, ok := r.Config.Get("core.attributesfile"); ok {
		return true
	}
	if _, err := os.Stat(filepath.Join(r.CommonDir, "info", "attributes")); err == nil {
		return true
	}
	for i := range idx.entries {
		p := idx.entries[i].path
		if p == ".gitattributes" || strings.HasSuffix(p, "/.gitattributes") {
			return true
		}
	}
	return false
}

type entryResult int32

const (
	entryClean   entryResult = 0
	entryChanged entryResult = 1
	entryUnsure  entryResult = 2
)

type entryCheck struct {
	lstat      func(string) (fs.FileInfo, error)
	root       string
	fileMode   bool
	symlinks   bool
	indexMtime int64
	converts   bool
}

func (c *entryCheck) check(e *indexEntry) (entryResult, error) {
	if e.skipWorktree() || e.assumeValid() {
		return entryClean, nil
	}
	path := filepath.Join(c.root, filepath.FromSlash(e.path))
	st, err := c.lstat(path)
	if err != nil {
		return entryChanged, nil
	}
	m := st.Mode()
	switch e.mode & modeTypeMask {
	case modeGitlink:
		if !m.IsDir() {
			return entryChanged, nil
		}
		id, ok := gitread.SubmoduleHead(path)
		if ok && id != e.id {
			return entryChanged, nil
		}
		return entryClean, nil
	case modeRegular:
		if !m.IsRegular() {
			return entryChanged, nil
		}
		if c.fileMode && (e.mode&0100 != 0) != (m.Perm()&0100 != 0) {
			return entryChanged, nil
		}
	case modeSymlink:
		if m&fs.ModeSymlink == 0 && (c.symlinks || !m.IsRegular()) {
			return entryChanged, nil
		}
	default:
		return entryChanged, nil
	}
	if statMatches(e, st) && int64(e.mtimeS) < c.indexMtime && (e.size != 0 || e.id == emptyBlob) {
		return entryClean, nil
	}
	var content []byte
	if m&fs.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		if err != nil {
			return entryChanged, nil
		}
		content = []byte(target)
	} else if content, err = os.ReadFile(path); err != nil {
		return entryChanged, nil
	}
	if blobID(content) == e.id {
		return entryClean, nil
	}
	if c.converts && m.IsRegular() {
		return entryUnsure, nil
	}
	return entryChanged, nil
}

// emptyBlob is the object name of the empty blob.
var emptyBlob = gitread.OID{0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91}

func blobID(content []byte) gitread.OID {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(content)) + "\x00"))
	h.Write(content)
	var o gitread.OID
	copy(o[:], h.Sum(nil))
	return o
}
