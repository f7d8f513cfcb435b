package installer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// hdiutilArgs builds the command that packs a staged folder into a
// compressed, read-only disk image.
func hdiutilArgs(volume, src, out string) []string {
	return []string{"create", "-quiet", "-volname", volume, "-srcfolder", src, "-fs", "HFS+", "-format", "UDZO", "-ov", out}
}

// buildDMG stages the binaries in a folder and turns it into a .dmg. The
// image holds the tools themselves: users drag them where they like, as
// with any command-line tool shipped on a disk image.
func buildDMG(ctx context.Context, o Options, work, name string) (string, error) {
	dir := filepath.Join(work, "dmg")
	volume := o.Project + " " + o.Version
	src := filepath.Join(dir, volume)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", fmt.Errorf("installer: %w", err)
	}
	for _, b := range o.Binaries {
		if err := atomicfile.Copy(b, filepath.Join(src, filepath.Base(b)), 0o755); err != nil {
			return "", fmt.Errorf("installer: staging %s: %w", b, err)
		}
	}
	out := filepath.Join(dir, name)
	err := run.Run(ctx, run.Cmd{
		Name:   "hdiutil",
		Args:   hdiutilArgs(volume, src, out),
		Stdout: o.toolStderr(),
		Stderr: o.toolStderr(),
	})
	if err != nil {
		return "", fmt.Errorf("installer: hdiutil %s: %w", name, err)
	}
	return out, nil
}
