package changelog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Options say which changelog to release, and for which version.
type Options struct {
	// Path is the changelog file.
	Path string
	// ProjectDir holds pyproject.toml (and any towncrier configuration);
	// "" means the changelog's directory.
	ProjectDir string
	// Version is the version as the release's heading spells it.
	Version string
	// Date is the release date.
	Date time.Time
}

// Edit is what releasing a changelog changes, computed before anything is
// written: the new bytes of files and the files to delete (news fragments
// folded into the changelog). Paths are absolute.
type Edit struct {
	Writes  map[string][]byte
	Removes []string
}

// Prepare computes the Edit that releases o.Version in the changelog at
// o.Path. It reads files and may run the project's changelog tool in a
// read-only mode, and changes nothing: a dry run calls it to fail where the
// real run would.
func Prepare(ctx context.Context, o Options) (Edit, error) {
	if err := ctx.Err(); err != nil {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	path, err := filepath.Abs(o.Path)
	if err != nil {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	content, err := os.ReadFile(real)
	if err != nil {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	out, err := Release(content, o.Path, o.Version, o.Date)
	if err != nil {
		return Edit{}, err
	}
	return Edit{Writes: map[string][]byte{real: out}}, nil
}
