package pyfile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// The journal is a directory holding a copy of each file's original and a
// manifest. The manifest is written last, atomically: a journal directory
// without one belongs to a stamp that died before touching any file. It
// lives in the project's git directory (statedir), never in the source
// tree, where a build backend would put it into the sdist.
const (
	journalDir    = statedir.StampJournal
	manifestName  = "manifest.json"
	journalFormat = 1
)

type manifest struct {
	Format  int            `json:"format"`
	Version string         `json:"version"` // what the files were stamped with
	Files   []journalEntry `json:"files"`
}

type journalEntry struct {
	// Path is slash-separated and relative to the project directory, or
	// absolute for a file outside it, so a journal still works when the
	// project is reached through another symlink.
	Path     string      `json:"path"`
	Copy     string      `json:"copy"` // file in the journal with the original bytes
	Mode     fs.FileMode `json:"mode"`
	Original string      `json:"original_sha256"`
	Stamped  string      `json:"stamped_sha256"`
}

// lockName is the stamp's lock file, beside the journal: it is held for
// the whole stamp, from before the journal is written until the journal is
// removed, so a journal whose lock is free belongs to a process that died.
const lockName = "stamp.lock"

// lockStamp takes the stamp lock of the project in dir. mkdir makes the
// state directory for it first.
func lockStamp(dir string, mkdir bool) (*statedir.Lock, error) {
	jdir, err := journalPath(dir)
	if err != nil {
		return nil, err
	}
	state := filepath.Dir(jdir)
	if mkdir {
		if err := os.MkdirAll(state, 0o755); err != nil {
			return nil, fmt.Errorf("pyfile: stamp lock: %w", err)
		}
	}
	lock, err := statedir.TryLock(filepath.Join(state, lockName))
	var held *statedir.HeldError
	if errors.As(err, &held) {
		return nil, &BusyError{Dir: dir, PID: held.PID, Lock: held.Path}
	}
	if err != nil {
		return nil, fmt.Errorf("pyfile: stamp lock: %w", err)
	}
	return lock, nil
}

// unlockStamp releases the stamp lock and removes the state directory if
// that left it empty.
func unlockStamp(dir string, lock *statedir.Lock) error {
	if err := lock.Unlock(); err != nil {
		return fmt.Errorf("pyfile: %w", err)
	}
	if jdir, err := journalPath(dir); err == nil {
		// Leave no empty state directory behind; other users of it keep it
		// non-empty.
		_ = os.Remove(filepath.Dir(jdir))
	}
	return nil
}

func journalPath(dir string) (string, error) {
	d, err := statedir.For(dir)
	if err != nil {
		return "", fmt.Errorf("pyfile: journal: %w", err)
	}
	return filepath.Join(d.Work, journalDir), nil
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// writeJournal records the originals of states before any of them changes.
func writeJournal(dir string, states []*state, version string) error {
	jdir, err := statedir.Fresh(dir, journalDir)
	if err != nil {
		return fmt.Errorf("pyfile: journal: %w", err)
	}
	realDir, err := realPath(dir)
	if err != nil {
		return fmt.Errorf("pyfile: journal: %w", err)
	}
	m := manifest{Format: journalFormat, Version: version}
	for i, s := range states {
		e := journalEntry{
			Path:     s.real,
			Copy:     "original-" + strconv.Itoa(i),
			Mode:     s.mode,
			Original: sum(s.original),
			Stamped:  sum(s.stamped),
		}
		if rel, err := filepath.Rel(realDir, s.real); err == nil && filepath.IsLocal(rel) {
			e.Path = filepath.ToSlash(rel)
		}
		if err := atomicfile.Write(filepath.Join(jdir, e.Copy), s.original, 0o600); err != nil {
			return fmt.Errorf("pyfile: journal: %w", err)
		}
		m.Files = append(m.Files, e)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("pyfile: journal: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(jdir, manifestName), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("pyfile: journal: %w", err)
	}
	return nil
}

func removeJournal(dir string) error {
	jdir, err := journalPath(dir)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(jdir); err != nil {
		return fmt.Errorf("pyfile: removing the stamp journal: %w", err)
	}
	return nil
}

func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// Recover undoes a stamp that was interrupted before it could restore its
// files (the process was killed, the machine lost power), using the journal
// kept in the project's git directory. A file still holding the stamped or the original
// content gets its original bytes and mode back. A file edited since is
// kept as it is; its original is saved beside it as <file>.orig and a
// *ConflictError says so. The journal is then removed. restored lists the
// files rewritten, relative to dir (absolute when outside it). Without a
// journal, Recover does nothing.
//
// A journal is only recovered when the stamp that wrote it is over: while
// the process that stamps still lives (another pyrelease run building the
// same project), Recover leaves its files stamped and returns a
// *BusyError naming that process.
func Recover(ctx context.Context, dir string) (restored []string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pyfile: recover: %w", err)
	}
	jdir, err := journalPath(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(jdir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	lock, err := lockStamp(dir, false)
	if err != nil {
		return nil, err
	}
	restored, err = recoverLocked(jdir, dir)
	return restored, errors.Join(err, unlockStamp(dir, lock))
}

// recoverLocked is Recover with the stamp lock held.
func recoverLocked(jdir, dir string) (restored []string, err error) {
	data, err := os.ReadFile(filepath.Join(jdir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		// No manifest: no journal, or one that died before touching files.
		return nil, removeJournal(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("pyfile: reading the stamp journal: %w", err)
	}
	m, originals, err := loadJournal(jdir, data)
	if err != nil {
		return nil, err
	}
	var conflicts, failures []error
	for i, e := range m.Files {
		path := filepath.FromSlash(e.Path)
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		wrote, err := recoverFile(path, e, originals[i])
		var conflict *ConflictError
		switch {
		case errors.As(err, &conflict):
			conflicts = append(conflicts, err)
		case err != nil:
			failures = append(failures, fmt.Errorf("pyfile: restoring %s: %w", e.Path, err))
		case wrote:
			restored = append(restored, e.Path)
		}
	}
	if len(failures) > 0 {
		failures = append(failures, fmt.Errorf("pyfile: the stamp journal is kept in %s to retry", jdir))
		return restored, errors.Join(append(conflicts, failures...)...)
	}
	return restored, errors.Join(append(conflicts, removeJournal(dir))...)
}

// loadJournal parses the manifest and checks every saved original against
// its checksum before anything is restored from it.
func loadJournal(jdir string, data []byte) (*manifest, [][]byte, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("pyfile: stamp journal %s: %s (check the files it lists, then delete it): %w", jdir, fmt.Sprintf(format, args...), ErrJournal)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, nil, bad("%v", err)
	}
	if m.Format != journalFormat {
		return nil, nil, bad("format %d, want %d", m.Format, journalFormat)
	}
	originals := make([][]byte, len(m.Files))
	for i, e := range m.Files {
		if e.Path == "" || e.Copy == "" || strings.ContainsAny(e.Copy, `/\`) {
			return nil, nil, bad("entry %d is incomplete", i)
		}
		b, err := os.ReadFile(filepath.Join(jdir, e.Copy))
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		if sum(b) != e.Original {
			return nil, nil, bad("the saved original of %s does not match its checksum", e.Path)
		}
		originals[i] = b
	}
	return &m, originals, nil
}

// recoverFile restores one file and reports whether it wrote it.
func recoverFile(path string, e journalEntry, original []byte) (bool, error) {
	current, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Nothing of the user's to lose: put the original back.
		return true, atomicfile.Write(path, original, e.Mode)
	case err != nil:
		return false, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	switch sum(current) {
	case e.Original:
		if bytes.Equal(current, original) && info.Mode()&keptMode == e.Mode {
			return false, nil
		}
		return true, atomicfile.Write(path, original, e.Mode)
	case e.Stamped:
		return true, atomicfile.Write(path, original, e.Mode)
	}
	orig, err := freeName(path + ".orig")
	if err != nil {
		return false, err
	}
	if err := atomicfile.Write(orig, original, e.Mode); err != nil {
		return false, err
	}
	return false, &ConflictError{Path: e.Path, Orig: orig}
}

// freeName returns name, or name.1, name.2... whichever does not exist yet,
// so that saving an original never overwrites an earlier one.
func freeName(name string) (string, error) {
	for i := 0; ; i++ {
		candidate := name
		if i > 0 {
			candidate = name + "." + strconv.Itoa(i)
		}
		_, err := os.Lstat(candidate)
		if errors.Is(err, fs.ErrNotExist) {
			return candidate, nil
		}
		if err != nil {
			return "", err
		}
	}
}
