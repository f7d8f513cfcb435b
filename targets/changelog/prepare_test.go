package changelog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

const palletsChanges = "Version 8.1.9\n-------------\n\nUnreleased\n\n-   Fix.\n\n\nVersion 8.1.8\n-------------\n\nReleased 2024-12-19\n\n-   Older.\n"

func TestPrepareChangesNothing(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "CHANGES.rst")
	if err := os.WriteFile(real, []byte(palletsChanges), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "HISTORY.rst")
	if err := os.Symlink("CHANGES.rst", link); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for name, o := range map[string]Options{
		"through a link":         {Path: link, Version: "8.1.9", Date: date},
		"found in the directory": {ProjectDir: dir, Version: "8.1.9", Date: date},
	} {
		t.Run(name, func(t *testing.T) {
			e, err := Prepare(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			realDir, _ := filepath.EvalSymlinks(dir)
			got, ok := e.Writes[filepath.Join(realDir, "CHANGES.rst")]
			if len(e.Writes) != 1 || !ok || len(e.Removes) != 0 {
				t.Fatalf("Edit = %v", e)
			}
			if want := strings.Replace(palletsChanges, "Unreleased", "Released 2026-11-20", 1); string(got) != want {
				t.Errorf("new CHANGES.rst =\n%s\nwant\n%s", got, want)
			}
			if data, _ := os.ReadFile(real); string(data) != palletsChanges {
				t.Errorf("Prepare wrote CHANGES.rst: %q", data)
			}
		})
	}
}

func TestPrepareErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "CHANGES.rst"), []byte(palletsChanges), 0o644); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Prepare(ctx, Options{ProjectDir: dir, Version: "8.1.9", Date: date}); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled context: %v", err)
	}
	if _, err := Prepare(context.Background(), Options{Version: "8.1.9", Date: date}); !errors.Is(err, ErrNotFound) {
		t.Errorf("without a path or a directory: %v", err)
	}
	if _, err := Prepare(context.Background(), Options{ProjectDir: t.TempDir(), Version: "8.1.9", Date: date}); !errors.Is(err, ErrNotFound) {
		t.Errorf("in a directory without a changelog: %v", err)
	}
	_, err := Prepare(context.Background(), Options{ProjectDir: dir, Version: "8.1.8", Date: date})
	if !errors.Is(err, ErrAlreadyReleased) || !strings.Contains(err.Error(), "CHANGES.rst:9:") {
		t.Errorf("releasing 8.1.8 again: %v", err)
	}
}

func TestApply(t *testing.T) {
	dir := t.TempDir()
	kept := filepath.Join(dir, "CHANGES.rst")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	frag := filepath.Join(dir, "1.feature")
	if err := os.WriteFile(frag, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	created := filepath.Join(dir, "NEWS.rst")
	e := Edit{
		Writes:  map[string][]byte{kept: []byte("new"), created: []byte("news")},
		Removes: []string{frag, filepath.Join(dir, "gone.bugfix")},
	}
	if err := Apply(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]struct {
		data string
		mode os.FileMode
	}{kept: {"new", 0o600}, created: {"news", 0o644}} {
		data, err := os.ReadFile(path)
		info, _ := os.Stat(path)
		if err != nil || string(data) != want.data || info.Mode() != want.mode {
			t.Errorf("%s = %q %v (%v), want %q %v", filepath.Base(path), data, info.Mode(), err, want.data, want.mode)
		}
	}
	if _, err := os.Stat(frag); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("fragment not removed: %v", err)
	}
}

// ReleaseFile on a towncrier project finds towncrier on PATH, as a user's
// shell would.
func TestReleaseFileTowncrier(t *testing.T) {
	tc := testenv.Towncrier(t)
	t.Setenv("PATH", filepath.Dir(tc)+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	for name, data := range map[string]string{
		"pyproject.toml":            "[tool.towncrier]\nfilename = \"CHANGES.md\"\n",
		"CHANGES.md":                "# Changes\n\n<!-- towncrier release notes start -->\n",
		"newsfragments/9.bugfix.md": "Fix the thing.\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := ReleaseFile(context.Background(), filepath.Join(dir, "CHANGES.md"), "2.0.0", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "CHANGES.md"))
	if !strings.Contains(string(got), "# 2.0.0 (2026-11-20)") || !strings.Contains(string(got), "- Fix the thing. (#9)") {
		t.Errorf("CHANGES.md =\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "newsfragments/9.bugfix.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("fragment left: %v", err)
	}
}
