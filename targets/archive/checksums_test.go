package archive

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestChecksumsSha256sum(t *testing.T) {
	bin := testenv.Require(t, "sha256sum")
	dir := t.TempDir()
	writeTree(t, dir, map[string]file{
		"greet-1.0-windows-x86_64.zip":  {data: "zip bytes", perm: 0o644},
		"greet-1.0-linux-x86_64.tar.gz": {data: "tar bytes", perm: 0o644},
		"sub/greet-1.0.tar.gz":          {data: "", perm: 0o644},
	})
	path, err := Checksums(context.Background(), dir, "SHA256SUMS",
		[]string{"greet-1.0-windows-x86_64.zip", "sub/greet-1.0.tar.gz", "greet-1.0-linux-x86_64.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, "SHA256SUMS") {
		t.Errorf("path = %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by name, two spaces: the layout sha256sum itself prints.
	want := "" +
		"f266dfdf4b47f84f152466f715ac37313149f58fa3737911b96680f1b41d8df7  greet-1.0-linux-x86_64.tar.gz\n" +
		"5b7a2754b389130e138d57ba83f1eae7f05a41c66becacfa2dd2060143ae66db  greet-1.0-windows-x86_64.zip\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  sub/greet-1.0.tar.gz\n"
	if string(data) != want {
		t.Errorf("checksum file:\n%s\nwant:\n%s", data, want)
	}
	cmd := exec.Command(bin, "-c", "--strict", "SHA256SUMS")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	// The oracle must be able to fail: corrupt one file.
	if err := os.WriteFile(filepath.Join(dir, "sub/greet-1.0.tar.gz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "-c", "--quiet", "SHA256SUMS")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "sub/greet-1.0.tar.gz: FAILED") {
		t.Errorf("sha256sum -c after corruption: %v\n%s", err, b)
	}
}

func TestChecksumsRejects(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]file{"a.zip": {data: "a", perm: 0o644}})
	tests := map[string]struct {
		name  string
		files []string
		want  error
	}{
		"absolute file": {name: "SHA256SUMS", files: []string{"/etc/passwd"}, want: ErrUnsafePath},
		"dot dot file":  {name: "SHA256SUMS", files: []string{"../a.zip"}, want: ErrUnsafePath},
		"newline":       {name: "SHA256SUMS", files: []string{"a\nb"}, want: ErrUnsafePath},
		"duplicate":     {name: "SHA256SUMS", files: []string{"a.zip", "a.zip"}, want: ErrDuplicate},
		"lists itself":  {name: "SHA256SUMS", files: []string{"a.zip", "SHA256SUMS"}, want: ErrOptions},
		"name with dir": {name: "sub/SHA256SUMS", files: []string{"a.zip"}, want: ErrOptions},
		"no files":      {name: "SHA256SUMS", want: ErrOptions},
		"missing file":  {name: "SHA256SUMS", files: []string{"b.zip"}, want: os.ErrNotExist},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Checksums(context.Background(), dir, tc.name, tc.files)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "SHA256SUMS")); err == nil {
				t.Errorf("checksum file written despite the error")
			}
		})
	}
}
