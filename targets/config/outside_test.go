package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRefusesVersionFileOutsideProject(t *testing.T) {
	tests := map[string]struct {
		path  string
		setup func(t *testing.T, dir, outside string) // builds links in dir
		ok    bool
	}{
		"parent":              {path: "../x.py"},
		"parent after a name": {path: "src/../../x.py"},
		"symlink to a file outside": {
			path: "src/version.py",
			setup: func(t *testing.T, dir, outside string) {
				link(t, filepath.Join(outside, "x.py"), dir, "src/version.py")
			},
		},
		"symlinked directory outside": {
			path:  "pkg/version.py",
			setup: func(t *testing.T, dir, outside string) { link(t, outside, dir, "pkg") },
		},
		"dangling symlink outside": {
			path: "version.py",
			setup: func(t *testing.T, dir, outside string) {
				link(t, filepath.Join(outside, "missing", "v.py"), dir, "version.py")
			},
		},
		"symlink inside the project": {
			path: "version.py",
			setup: func(t *testing.T, dir, _ string) {
				write(t, filepath.Join(dir, "src", "real.py"))
				link(t, filepath.Join("src", "real.py"), dir, "version.py")
			},
			ok: true,
		},
		"not created yet": {path: "src/new/version.py", ok: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, file := project(t, header+"[tool.pyrelease]\nversion-file = \""+tc.path+"\"\n")
			outside := t.TempDir()
			write(t, filepath.Join(outside, "x.py"))
			if tc.setup != nil {
				tc.setup(t, dir, outside)
			}
			_, err := LoadEnv(dir, nil)
			if tc.ok {
				if err != nil {
					t.Fatalf("LoadEnv: %v", err)
				}
				return
			}
			var ve *ValueError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want an invalid-value error", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, file) || !strings.Contains(msg, "version-file") ||
				!strings.Contains(msg, filepath.FromSlash(filepath.Clean(tc.path))) || !strings.Contains(msg, "inside the project") {
				t.Errorf("error %q does not name the file, the key and the path", msg)
			}
		})
	}
}

func link(t *testing.T, target, dir, name string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
}

func write(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("__version__ = \"1.0\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
