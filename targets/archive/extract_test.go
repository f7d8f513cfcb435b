package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestExtractRoundTrip(t *testing.T) {
	for _, suffix := range []string{".tar.gz", ".zip"} {
		t.Run(suffix, func(t *testing.T) {
			src := t.TempDir()
			if err := os.WriteFile(filepath.Join(src, "greet"), []byte("#!/bin/sh\necho greet 1.0\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, "README"), []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "a"+suffix)
			if err := Create(context.Background(), Options{Out: out, Dir: src, Prefix: "greet-1.0", Mtime: time.Unix(1700000000, 0)}); err != nil {
				t.Fatal(err)
			}
			dst := t.TempDir()
			files, err := Extract(context.Background(), out, dst)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 2 {
				t.Fatalf("files = %v", files)
			}
			fi, err := os.Stat(filepath.Join(dst, "greet-1.0", "greet"))
			if err != nil || fi.Mode().Perm() != 0o755 {
				t.Errorf("greet: %v, %v", fi, err)
			}
			if data, _ := os.ReadFile(filepath.Join(dst, "greet-1.0", "README")); string(data) != "hello" {
				t.Errorf("README = %q", data)
			}
		})
	}
}

func TestExtractRefusesUnsafeNames(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "../evil", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("x"))
	tw.Close()
	gz.Close()
	path := filepath.Join(t.TempDir(), "evil.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if _, err := Extract(context.Background(), path, dst); !errors.Is(err, ErrUnsafePath) {
		t.Fatalf("err = %v, want ErrUnsafePath", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dst), "evil")); err == nil {
		t.Error("a file was written outside the target directory")
	}
}
