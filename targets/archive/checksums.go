package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
)

// Checksums hashes files (slash paths relative to dir) and writes
// dir/name in the format `sha256sum -c` checks when run in dir: one
// "hex  path" line per file, sorted by path. It returns the file's path.
// Names that sha256sum would escape (newline, backslash) are refused
// rather than escaped, since other checkers do not unescape them.
func Checksums(ctx context.Context, dir, name string, files []string) (string, error) {
	if err := cleanPath(name); err != nil || strings.Contains(name, "/") {
		return "", fmt.Errorf("archive: checksum file name %q: %w: want a plain file name", name, ErrOptions)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("archive: %w: no files to checksum", ErrOptions)
	}
	sorted := slices.Clone(files)
	slices.Sort(sorted)
	for i, f := range sorted {
		if err := cleanPath(f); err != nil {
			return "", err
		}
		if strings.Contains(f, "\n") {
			return "", &PathError{Path: f, Err: ErrUnsafePath}
		}
		if f == name {
			return "", fmt.Errorf("archive: %w: %s would list itself", ErrOptions, name)
		}
		if i > 0 && sorted[i-1] == f {
			return "", &PathError{Path: f, Err: ErrDuplicate}
		}
	}

	sums := make([]string, len(sorted))
	errs := make([]error, len(sorted))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range sorted {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			sums[i], _, errs[i] = dist.Hash(filepath.Join(dir, filepath.FromSlash(f)))
		}()
	}
	wg.Wait()
	var b strings.Builder
	for i, f := range sorted {
		if errs[i] != nil {
			return "", fmt.Errorf("archive: checksums: %w", errs[i])
		}
		b.WriteString(sums[i] + "  " + f + "\n")
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	if err := atomicfile.Write(out, []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("archive: %s: %w", out, err)
	}
	return out, nil
}
