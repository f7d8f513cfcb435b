package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// ErrHeld means another process holds a lock.
var ErrHeld = errors.New("held by another process")

// HeldError names the lock file and the process that holds it.
type HeldError struct {
	Path string
	PID  int // 0 when the holder has not written its pid yet
}

func (e *HeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("statedir: %s is held by another process", e.Path)
	}
	return fmt.Sprintf("statedir: %s is held by process %d", e.Path, e.PID)
}

// Unwrap makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Unwrap() error { return ErrHeld }

// Lock is an exclusive lock of this process on a file, which holds the
// pid of the holder for messages. A lock is what tells a live owner from
// a dead one: where flock exists (unix) the kernel drops the lock of a
// process that dies, whatever its pid becomes; elsewhere the file itself
// is the lock and its pid is checked (see lock_other.go).
type Lock struct {
	path string
	f    *os.File
}

// TryLock takes the lock on path, creating the file, without waiting. When
// another live process holds it, the error is a *HeldError. The folder of
// path must exist.
func TryLock(path string) (*Lock, error) {
	// Unlock removes the file: a lock taken on a file that was removed (or
	// replaced) meanwhile locks nothing anybody else can see, so try again.
	for range 100 {
		f, err := tryLock(path)
		if err != nil {
			return nil, err
		}
		fi, ferr := f.Stat()
		pi, perr := os.Stat(path)
		if ferr == nil && perr == nil && os.SameFile(fi, pi) {
			if err := writePID(f); err != nil {
				f.Close()
				return nil, fmt.Errorf("statedir: lock %s: %w", path, err)
			}
			return &Lock{path: path, f: f}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("statedir: lock %s: the file keeps changing under the lock", path)
}

// Unlock removes the lock file and releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Removed while still held, so no one locks the old file after us.
	// Where an open file cannot be removed (Windows), after closing it.
	err := os.Remove(l.path)
	cerr := l.f.Close()
	if err != nil {
		err = os.Remove(l.path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	if err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("statedir: unlock %s: %w", l.path, err)
	}
	return nil
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// holder reads the pid a lock file names; 0 when it names none.
func holder(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
