package archive

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// DefaultLevel is the compression level used when Options.Level is 0. With
// klauspost's deflate, levels up to 6 share the fast matchers that skip
// over already-compressed data (most of a frozen binary), and 6 still
// matches gzip -6 on text.
const DefaultLevel = 6

// blockSize is the unit of parallel gzip compression. It is fixed so that
// the output does not depend on the number of workers.
const blockSize = 1 << 20

// Options describes one archive.
type Options struct {
	Out         string    // archive path; the format follows its suffix: .tar.gz, .tgz or .zip
	Entries     []Entry   // files to pack, their parent directories implied; or
	Dir         string    // a directory tree to pack, paths relative to it (Out must not be inside)
	Prefix      string    // optional top-level directory inside the archive
	Mtime       time.Time // every entry's mtime, truncated to seconds (SOURCE_DATE_EPOCH); zero = Unix 0, or 1980-01-01 in zip, whose clock starts there
	Level       int       // deflate level 1-9; 0 = DefaultLevel
	Concurrency int       // compression workers; 0 = GOMAXPROCS; never changes the output
}

type format int

const (
	formatTarGz format = iota
	formatZip
)

func formatOf(out string) (format, error) {
	lower := strings.ToLower(out)
	switch {
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		return formatTarGz, nil
	case strings.HasSuffix(lower, ".zip"):
		return formatZip, nil
	}
	return 0, fmt.Errorf("archive: %s: %w: want a .tar.gz, .tgz or .zip suffix", out, ErrFormat)
}

// Create writes the archive o describes. It writes a temporary file beside
// o.Out and renames it at the end, so o.Out is either the old file or the
// complete new archive, also when ctx is cancelled.
func Create(ctx context.Context, o Options) (err error) {
	if o.Out == "" {
		return fmt.Errorf("archive: %w: Out is empty", ErrOptions)
	}
	f, err := formatOf(o.Out)
	if err != nil {
		return err
	}
	if o.Level == 0 {
		o.Level = DefaultLevel
	}
	if o.Level < 1 || o.Level > 9 {
		return fmt.Errorf("archive: %w: Level %d: want 1-9, or 0 for %d", ErrOptions, o.Level, DefaultLevel)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = runtime.GOMAXPROCS(0)
	}
	o.Mtime = o.Mtime.Truncate(time.Second)
	if o.Mtime.IsZero() {
		o.Mtime = time.Unix(0, 0)
	}
	if o.Dir != "" && inside(o.Dir, o.Out) {
		return fmt.Errorf("archive: %w: Out %s is inside Dir %s and would pack itself", ErrOptions, o.Out, o.Dir)
	}
	items, err := collect(o)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	dir := filepath.Dir(o.Out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(o.Out)+".pyrelease-*")
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	switch f {
	case formatTarGz:
		err = writeTarGz(ctx, tmp, items, o)
	case formatZip:
		err = writeZip(ctx, tmp, items, o)
	}
	if err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("archive: %s: %w", o.Out, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("archive: %s: %w", o.Out, err)
	}
	// The last chance to honour a cancellation without leaving a result.
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), o.Out); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

// inside reports whether file is dir or below it.
func inside(dir, file string) bool {
	d, err1 := filepath.Abs(dir)
	f, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, f)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// copyFile copies an item's source to w, checking ctx between chunks and that
// the file still has the size collect saw (a header already promised it).
func copyFile(ctx context.Context, w io.Writer, it item, buf []byte) error {
	f, err := os.Open(it.source)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		m, rerr := f.Read(buf)
		if m > 0 {
			n += int64(m)
			if n > it.size {
				break
			}
			if _, err := w.Write(buf[:m]); err != nil {
				return fmt.Errorf("archive: %s: %w", it.name, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("archive: %s: %w", it.source, rerr)
		}
	}
	if n != it.size {
		return fmt.Errorf("archive: %s: file changed while packing: size %d, want %d", it.source, n, it.size)
	}
	return nil
}
