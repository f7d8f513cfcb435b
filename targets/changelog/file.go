package changelog

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
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
	if err := atomicfile.Write(real, out, info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return fmt.Errorf("changelog: %s: %w", path, err)
	}
	return nil
}
