package archive

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/benchtree"
)

// file is a fixture file: content and permission bits on disk.
type file struct {
	data string
	perm fs.FileMode
}

// writeTree creates files (slash paths) under dir.
func writeTree(t testing.TB, dir string, files map[string]file) {
	t.Helper()
	for name, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), f.perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.perm); err != nil { // past the umask
			t.Fatal(err)
		}
	}
}

// mixed returns n bytes like a frozen binary (see benchtree.Mixed).
func mixed(seed uint64, n int) string { return benchtree.Mixed(seed, n) }

// member is what a reader saw of one archive entry.
type member struct {
	mode fs.FileMode // permission bits, plus fs.ModeDir for directories
	data string
}

// readTarGz reads an archive with the standard library, checking the
// owner fields and mtimes on the way.
func readTarGz(t *testing.T, path string, mtime time.Time) map[string]member {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header: name %q, mtime %v; want none", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	got := map[string]member{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d/%d %q/%q, want 0/0 and empty names", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(mtime) {
			t.Errorf("%s: mtime %v, want %v", h.Name, h.ModTime, mtime)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		m := member{mode: fs.FileMode(h.Mode).Perm(), data: string(data)}
		if h.Typeflag == tar.TypeDir {
			m.mode |= fs.ModeDir
		}
		got[h.Name] = m
	}
	return got
}

func readZip(t *testing.T, path string) map[string]member {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]member{}
	for _, f := range zr.File {
		if len(f.Extra) != 0 {
			t.Errorf("%s: extra fields %x, want none", f.Name, f.Extra)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc) // checks the CRC
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		got[f.Name] = member{mode: f.Mode() & (fs.ModeDir | fs.ModePerm), data: string(data)}
	}
	return got
}

// readDisk reads an extracted tree back into members, named like tar names.
func readDisk(t *testing.T, root string) map[string]member {
	t.Helper()
	got := map[string]member{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			got[name+"/"] = member{mode: fs.ModeDir | fi.Mode().Perm()}
			return nil
		}
		data, err := os.ReadFile(p)
		got[name] = member{mode: fi.Mode().Perm(), data: string(data)}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func compareMembers(t *testing.T, got, want map[string]member) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: missing", name)
		case g.mode != w.mode:
			t.Errorf("%s: mode %v, want %v", name, g.mode, w.mode)
		case g.data != w.data:
			t.Errorf("%s: content differs (%d bytes, want %d)", name, len(g.data), len(w.data))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected entry", name)
		}
	}
}

// listDir returns the names in dir, to catch leftover temporary files.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// tripCtx is cancelled by its own n-th call to Err, so a test can stop
// Create at a chosen point of its work without timing.
type tripCtx struct {
	context.Context
	cancel context.CancelFunc
	left   atomic.Int64
}

func newTripCtx(n int64) *tripCtx {
	ctx, cancel := context.WithCancel(context.Background())
	c := &tripCtx{Context: ctx, cancel: cancel}
	c.left.Store(n)
	return c
}

func (c *tripCtx) Err() error {
	if c.left.Add(-1) < 0 {
		c.cancel()
	}
	return c.Context.Err()
}

func hasTemp(names []string) bool {
	for _, n := range names {
		if strings.Contains(n, ".pyrelease-") {
			return true
		}
	}
	return false
}
