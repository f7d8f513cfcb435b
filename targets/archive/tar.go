package archive

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/pgzip"
)

// writeTarGz writes a PAX-format tar (plain ustar headers unless a name or
// size needs a PAX record) through a block-parallel gzip writer. Each
// 1 MiB block is deflated on its own, primed with the previous block's last
// 32 KiB, so the bytes depend on the block size and never on how many
// blocks run at once.
func writeTarGz(ctx context.Context, w io.Writer, items []item, o Options) (err error) {
	gz, err := pgzip.NewWriterLevel(w, o.Level)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := gz.SetConcurrency(blockSize, o.Concurrency); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	// The zero time.Time would be stored as a garbage 32-bit value; Unix 0
	// is the gzip way of saying "no time", like gzip -n.
	gz.ModTime = time.Unix(0, 0)
	gz.OS = 255 // unknown: the same bytes whichever system builds
	defer func() {
		// Close also stops the workers on the error path.
		if cerr := gz.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("archive: %w", cerr)
		}
	}()
	tw := tar.NewWriter(gz)
	buf := make([]byte, 1<<20)
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr := &tar.Header{
			Name:    it.name,
			Mode:    int64(it.mode.Perm()),
			ModTime: o.Mtime,
			Format:  tar.FormatPAX,
		}
		if it.dir {
			hdr.Typeflag = tar.TypeDir
			hdr.Name += "/"
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = it.size
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("archive: %s: %w", it.name, err)
		}
		if !it.dir {
			if err := copyFile(ctx, tw, it, buf); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}
