package pyfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
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
		if err := atomicfile.Write(s.real, s.stamped, s.mode); err != nil {
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
		if err := atomicfile.Write(s.real, s.original, s.mode); err != nil {
			errs = append(errs, fmt.Errorf("pyfile: restoring %s: %w", s.file.Path, err))
		}
	}
	return errors.Join(errs...)
}
