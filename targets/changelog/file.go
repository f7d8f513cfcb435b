package changelog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
)

// ReleaseFile releases version in the changelog at path (see Prepare; the
// project is the changelog's directory) and applies the Edit.
func ReleaseFile(ctx context.Context, path, version string, date time.Time) error {
	e, err := Prepare(ctx, Options{Path: path, Version: version, Date: date})
	if err != nil {
		return err
	}
	return Apply(ctx, e)
}

// Apply carries out an Edit: every file is replaced atomically, keeping its
// permissions (a new one gets 0644), so a crash leaves each changelog old
// or new, never half of each; then the fragments are removed. A fragment
// already gone is not an error.
func Apply(ctx context.Context, e Edit) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	paths := make([]string, 0, len(e.Writes))
	for p := range e.Writes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		mode := fs.FileMode(0o644)
		if info, err := os.Stat(p); err == nil {
			mode = info.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("changelog: %w", err)
		}
		if err := atomicfile.Write(p, e.Writes[p], mode); err != nil {
			return fmt.Errorf("changelog: %s: %w", p, err)
		}
	}
	for _, p := range e.Removes {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("changelog: removing a news fragment: %w", err)
		}
	}
	return nil
}
