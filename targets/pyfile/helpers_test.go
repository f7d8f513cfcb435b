package pyfile

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// project is a directory with one file of each kind, in shapes that a sloppy
// rewrite would damage: CRLF, a BOM, comments, unusual modes.
type project struct {
	dir   string
	files []File
}

var projectFiles = map[string]struct {
	content string
	mode    fs.FileMode
}{
	"pkg/version.py": {content: "\ufeff# VERSION = \"0\"\r\n__version__ = '1.0.0'\r\n", mode: 0o644},
	"pyproject.toml": {content: "[project]\nname = \"x\" # n\nversion = \"1.0.0\"\n", mode: 0o600},
	"setup.cfg":      {content: "[metadata]\nversion = 1.0.0\n", mode: 0o755},
}

func newProject(t *testing.T) project {
	t.Helper()
	p := project{dir: t.TempDir()}
	for _, name := range []string{"pkg/version.py", "pyproject.toml", "setup.cfg"} {
		f := projectFiles[name]
		path := filepath.Join(p.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.content), 0o600); err != nil {
			t.Fatal(err)
		}
		// WriteFile's mode is masked by the umask; Chmod's is not.
		if err := os.Chmod(path, f.mode); err != nil {
			t.Fatal(err)
		}
		p.files = append(p.files, File{Path: name})
	}
	return p
}

func (p project) path(name string) string { return filepath.Join(p.dir, filepath.FromSlash(name)) }

// assertOriginal checks that every file has its exact original bytes and mode.
func (p project) assertOriginal(t *testing.T) {
	t.Helper()
	for name, f := range projectFiles {
		got, err := os.ReadFile(p.path(name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, []byte(f.content)) {
			t.Errorf("%s = %q, want the original %q", name, got, f.content)
		}
		info, err := os.Stat(p.path(name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != f.mode {
			t.Errorf("%s mode = %v, want %v", name, info.Mode(), f.mode)
		}
	}
}

// assertVersion checks that every file reads as version, keeping its mode.
func (p project) assertVersion(t *testing.T, version string) {
	t.Helper()
	for name, f := range projectFiles {
		got, err := Read(p.path(name))
		if err != nil {
			t.Fatal(err)
		}
		if got != version {
			t.Errorf("%s holds %q, want %q", name, got, version)
		}
		info, err := os.Stat(p.path(name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != f.mode {
			t.Errorf("%s mode = %v, want %v", name, info.Mode(), f.mode)
		}
	}
}

func (p project) journalExists(t *testing.T) bool {
	t.Helper()
	_, err := os.Stat(mustJournalPath(t, p.dir))
	return err == nil
}

// assertNoStrays checks that no temporary file was left beside the files.
func (p project) assertNoStrays(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p.dir, path)
		if _, known := projectFiles[filepath.ToSlash(rel)]; !d.IsDir() && !known {
			t.Errorf("unexpected file %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustJournalPath(t *testing.T, dir string) string {
	t.Helper()
	p, err := journalPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
