package gitwrite

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

func (r *Repo) indexPath() string { return filepath.Join(r.GitDir, "index") }

// IndexLockPath is the lock file git takes to change the index.
func (r *Repo) IndexLockPath() string { return r.indexPath() + ".lock" }

// IndexEntry is what the index records for one path after a change.
type IndexEntry struct {
	Path   string // slash-separated, relative to the working tree's top
	Blob   plumbing.Hash
	Mode   filemode.FileMode // 0 means Regular
	Remove bool
}

// CheckIndex reads the index as UpdateIndex will, so that a plan refuses
// an index it could not rewrite before anything is written.
func (r *Repo) CheckIndex() error {
	_, err := r.readIndex()
	return err
}

func (r *Repo) readIndex() (*index.Index, error) {
	path := r.indexPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &index.Index{Version: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gitwrite: %w", err)
	}
	idx := &index.Index{}
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		return nil, fmt.Errorf("gitwrite: reading %s: %w (a split or sparse index cannot be rewritten here: git update-index --no-split-index, or git sparse-checkout disable)", path, err)
	}
	if idx.Version > index.EncodeVersionSupported {
		return nil, fmt.Errorf("gitwrite: %s: index version %d, expected 2 to %d", path, idx.Version, index.EncodeVersionSupported)
	}
	return idx, nil
}

// UpdateIndex records entries in the index under index.lock, as `git add`
// would: the lock is created exclusively, synced and renamed over the
// index. An entry whose file holds its blob gets the file's stat data, so
// git status sees it clean without reading it; any other gets none, so git
// reads the file and reports it modified. The cached-tree extension is
// dropped (git rebuilds it); every other entry is kept as it was.
func (r *Repo) UpdateIndex(entries []IndexEntry) error {
	path := r.indexPath()
	f, err := lock(path)
	if err != nil {
		return err
	}
	idx, err := r.readIndex()
	if err != nil {
		abandon(f)
		return err
	}
	for _, e := range entries {
		kept := idx.Entries[:0]
		for _, old := range idx.Entries {
			if old.Name != e.Path {
				kept = append(kept, old)
			}
		}
		idx.Entries = kept
		if e.Remove {
			continue
		}
		mode := e.Mode
		if mode == 0 {
			mode = filemode.Regular
		}
		ie := &index.Entry{Name: e.Path, Hash: e.Blob, Mode: mode}
		if data, err := os.ReadFile(r.Abs(e.Path)); err == nil && BlobHash(data) == e.Blob {
			if fi, err := os.Lstat(r.Abs(e.Path)); err == nil && fi.Mode().IsRegular() {
				fillStat(ie, fi)
			}
		}
		idx.Entries = append(idx.Entries, ie)
	}
	sort.SliceStable(idx.Entries, func(i, j int) bool {
		a, b := idx.Entries[i], idx.Entries[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Stage < b.Stage
	})
	idx.Cache = nil
	idx.EndOfIndexEntry = nil
	var buf bytes.Buffer
	if err := index.NewEncoder(&buf).Encode(idx); err != nil {
		abandon(f)
		return fmt.Errorf("gitwrite: encoding the index: %w", err)
	}
	return commitLock(f, path, buf.Bytes())
}

// IndexBlob returns what the index records for path (stage 0).
func (r *Repo) IndexBlob(p string) (plumbing.Hash, bool, error) {
	idx, err := r.readIndex()
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	for _, e := range idx.Entries {
		if e.Name == p && e.Stage == 0 {
			return e.Hash, true, nil
		}
	}
	return plumbing.ZeroHash, false, nil
}

// RemoveStaleIndexLock removes index.lock when it is no older than since:
// one an interrupted run of this program left (a git command that holds it
// now would have taken it after the run died, and git commands hold it for
// milliseconds). It reports whether it removed one.
func (r *Repo) RemoveStaleIndexLock(since time.Time) (bool, error) {
	fi, err := os.Lstat(r.IndexLockPath())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("gitwrite: %w", err)
	}
	if fi.ModTime().Before(since) {
		return false, &LockedError{Lock: r.IndexLockPath()}
	}
	if err := os.Remove(r.IndexLockPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("gitwrite: %w", err)
	}
	return true, nil
}
