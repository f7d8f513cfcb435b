package changelog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ReleaseFile applies Release to the file at path and replaces it
// atomically, keeping its permissions: a crash leaves the old changelog or
// the new one, never half of each.
func ReleaseFile(ctx context.Context, path, version string, date time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	content, err := os.ReadFile(real)
	if err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	out, err := Release(content, path, version, date)
	if err != nil {
		return err
	}
	if err := writeAtomic(real, out, info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return fmt.Errorf("changelog: %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces path with data through a synced temporary file in the
// same directory and a rename, then syncs the directory so the rename lasts.
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
	if d, derr := os.Open(dir); derr == nil {
		defer d.Close()
		if serr := d.Sync(); serr != nil && !errors.Is(serr, fs.ErrInvalid) && !errors.Is(serr, errors.ErrUnsupported) {
			return serr
		}
	}
	return nil
}
