package changelog

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestNewHeading(t *testing.T) {
	tests := map[string]struct {
		old, updated, version string
		want                  string
	}{
		"keep a changelog": {
			old:     "# Changelog\n\n## [Unreleased]\n\n- Fix.\n",
			updated: "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2024-12-19\n\n- Fix.\n",
			version: "1.3.0", want: "## [1.3.0] - 2024-12-19",
		},
		"a v in the version": {
			old:     "Unreleased\n----------\n",
			updated: "Unreleased\n----------\n\nv1.3.0 (2024-12-19)\n-------------------\n",
			version: "v1.3.0", want: "v1.3.0 (2024-12-19)",
		},
		"CRLF line endings": {
			old:     "## Unreleased\r\n",
			updated: "## Unreleased\r\n\r\n## 1.3.0 (2024-12-19)\r\n",
			version: "1.3.0", want: "## 1.3.0 (2024-12-19)",
		},
		"a line that was there does not count": {
			old:     "## 1.3.0 (unreleased)\n",
			updated: "## 1.3.1 (unreleased)\n\n## 1.3.0 (unreleased)\n",
			version: "1.3.0", want: "",
		},
		"a new file": {old: "", updated: "1.3.0 (2024-12-19)\n==================\n", version: "1.3.0", want: "1.3.0 (2024-12-19)"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := newHeading([]byte(tt.old), []byte(tt.updated), tt.version); got != tt.want {
				t.Errorf("newHeading = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrepareNamesTheHeading(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte("# Changelog\n\n## [Unreleased]\n\n- Fix.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Prepare(context.Background(), Options{ProjectDir: dir, Version: "0.2.0", Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "## [0.2.0] - 2026-12-01"; e.Heading != want {
		t.Errorf("Heading = %q, want %q", e.Heading, want)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "HISTORY.rst"), []byte("Unreleased\n----------\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	tests := map[string]struct {
		dir, setting string
		want         string
		err          error
	}{
		"none turns it off":        {dir: dir, setting: "none", want: ""},
		"empty finds one":          {dir: dir, setting: "", want: filepath.Join(dir, "HISTORY.rst")},
		"empty finds none":         {dir: empty, setting: "", want: ""},
		"a relative path":          {dir: dir, setting: "HISTORY.rst", want: filepath.Join(dir, "HISTORY.rst")},
		"an absolute path":         {dir: empty, setting: filepath.Join(dir, "HISTORY.rst"), want: filepath.Join(dir, "HISTORY.rst")},
		"a path that is not there": {dir: dir, setting: "NEWS.md", err: fs.ErrNotExist},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Resolve(tt.dir, tt.setting)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Resolve = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
