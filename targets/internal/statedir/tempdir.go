package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	return OwnedDir("", pattern)
}

// OwnedDir is TempDir in parent ("" for the system's temporary directory),
// for the folders a build keeps beside its output; Sweep removes them.
func OwnedDir(parent, pattern string) (*Temp, error) {
	// The name carries the creator's pid: a run killed before its owner
	// file is in place leaves a folder Sweep can still tell is a dead
	// run's.
	dir, err := os.MkdirTemp(parent, pattern+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("statedir: %w", err)
	}
	owner := filepath.Join(dir, ownerName)
	if lockedOnCreation {
		lock, err := TryLock(owner)
		if err == nil {
			return &Temp{Path: dir, lock: lock}, nil
		}
		os.RemoveAll(dir)
		return nil, fmt.Errorf("statedir: temporary directory %s: %w", dir, err)
	}
	// Locked under another name, then renamed: Sweep must never find an
	// owner file that is not locked yet and take it for a dead owner's.
	pending := owner + ".new"
	lock, err := TryLock(pending)
	if err == nil {
		if err = os.Rename(pending, owner); err == nil {
			lock.path = owner
			return &Temp{Path: dir, lock: lock}, nil
		}
		lock.Unlock()
	}
	os.RemoveAll(dir)
	return nil, fmt.Errorf("statedir: temporary directory %s: %w", dir, err)
}

// kept holds the owner locks of the directories handed to a caller that
// removes them itself: an unreachable lock would be closed, and released,
// by the garbage collector while the directory is in use.
var kept struct {
	sync.Mutex
	temps []*Temp
}

// KeepUntilExit makes the directory this process's until it ends, for a
// caller that removes it with os.RemoveAll rather than Remove.
func (t *Temp) KeepUntilExit() {
	kept.Lock()
	kept.temps = append(kept.temps, t)
	kept.Unlock()
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
func SweepTemp() []string { return Sweep(os.TempDir(), tempPrefix) }

// Owned reports whether dir was made by TempDir or OwnedDir: whether it
// has an owner file, of a live process or not.
func Owned(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ownerName))
	return err == nil
}

// Sweep removes the folders of parent named prefix* that OwnedDir made in
// runs that are gone, and returns their names.
func Sweep(parent, prefix string) []string {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		owner := filepath.Join(dir, ownerName)
		di, derr := os.Lstat(dir)
		oi, oerr := os.Lstat(owner)
		if derr == nil && errors.Is(oerr, fs.ErrNotExist) && di.IsDir() && mine(di) && creatorGone(e.Name()) {
			// Killed between making the folder and locking its owner file.
			if os.RemoveAll(dir) == nil {
				removed = append(removed, dir)
			}
			continue
		}
		if derr != nil || oerr != nil || !di.IsDir() || !oi.Mode().IsRegular() || !mine(di) || !mine(oi) {
			continue
		}
		lock, err := TryLock(owner)
		if err != nil {
			continue
		}
		// Held while removing: a directory half removed is still a dead
		// run's to any other sweep. Where an open file cannot be removed
		// (Windows), the rest goes after the lock.
		err = os.RemoveAll(dir)
		lock.Unlock()
		if err != nil {
			err = os.RemoveAll(dir)
		}
		if err == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// creatorGone reports whether the process whose pid OwnedDir wrote into
// the folder's name (the part before the random suffix) is gone. A name
// without one, or a pid that is alive (or reused), keeps the folder.
func creatorGone(name string) bool {
	parts := strings.Split(name, "-")
	if len(parts) < 3 {
		return false
	}
	pid, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return processGone(pid)
}
