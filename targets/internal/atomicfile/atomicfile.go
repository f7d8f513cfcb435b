// Package atomicfile replaces files so that a crash leaves either the old
// content or the new, never half of each.
package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data; see replace.
func Write(path string, data []byte, mode fs.FileMode) error {
	return replace(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Copy replaces dst with the content of src, streamed, with mode.
func Copy(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return replace(dst, mode, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// WriteFrom replaces path with everything read from r.
func WriteFrom(path string, r io.Reader, mode fs.FileMode) error {
	return replace(path, mode, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}

// replace writes path through a synced temporary file in the same
// directory and a rename, then syncs the directory so the rename survives
// a power loss. The mode is set explicitly (Chmod is not masked by the
// umask).
func replace(path string, mode fs.FileMode, write func(io.Writer) error) (err error) {
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
	if err = write(tmp); err != nil {
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
