//go:build unix

package statedir

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockedOnCreation is false: flock locks a file some time after it is
// created.
const lockedOnCreation = false

// tryLock opens path and flocks it without waiting.
func tryLock(path string) (*os.File, error) {
	// Never through a symbolic link: a sweep of a shared TMPDIR opens
	// owner files in folders anyone could have made, and the lock writes.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("statedir: lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		f.Close()
		return nil, &HeldError{Path: path, PID: holder(path)}
	}
	f.Close()
	return nil, fmt.Errorf("statedir: lock %s: %w", path, err)
}

// mine reports whether this user owns what fi describes: a sweep leaves
// other users' folders alone.
func mine(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// processGone reports whether no process has pid.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
