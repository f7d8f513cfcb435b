package archive

import (
	"archive/tar"
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/pgzip"
)

// Extract unpacks the regular files of a .tar.gz or .zip archive into dir
// and returns their paths. Entry names are checked as Create checks them:
// an absolute, "..", or otherwise unsafe name is an error, and so is any
// entry that is not a regular file or a directory.
func Extract(ctx context.Context, archivePath, dir string) ([]string, error) {
	switch {
	case strings.HasSuffix(archivePath, ".zip"):
		return extractZip(ctx, archivePath, dir)
	case strings.HasSuffix(archivePath, ".tar.gz"), strings.HasSuffix(archivePath, ".tgz"):
		return extractTar(ctx, archivePath, dir)
	}
	return nil, fmt.Errorf("%w: %s: expected .tar.gz, .tgz or .zip", ErrFormat, archivePath)
}

func extractTar(ctx context.Context, archivePath, dir string) ([]string, error) {
	f, err := os.Open(archivePath)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	defer f.Close()
	gz, err := pgzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var files []string
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if err := cleanPath(name); err != nil {
			return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
			out, err := writeOut(dir, name, tr, h.FileInfo().Mode().Perm())
			if err != nil {
				return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
			}
			files = append(files, out)
		default:
			return nil, fmt.Errorf("archive: %s: %w", archivePath, &PathError{Path: name, Err: ErrNotRegular})
		}
	}
}

func extractZip(ctx context.Context, archivePath, dir string) ([]string, error) {
	zr, err := zip.OpenReader(archivePath)
	if err != nil {
		return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
	}
	defer zr.Close()
	var files []string
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(zf.Name, "/")
		if err := cleanPath(name); err != nil {
			return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
		}
		if zf.FileInfo().IsDir() {
			continue
		}
		if !zf.Mode().IsRegular() {
			return nil, fmt.Errorf("archive: %s: %w", archivePath, &PathError{Path: name, Err: ErrNotRegular})
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("archive: %s: %s: %w", archivePath, name, err)
		}
		out, err := writeOut(dir, name, rc, zf.Mode().Perm())
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("archive: %s: %w", archivePath, err)
		}
		files = append(files, out)
	}
	return files, nil
}

func writeOut(dir, name string, r io.Reader, perm os.FileMode) (string, error) {
	out := filepath.Join(dir, filepath.FromSlash(path.Clean(name)))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return "", err
	}
	return out, f.Close()
}
