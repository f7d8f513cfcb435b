package pyfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// keptMode is the part of a file's mode that a rewrite carries over.
const keptMode = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// Write rewrites the version in f atomically: readers see either the old
// file or the new one, never a mix, and the file's permissions are kept. A
// relative f.Path is relative to the current directory.
func Write(ctx context.Context, f File, version string) error {
	return WriteAll(ctx, []File{f}, version)
}

// WriteAll rewrites the version in every file, or in none: all files are
// read and rewritten in memory first, so a file without a version stops the
// whole write before anything changes, and if writing one fails, the files
// already written get their original content back.
func WriteAll(ctx context.Context, files []File, version string) error {
	states, err := prepare("", files, version)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pyfile: %w", err)
	}
	return writeStamped(states)
}

// state is one file being stamped: where it really is, and its content and
// mode before and after.
type state struct {
	file     File   // as configured
	real     string // the path written to: symlinks resolved, so a link stays a link
	mode     fs.FileMode
	original []byte
	stamped  []byte
}

// prepare reads every file and rewrites it in memory. Relative paths are
// resolved against dir (the current directory when dir is empty).
func prepare(dir string, files []File, version string) ([]*state, error) {
	seen := map[string]string{}
	states := make([]*state, 0, len(files))
	for _, f := range files {
		path := f.Path
		if dir != "" && !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, fmt.Errorf("pyfile: %w", err)
		}
		if real, err = filepath.Abs(real); err != nil {
			return nil, fmt.Errorf("pyfile: %w", err)
		}
		if prev, dup := seen[real]; dup {
			return nil, fmt.Errorf("pyfile: %s and %s are the same file: %w", prev, f.Path, ErrDuplicateFile)
		}
		seen[real] = f.Path
		info, err := os.Stat(real)
		if err != nil {
			return nil, fmt.Errorf("pyfile: %w", err)
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("pyfile: %s: not a regular file", f.Path)
		}
		original, err := os.ReadFile(real)
		if err != nil {
			return nil, fmt.Errorf("pyfile: %w", err)
		}
		stamped, err := Rewrite(f.Path, f.Pattern, original, version)
		if err != nil {
			return nil, err
		}
		states = append(states, &state{file: f, real: real, mode: info.Mode() & keptMode, original: original, stamped: stamped})
	}
	return states, nil
}

// writeStamped writes every stamped file; when one fails it puts back the
// originals of those already written.
func writeStamped(states []*state) error {
	for i, s := range states {
		if err := writeAtomic(s.real, s.stamped, s.mode); err != nil {
			err = fmt.Errorf("pyfile: %s: %w", s.file.Path, err)
			return errors.Join(err, restore(states[:i]))
		}
	}
	return nil
}

// restore writes back the original content and mode of every file, going on
// past failures so that as many files as possible are restored.
func restore(states []*state) error {
	var errs []error
	for _, s := range states {
		if err := writeAtomic(s.real, s.original, s.mode); err != nil {
			errs = append(errs, fmt.Errorf("pyfile: restoring %s: %w", s.file.Path, err))
		}
	}
	return errors.Join(errs...)
}

// writeAtomic replaces path with data through a synced temporary file in the
// same directory and a rename, so a crash leaves either the old or the new
// content. The directory is synced too, so that the rename itself survives a
// power loss.
func writeAtomic(path string, data []byte, mode fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".pyrelease-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	// Chmod, unlike the mode given at creation, is not masked by the umask.
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir flushes a directory's entries. Some systems cannot open or sync a
// directory; the rename has happened by then, so that is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
