package gitwrite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// refPath is the loose file of a ref: HEAD is the working tree's, every
// other ref the repository's.
func (r *Repo) refPath(name plumbing.ReferenceName) string {
	if name == plumbing.HEAD {
		return filepath.Join(r.GitDir, "HEAD")
	}
	return filepath.Join(r.CommonDir, filepath.FromSlash(name.String()))
}

// LockPath is the lock file git takes to change the ref name.
func (r *Repo) LockPath(name plumbing.ReferenceName) string {
	return r.refPath(name) + ".lock"
}

// Head returns the branch HEAD points at ("HEAD" itself when detached)
// and the commit it names (zero on a branch with no commit yet).
func (r *Repo) Head() (plumbing.ReferenceName, plumbing.Hash, error) {
	path := r.refPath(plumbing.HEAD)
	id, target, exists, err := gitread.ReadLooseRef(path)
	switch {
	case err != nil:
		return "", plumbing.ZeroHash, fmt.Errorf("gitwrite: reading HEAD: %w", err)
	case !exists:
		return "", plumbing.ZeroHash, fmt.Errorf("gitwrite: reading HEAD: %s is missing", path)
	case target != "":
		name := plumbing.ReferenceName(target)
		h, _, err := r.ReadRef(name)
		return name, h, err
	}
	return plumbing.HEAD, plumbing.Hash(id), nil
}

// ReadRef returns the commit or tag object a ref names, from its loose
// file or else from packed-refs. exists is false when neither has it. A
// symbolic ref is an error: the refs a release moves hold commits.
func (r *Repo) ReadRef(name plumbing.ReferenceName) (h plumbing.Hash, exists bool, err error) {
	path := r.refPath(name)
	id, target, exists, err := gitread.ReadLooseRef(path)
	switch {
	case err != nil:
		return plumbing.ZeroHash, false, fmt.Errorf("gitwrite: reading %s: %w", name, err)
	case target != "":
		return plumbing.ZeroHash, false, fmt.Errorf("gitwrite: %s is a symbolic ref (to %s), expected a commit id", path, target)
	case exists:
		return plumbing.Hash(id), true, nil
	case name == plumbing.HEAD:
		return plumbing.ZeroHash, false, nil
	}
	return r.packedRef(name)
}

// packedRef looks name up in packed-refs.
func (r *Repo) packedRef(name plumbing.ReferenceName) (plumbing.Hash, bool, error) {
	id, ok, err := gitread.PackedRef(r.CommonDir, name.String())
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("gitwrite: %w", err)
	}
	return plumbing.Hash(id), ok, nil
}

// UpdateRef points name at h if it holds old now (old zero: if it does not
// exist), as `git update-ref name h old` does: through name.lock, created
// exclusively, synced and renamed over the ref. A ref only in packed-refs
// gets a loose file, which git reads before packed-refs.
func (r *Repo) UpdateRef(name plumbing.ReferenceName, h, old plumbing.Hash) error {
	path := r.refPath(name)
	f, err := lock(path)
	if err != nil {
		return err
	}
	cur, _, err := r.ReadRef(name)
	if err == nil && cur != old {
		err = &RefChangedError{Ref: name, Want: old, Got: cur}
	}
	if err != nil {
		abandon(f)
		return err
	}
	return commitLock(f, path, []byte(h.String()+"\n"))
}

// DeleteRef removes the loose ref name if it holds old, under its lock. A
// ref in packed-refs is not removed from there: this deletes refs that
// UpdateRef made.
func (r *Repo) DeleteRef(name plumbing.ReferenceName, old plumbing.Hash) error {
	path := r.refPath(name)
	f, err := lock(path)
	if err != nil {
		return err
	}
	defer abandon(f)
	cur, _, err := r.ReadRef(name)
	if err != nil {
		return err
	}
	if cur != old {
		return &RefChangedError{Ref: name, Want: old, Got: cur}
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("gitwrite: deleting %s: %w", name, err)
	}
	if _, packed, err := r.packedRef(name); err != nil || packed {
		return errors.Join(err, fmt.Errorf("gitwrite: %s is also in packed-refs, which is left as it is", name))
	}
	return syncDir(filepath.Dir(path))
}

// RemoveStaleLock removes the lock file of a ref when ours says its
// content is what an interrupted update of this program was writing
// (possibly cut short). It reports whether it removed one.
func (r *Repo) RemoveStaleLock(name plumbing.ReferenceName, ours func(content []byte) bool) (bool, error) {
	path := r.LockPath(name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("gitwrite: %w", err)
	}
	if !ours(data) {
		return false, &LockedError{Lock: path}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("gitwrite: %w", err)
	}
	return true, nil
}

// CheckUnlocked fails with a *LockedError when the lock of any of names is
// held, so that a plan can refuse before it writes anything.
func (r *Repo) CheckUnlocked(names ...plumbing.ReferenceName) error {
	for _, n := range names {
		if _, err := os.Lstat(r.LockPath(n)); err == nil {
			return &LockedError{Lock: r.LockPath(n)}
		}
	}
	if _, err := os.Lstat(r.indexPath() + ".lock"); err == nil {
		return &LockedError{Lock: r.indexPath() + ".lock"}
	}
	return nil
}

// lock creates path.lock exclusively, making the ref's directory first.
func lock(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return nil, fmt.Errorf("gitwrite: %w", err)
	}
	f, err := os.OpenFile(path+".lock", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return nil, &LockedError{Lock: path + ".lock"}
	}
	if err != nil {
		return nil, fmt.Errorf("gitwrite: %w", err)
	}
	return f, nil
}

// abandon closes and removes a lock without changing what it guards.
func abandon(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// commitLock writes data to the lock, syncs it and renames it over path;
// on any failure the lock is removed and path is as it was.
func commitLock(f *os.File, path string, data []byte) error {
	if _, err := f.Write(data); err != nil {
		abandon(f)
		return fmt.Errorf("gitwrite: writing %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		abandon(f)
		return fmt.Errorf("gitwrite: syncing %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("gitwrite: closing %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("gitwrite: renaming %s over %s: %w", f.Name(), path, err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir flushes a directory's entries so a rename survives a power
// loss. Some systems cannot sync a directory; the rename is done by then.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("gitwrite: syncing %s: %w", dir, err)
	}
	return nil
}
