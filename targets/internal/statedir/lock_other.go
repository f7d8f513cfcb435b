//go:build !unix

package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// lockedOnCreation is true: the file is the lock from its creation on.
const lockedOnCreation = true

// tryLock creates path exclusively: without flock the file itself is the
// lock. A file naming a process that is gone (os.FindProcess fails for it
// on Windows) is a dead holder's and is taken over. A reused pid keeps a
// dead holder's lock, which errs on the safe side: nothing of a live run is
// ever taken.
func tryLock(path string) (*os.File, error) {
	for range 2 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("statedir: lock: %w", err)
		}
		pid := holder(path)
		if pid == 0 && !stale(path) || pid != 0 && alive(pid) {
			return nil, &HeldError{Path: path, PID: pid}
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("statedir: lock %s: %w", path, err)
		}
	}
	return nil, &HeldError{Path: path, PID: holder(path)}
}

// stale reports a lock file that still names no process long after it
// was made: its holder died between creating and writing it.
func stale(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && time.Since(fi.ModTime()) > time.Minute
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}

// mine is true: ownership is left to the system's permissions.
func mine(os.FileInfo) bool { return true }

// processGone is false where it cannot be asked cheaply: a folder without
// an owner file stays.
func processGone(int) bool { return false }
