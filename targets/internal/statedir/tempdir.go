package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A run killed while it works (SIGKILL, a CI job cancelled, a power cut)
// cannot remove its temporary directories. Each one made by TempDir holds
// an owner file locked by the process that made it, so the next run can
// tell a dead run's directories from a live run's and remove only those.

// tempPrefix starts the name of every temporary directory SweepTemp looks at.
const tempPrefix = "pyrelease-"

// ownerName is the owner file in a temporary directory.
const ownerName = ".pyrelease-owner"

// Temp is a temporary directory owned by this process.
type Temp struct {
	Path string
	lock *Lock
}

// TempDir makes a directory in the system's temporary directory, named
// pattern as os.MkdirTemp does; pattern must start with "pyrelease-". It is
// the caller's until Remove, and SweepTemp in another process leaves it
// alone while this process lives.
func TempDir(pattern string) (*Temp, error) {
	if !strings.HasPrefix(pattern, tempPrefix) {
		return nil, fmt.Errorf("statedir: temporary directory pattern %q: want one starting with %q", pattern, tempPrefix)
	}
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return nil, fmt.Errorf("statedir: %w", err)
	}
	// Locked under another name, then renamed: SweepTemp must never find
	// an owner file that is not locked yet and take it for a dead owner's.
	pending := filepath.Join(dir, ownerName+".new")
	lock, err := TryLock(pending)
	if err == nil {
		if err = os.Rename(pending, filepath.Join(dir, ownerName)); err == nil {
			lock.path = filepath.Join(dir, ownerName)
			return &Temp{Path: dir, lock: lock}, nil
		}
		lock.Unlock()
	}
	os.RemoveAll(dir)
	return nil, fmt.Errorf("statedir: temporary directory %s: %w", dir, err)
}

// Remove removes the directory and releases it.
func (t *Temp) Remove() error {
	if t == nil {
		return nil
	}
	err := t.lock.Unlock()
	if rerr := os.RemoveAll(t.Path); rerr != nil {
		return fmt.Errorf("statedir: %w", rerr)
	}
	return err
}

// SweepTemp removes the temporary directories that TempDir made in runs
// that are gone, and returns their names. Directories of live runs, and
// any without an owner file, stay.
func SweepTemp() []string {
	tmp := os.TempDir()
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		owner := filepath.Join(dir, ownerName)
		if _, err := os.Lstat(owner); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		lock, err := TryLock(owner)
		if err != nil {
			continue
		}
		// Held while removing: a directory half removed is still a dead
		// run's to any other sweep.
		err = os.RemoveAll(dir)
		lock.Unlock()
		if err == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}
