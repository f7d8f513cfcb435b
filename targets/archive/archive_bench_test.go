package archive

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/benchtree"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// benchTree writes the shared benchmark tree (package benchtree) and
// returns its total size.
func benchTree(b *testing.B, dir string) int64 {
	b.Helper()
	total, err := benchtree.Write(dir)
	if err != nil {
		b.Fatal(err)
	}
	return total
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// BenchmarkCreate compares Create with the tools a release script would
// otherwise call. size-ratio is our archive's size over the tool's (tar czf
// for .tar.gz, zip -r for .zip); the goal is at least 1.5x faster than
// tar czf with size-ratio at most 1.05.
func BenchmarkCreate(b *testing.B) {
	src := b.TempDir()
	total := benchTree(b, src)
	out := b.TempDir()
	ref := map[string]int64{} // tool archive sizes, for the ratios
	tool := func(b *testing.B, name string) int64 {
		bin := testenv.Require(b, name)
		target := filepath.Join(out, name+"-ref.tar.gz")
		cmd := exec.Command(bin, "czf", target, "-C", src, ".")
		if name == "zip" {
			target = filepath.Join(out, "zip-ref.zip")
			cmd = exec.Command(bin, "-qr", target, ".") // zip adds to an existing file
			cmd.Dir = src
		}
		_ = os.Remove(target)
		if o, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", name, err, o)
		}
		return fileSize(b, target)
	}
	refSize := func(b *testing.B, name string) int64 {
		if ref[name] == 0 {
			ref[name] = tool(b, name)
		}
		return ref[name]
	}

	b.Run("tool=tar-czf", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			ref["tar"] = tool(b, "tar")
		}
	})
	b.Run("tool=zip-r", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			ref["zip"] = tool(b, "zip")
		}
	})
	for _, tc := range []struct{ ext, tool string }{{ext: ".tar.gz", tool: "tar"}, {ext: ".zip", tool: "zip"}} {
		b.Run("create="+strings.TrimPrefix(tc.ext, "."), func(b *testing.B) {
			target := filepath.Join(out, "bench"+tc.ext)
			b.SetBytes(total)
			for b.Loop() {
				if err := Create(context.Background(), Options{Out: target, Dir: src}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(fileSize(b, target))/float64(refSize(b, tc.tool)), "size-ratio")
		})
	}
}
