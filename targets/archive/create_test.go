package archive

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

var epoch = time.Date(2024, 5, 6, 7, 8, 10, 0, time.UTC)

// fixture is a small tool tree: an executable, data files and a nested
// directory, with big enough content to span several gzip blocks.
func fixture(t *testing.T) (dir string, want map[string]member) {
	t.Helper()
	dir = t.TempDir()
	big := mixed(1, 3*blockSize+12345)
	writeTree(t, dir, map[string]file{
		"greet":              {data: big, perm: 0o700},
		"README.txt":         {data: strings.Repeat("greet says hello\n", 500), perm: 0o600},
		"lib/data/words.txt": {data: "a\nb\n", perm: 0o664},
		"lib/empty":          {data: "", perm: 0o644},
	})
	if err := os.Mkdir(filepath.Join(dir, "lib/cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	want = map[string]member{
		"greet-1.0/":                   {mode: fs.ModeDir | 0o755},
		"greet-1.0/greet":              {mode: 0o755, data: big},
		"greet-1.0/README.txt":         {mode: 0o644, data: strings.Repeat("greet says hello\n", 500)},
		"greet-1.0/lib/":               {mode: fs.ModeDir | 0o755},
		"greet-1.0/lib/cache/":         {mode: fs.ModeDir | 0o755},
		"greet-1.0/lib/data/":          {mode: fs.ModeDir | 0o755},
		"greet-1.0/lib/data/words.txt": {mode: 0o644, data: "a\nb\n"},
		"greet-1.0/lib/empty":          {mode: 0o644},
	}
	return dir, want
}

func TestCreateRoundTrip(t *testing.T) {
	for _, ext := range []string{".tar.gz", ".tgz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			src, want := fixture(t)
			out := filepath.Join(t.TempDir(), "dist", "greet-1.0-linux-x86_64"+ext)
			err := Create(context.Background(), Options{Out: out, Dir: src, Prefix: "greet-1.0/", Mtime: epoch})
			if err != nil {
				t.Fatal(err)
			}
			if ext == ".zip" {
				compareMembers(t, readZip(t, out), want)
			} else {
				compareMembers(t, readTarGz(t, out, epoch), want)
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("archive file: %v, %v; want mode 0644", fi, err)
			}
			if names := listDir(t, filepath.Dir(out)); hasTemp(names) {
				t.Errorf("temporary files left: %v", names)
			}
		})
	}
}

// TestCreateExtractsWithTools checks the archives against the tools users
// run: GNU tar and Info-ZIP unzip restore the same content and modes.
func TestCreateExtractsWithTools(t *testing.T) {
	tests := map[string]struct {
		ext  string
		tool string
		args func(out, dst string) []string
	}{
		"tar":   {ext: ".tar.gz", tool: "tar", args: func(out, dst string) []string { return []string{"-xpzf", out, "-C", dst} }},
		"unzip": {ext: ".zip", tool: "unzip", args: func(out, dst string) []string { return []string{"-q", out, "-d", dst} }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			bin := testenv.Require(t, tc.tool)
			src, want := fixture(t)
			out := filepath.Join(t.TempDir(), "a"+tc.ext)
			if err := Create(context.Background(), Options{Out: out, Dir: src, Prefix: "greet-1.0", Mtime: epoch}); err != nil {
				t.Fatal(err)
			}
			dst := t.TempDir()
			if b, err := exec.Command(bin, tc.args(out, dst)...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", tc.tool, err, b)
			}
			compareMembers(t, readDisk(t, dst), want)
			fi, err := os.Stat(filepath.Join(dst, "greet-1.0", "greet"))
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(epoch) {
				t.Errorf("extracted mtime %v, want %v", fi.ModTime().UTC(), epoch)
			}
		})
	}
}

func TestCreateEntries(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]file{
		"build/greet":  {data: "ELF greet", perm: 0o755},
		"build/hello":  {data: "ELF hello", perm: 0o644},
		"docs/LICENSE": {data: "MIT", perm: 0o600},
	})
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "tools"+ext)
			err := Create(context.Background(), Options{Out: out, Entries: []Entry{
				{Path: "bin/hello", Source: filepath.Join(src, "build/hello"), Mode: 0o750},
				{Path: "bin/greet", Source: filepath.Join(src, "build/greet")},
				{Path: "LICENSE", Source: filepath.Join(src, "docs/LICENSE")},
			}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]member{
				"LICENSE":   {mode: 0o644, data: "MIT"},
				"bin/":      {mode: fs.ModeDir | 0o755},
				"bin/greet": {mode: 0o755, data: "ELF greet"},
				"bin/hello": {mode: 0o750, data: "ELF hello"},
			}
			if ext == ".zip" {
				compareMembers(t, readZip(t, out), want)
			} else {
				compareMembers(t, readTarGz(t, out, time.Unix(0, 0)), want)
			}
		})
	}
}

// TestCreateDeterministic builds the same content from two trees that
// differ in everything a build machine varies — file mtimes, group and
// owner permission bits, creation order — and with different worker counts:
// the archives must be byte-identical.
func TestCreateDeterministic(t *testing.T) {
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			a, _ := fixture(t)
			b := t.TempDir()
			writeTree(t, b, map[string]file{
				"lib/empty":          {data: "", perm: 0o600},
				"lib/data/words.txt": {data: "a\nb\n", perm: 0o444},
				"README.txt":         {data: strings.Repeat("greet says hello\n", 500), perm: 0o644},
				"greet":              {data: mixed(1, 3*blockSize+12345), perm: 0o755},
			})
			if err := os.Mkdir(filepath.Join(b, "lib/cache"), 0o755); err != nil {
				t.Fatal(err)
			}
			old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := os.Chtimes(filepath.Join(b, "greet"), old, old); err != nil {
				t.Fatal(err)
			}
			runs := map[string]Options{
				"a conc 1":  {Dir: a, Concurrency: 1},
				"a conc 4":  {Dir: a, Concurrency: 4},
				"a default": {Dir: a},
				"b conc 2":  {Dir: b, Concurrency: 2},
				"b conc 16": {Dir: b, Concurrency: 16},
			}
			var first []byte
			var firstName string
			for name, o := range runs {
				o.Out = filepath.Join(t.TempDir(), "x"+ext)
				o.Mtime = epoch
				o.Prefix = "greet"
				if err := Create(context.Background(), o); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				data, err := os.ReadFile(o.Out)
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first, firstName = data, name
				} else if !bytes.Equal(first, data) {
					t.Errorf("%s and %s differ (%d vs %d bytes)", firstName, name, len(first), len(data))
				}
			}
		})
	}
}

func TestCreateGzipHeader(t *testing.T) {
	src, _ := fixture(t)
	out := filepath.Join(t.TempDir(), "a.tar.gz")
	if err := Create(context.Background(), Options{Out: out, Dir: src}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// ID1 ID2 CM FLG MTIME(4) XFL OS: no name flag, mtime 0, OS unknown.
	want := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}
	if !bytes.Equal(data[:10], want) {
		t.Errorf("gzip header % x, want % x", data[:10], want)
	}
}

func TestCreateRejects(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]file{"f": {data: "x", perm: 0o644}})
	f := filepath.Join(src, "f")
	if err := os.Symlink("f", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	linkTree := t.TempDir()
	writeTree(t, linkTree, map[string]file{"bin/tool": {data: "x", perm: 0o755}})
	if err := os.Symlink("/etc/passwd", filepath.Join(linkTree, "bin/passwd")); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		opts     Options
		want     error
		wantText string
	}{
		"absolute":        {opts: Options{Entries: []Entry{{Path: "/etc/f", Source: f}}}, want: ErrUnsafePath, wantText: `"/etc/f"`},
		"dot dot":         {opts: Options{Entries: []Entry{{Path: "a/../../f", Source: f}}}, want: ErrUnsafePath, wantText: `"a/../../f"`},
		"leading dot dot": {opts: Options{Entries: []Entry{{Path: "../f", Source: f}}}, want: ErrUnsafePath},
		"dot element":     {opts: Options{Entries: []Entry{{Path: "a/./f", Source: f}}}, want: ErrUnsafePath},
		"empty element":   {opts: Options{Entries: []Entry{{Path: "a//f", Source: f}}}, want: ErrUnsafePath},
		"backslash":       {opts: Options{Entries: []Entry{{Path: `..\f`, Source: f}}}, want: ErrUnsafePath},
		"empty path":      {opts: Options{Entries: []Entry{{Path: "", Source: f}}}, want: ErrUnsafePath},
		"unsafe prefix":   {opts: Options{Entries: []Entry{{Path: "f", Source: f}}, Prefix: "../up"}, want: ErrUnsafePath, wantText: `"../up"`},
		"absolute prefix": {opts: Options{Entries: []Entry{{Path: "f", Source: f}}, Prefix: "/opt"}, want: ErrUnsafePath},
		"symlink entry":   {opts: Options{Entries: []Entry{{Path: "f", Source: filepath.Join(src, "link")}}}, want: ErrSymlink, wantText: "link"},
		"symlink in dir":  {opts: Options{Dir: linkTree}, want: ErrSymlink, wantText: "bin/passwd"},
		"directory entry": {opts: Options{Entries: []Entry{{Path: "d", Source: src}}}, want: ErrNotRegular},
		"duplicate":       {opts: Options{Entries: []Entry{{Path: "f", Source: f}, {Path: "f", Source: f}}}, want: ErrDuplicate},
		"file and dir":    {opts: Options{Entries: []Entry{{Path: "a", Source: f}, {Path: "a/b", Source: f}}}, want: ErrDuplicate, wantText: "archive: a:"},
		"missing source":  {opts: Options{Entries: []Entry{{Path: "f", Source: filepath.Join(src, "nope")}}}, want: fs.ErrNotExist},
		"nothing":         {opts: Options{}, want: ErrOptions},
		"both":            {opts: Options{Dir: src, Entries: []Entry{{Path: "f", Source: f}}}, want: ErrOptions},
		"level":           {opts: Options{Dir: src, Level: 10}, want: ErrOptions},
		"out inside dir":  {opts: Options{Dir: src, Out: filepath.Join(src, "sub", "a.zip")}, want: ErrOptions},
		"unknown suffix":  {opts: Options{Dir: src, Out: filepath.Join(src, "..", "a.rar")}, want: ErrFormat, wantText: "a.rar"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			outDir := t.TempDir()
			if tc.opts.Out == "" {
				tc.opts.Out = filepath.Join(outDir, "a.tar.gz")
			}
			err := Create(context.Background(), tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "archive: ") || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q: want prefix \"archive: \" and %q", err, tc.wantText)
			}
			if names := listDir(t, outDir); len(names) != 0 {
				t.Errorf("files written: %v", names)
			}
		})
	}
}

// TestCreateCancel stops Create at successive points of its work: each
// time it must fail with the context's error, keep the previous archive and
// leave no temporary file.
func TestCreateCancel(t *testing.T) {
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			src, _ := fixture(t)
			cancelled := 0
			for n := int64(0); ; n++ {
				outDir := t.TempDir()
				out := filepath.Join(outDir, "a"+ext)
				if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
				err := Create(newTripCtx(n), Options{Out: out, Dir: src})
				if err == nil { // n is past the last check: a complete archive
					if data, _ := os.ReadFile(out); string(data) == "old" {
						t.Errorf("Create succeeded and left the old file")
					}
					break
				}
				cancelled++
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("cancel after %d checks: err = %v, want context.Canceled", n, err)
				}
				if data, _ := os.ReadFile(out); string(data) != "old" {
					t.Errorf("cancel after %d checks: Out changed to %d bytes", n, len(data))
				}
				if names := listDir(t, outDir); !slices.Equal(names, []string{"a" + ext}) {
					t.Errorf("cancel after %d checks: directory holds %v", n, names)
				}
			}
			if cancelled < 8 {
				t.Errorf("only %d cancellation points exercised, want at least 8", cancelled)
			}
		})
	}
}

func TestCreateZipListedBy7z(t *testing.T) {
	bin := testenv.Require(t, "7z")
	src, want := fixture(t)
	out := filepath.Join(t.TempDir(), "greet-1.0-windows-x86_64.zip")
	if err := Create(context.Background(), Options{Out: out, Dir: src, Prefix: "greet-1.0", Mtime: epoch}); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(bin, "t", out).CombinedOutput()
	if err != nil {
		t.Fatalf("7z t: %v\n%s", err, b)
	}
	b, err = exec.Command(bin, "l", "-slt", out).CombinedOutput()
	if err != nil {
		t.Fatalf("7z l: %v\n%s", err, b)
	}
	listed := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "Path = "); ok && p != out {
			listed[p] = true
		}
	}
	for name := range want {
		if !listed[strings.TrimSuffix(name, "/")] {
			t.Errorf("7z does not list %s; output:\n%s", name, b)
		}
	}
	if !strings.Contains(string(b), "Modified = 2024-05-06 07:08:10") {
		t.Errorf("7z shows no entry modified at %v:\n%s", epoch, b)
	}
}

// TestCreateZipSpillsLargeFiles packs files above spillOver, which are
// deflated through temporary files instead of memory: the content comes
// back whole and no temporary file is left, also when Create is cancelled.
func TestCreateZipSpillsLargeFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	src := t.TempDir()
	text := strings.Repeat("def greet(name):\n    return name\n", (spillOver+1<<20)/32)
	random := mixed(3, spillOver+12345)
	writeTree(t, src, map[string]file{
		"big.py":  {data: text, perm: 0o644},
		"big.bin": {data: random, perm: 0o755},
	})
	out := filepath.Join(t.TempDir(), "tools.zip")
	if err := Create(context.Background(), Options{Out: out, Dir: src, Mtime: epoch}); err != nil {
		t.Fatal(err)
	}
	compareMembers(t, readZip(t, out), map[string]member{
		"big.py":  {mode: 0o644, data: text},
		"big.bin": {mode: 0o755, data: random},
	})
	if names := listDir(t, tmp); len(names) != 0 {
		t.Errorf("temporary files left: %v", names)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Create(ctx, Options{Out: out + "2.zip", Dir: src, Mtime: epoch}); err == nil {
		t.Fatal("a cancelled Create succeeded")
	}
	if names := listDir(t, tmp); len(names) != 0 {
		t.Errorf("temporary files left after a cancel: %v", names)
	}
}
