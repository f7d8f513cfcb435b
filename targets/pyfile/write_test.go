package pyfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteKeepsModeAndFormatting(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	for _, f := range p.files {
		f.Path = p.path(f.Path)
		if err := Write(ctx, f, "2.0.0"); err != nil {
			t.Fatal(err)
		}
	}
	p.assertVersion(t, "2.0.0")
	p.assertNoStrays(t)
	got, err := os.ReadFile(p.path("pkg/version.py"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\ufeff# VERSION = \"0\"\r\n__version__ = '2.0.0'\r\n"; string(got) != want {
		t.Errorf("version.py = %q, want %q", got, want)
	}
}

func TestWriteThroughSymlinkKeepsTheLink(t *testing.T) {
	p := newProject(t)
	link := filepath.Join(p.dir, "link.py")
	if err := os.Symlink("pkg/version.py", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), File{Path: link}, "3.0"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.py is no longer a symlink: %v", info.Mode())
	}
	if v, err := Read(p.path("pkg/version.py")); err != nil || v != "3.0" {
		t.Errorf("target holds %q, %v; want 3.0", v, err)
	}
}

func TestWriteAllIsAllOrNothing(t *testing.T) {
	cases := map[string]struct {
		extra   string // content of an extra file, or "" for none
		extraAs string
		ctx     func() context.Context
		err     error
	}{
		"a file without a version": {
			extra:   "x = 1\n",
			extraAs: "other.py",
			err:     ErrNoVersion,
		},
		"a file of unknown kind": {
			extra:   "1.0\n",
			extraAs: "VERSION",
			err:     ErrUnknownKind,
		},
		"the same file twice": {
			extraAs: "./setup.cfg",
			err:     ErrDuplicateFile,
		},
		"a cancelled context": {
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			err: context.Canceled,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProject(t)
			files := p.files
			if tc.extraAs != "" {
				if tc.extra != "" {
					if err := os.WriteFile(p.path(tc.extraAs), []byte(tc.extra), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				files = append(files, File{Path: tc.extraAs})
			}
			for i := range files {
				files[i].Path = filepath.Join(p.dir, files[i].Path)
			}
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			err := WriteAll(ctx, files, "2.0.0")
			if !errors.Is(err, tc.err) {
				t.Fatalf("WriteAll error = %v, want %v", err, tc.err)
			}
			p.assertOriginal(t)
		})
	}
}

func TestWriteAllRestoresAfterAFailedWrite(t *testing.T) {
	p := newProject(t)
	states, err := prepare(p.dir, p.files, "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	// The last file's directory disappears between reading and writing.
	states[len(states)-1].real = filepath.Join(p.dir, "gone", "setup.cfg")
	err = writeStamped(states)
	if err == nil || !strings.Contains(err.Error(), "setup.cfg") {
		t.Fatalf("writeStamped error = %v, want one naming setup.cfg", err)
	}
	p.assertOriginal(t)
	p.assertNoStrays(t)
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.py")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read of a missing file: %v, want ErrNotExist", err)
	}
	path := filepath.Join(dir, "v.py")
	if err := os.WriteFile(path, []byte("VERSION = '1'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := ReadFile(File{Path: path}); err != nil || v != "1" {
		t.Errorf("ReadFile = %q, %v", v, err)
	}
}
