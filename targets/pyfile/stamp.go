package pyfile

import (
	"context"
	"errors"
	"fmt"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
)

// StampOptions says what Stamp writes where.
type StampOptions struct {
	Dir     string // project directory; relative Files and the journal (Dir/.pyrelease/stamp/) are under it
	Files   []File
	Version string
	// Logf, when set, hears about files restored from an interrupted
	// earlier stamp, and about a failed restore while panicking.
	Logf func(format string, args ...any)
}

// Stamp writes opts.Version into every file, runs fn, and then puts back the
// exact original bytes and modes, whether fn succeeds, fails, panics (the
// panic goes on after the restore) or ctx is cancelled. It first recovers
// what an interrupted earlier stamp left behind, and stops if a file was
// edited since (see Recover). No file changes unless every file has a
// version to replace, and a journal of the originals is on disk before the
// first one does, so a killed build is undone by the next Stamp or Recover.
//
// Stamps of the same Dir cannot overlap, since the journal is per
// directory: a stamp holds a lock for as long as it runs, and a second
// stamp of Dir, in this process or another, does not wait for it but fails
// at once with a *BusyError naming the process that holds it. Waiting would
// build from files the other run is about to restore, and two builds of
// one project at once write into the same dist/ anyway.
func Stamp(ctx context.Context, opts StampOptions, fn func(context.Context) error) (err error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pyfile: stamp: %w", err)
	}
	lock, err := lockStamp(dir, true)
	if err != nil {
		return err
	}
	defer func() {
		// Released last, after the restore, even on a panic: the journal
		// is gone by then, or kept for the next run, whose Recover must be
		// free to take it.
		if uerr := unlockStamp(dir, lock); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}()
	jdir, err := journalPath(dir)
	if err != nil {
		return err
	}
	restored, err := recoverLocked(jdir, dir)
	for _, p := range restored {
		logf("pyfile: restored %s after an interrupted build", p)
	}
	if err != nil {
		return err
	}
	states, err := prepare(dir, opts.Files, opts.Version)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pyfile: stamp: %w", err)
	}
	if err := writeJournal(dir, states, opts.Version); err != nil {
		return errors.Join(err, removeJournal(dir))
	}

	written := 0
	defer func() {
		p := recover()
		rerr := restore(states[:written])
		if rerr == nil {
			rerr = removeJournal(dir)
		} else {
			jdir, _ := journalPath(dir)
			rerr = fmt.Errorf("%w\npyfile: the stamp journal in %s restores them on the next run", rerr, jdir)
		}
		if p != nil {
			if rerr != nil {
				logf("%v", rerr)
			}
			panic(p)
		}
		err = errors.Join(err, rerr)
	}()
	for _, s := range states {
		// Count the file before writing it: a failed rename may still have
		// replaced it on some systems, and restoring an untouched file is
		// harmless.
		written++
		if err := atomicfile.Write(s.real, s.stamped, s.mode); err != nil {
			return fmt.Errorf("pyfile: %s: %w", s.file.Path, err)
		}
	}
	return fn(ctx)
}
