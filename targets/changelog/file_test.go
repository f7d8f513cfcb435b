package changelog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReleaseWithoutFinalNewline(t *testing.T) {
	cases := map[string]struct {
		name, content, want string
	}{
		"heading is the last line": {
			name:    "CHANGELOG.md",
			content: "## [Unreleased]",
			want:    "## [Unreleased]\n\n## [1.3.0] - 2026-11-20",
		},
		"crlf file, entry is the last line": {
			name:    "CHANGELOG.md",
			content: "## [Unreleased]\r\n- x",
			want:    "## [Unreleased]\r\n\r\n## [1.3.0] - 2026-11-20\r\n- x",
		},
		"link is the last line": {
			name:    "CHANGELOG.md",
			content: "## [Unreleased]\n\n[Unreleased]: /o/r/compare/v1.2.0...HEAD",
			want:    "## [Unreleased]\n\n## [1.3.0] - 2026-11-20\n\n[Unreleased]: /o/r/compare/v1.3.0...HEAD\n[1.3.0]: /o/r/compare/v1.2.0...v1.3.0",
		},
		"underline is the last line": {
			name:    "HISTORY.rst",
			content: "Unreleased\n==========",
			want:    "Unreleased\n==========\n\n1.3.0 (2026-11-20)\n==================",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Release([]byte(tc.content), tc.name, "1.3.0", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Release =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestReleaseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "CHANGELOG.md")
	if err := os.WriteFile(path, []byte("## [Unreleased]\n- x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "HISTORY.md")
	if err := os.Symlink("CHANGELOG.md", link); err != nil {
		t.Fatal(err)
	}
	if err := ReleaseFile(context.Background(), link, "1.3.0", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "## [Unreleased]\n\n## [1.3.0] - 2026-11-20\n- x\n"; string(got) != want {
		t.Errorf("CHANGELOG.md = %q, want %q", got, want)
	}
	if info, err := os.Stat(path); err != nil || info.Mode() != 0o640 {
		t.Errorf("mode = %v, %v; want 0640", info.Mode(), err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("HISTORY.md is no longer a symlink: %v, %v", info.Mode(), err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 {
		t.Errorf("directory holds %v (%v), want only the changelog and the link", entries, err)
	}
}

func TestReleaseFileLeavesFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "CHANGES.rst")
	const content = "Changes\n=======\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	err := ReleaseFile(context.Background(), path, "1.3.0", time.Now())
	if !errors.Is(err, ErrNoUnreleased) {
		t.Fatalf("error = %v, want ErrNoUnreleased", err)
	}
	if got, _ := os.ReadFile(path); string(got) != content {
		t.Errorf("file changed to %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ReleaseFile(ctx, path, "1.3.0", time.Now()); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled context: %v", err)
	}
}

func TestFind(t *testing.T) {
	cases := map[string]struct {
		files []string
		dirs  []string
		toml  string // the content of the .toml files
		want  string
		err   error
	}{
		"markdown before rst":         {files: []string{"CHANGES.rst", "HISTORY.md"}, want: "HISTORY.md"},
		"order of the list":           {files: []string{"CHANGES.txt", "CHANGELOG.txt", "CHANGES.rst"}, want: "CHANGES.rst"},
		"other case":                  {files: []string{"Changelog.md", "CHANGES.md"}, want: "Changelog.md"},
		"exact case first":            {files: []string{"changes.md", "CHANGES.md"}, want: "CHANGES.md"},
		"directories are not read":    {dirs: []string{"CHANGELOG.md"}, files: []string{"HISTORY.rst"}, want: "HISTORY.rst"},
		"none":                        {files: []string{"README.md", "NEWS"}, err: ErrNotFound},
		"news":                        {files: []string{"NEWS.rst", "README.rst"}, want: "NEWS.rst"},
		"pallets without extension":   {files: []string{"CHANGES"}, want: "CHANGES"},
		"docs":                        {dirs: []string{"docs"}, files: []string{"docs/changelog.rst", "docs/index.rst"}, want: "docs/changelog.rst"},
		"top level before docs":       {dirs: []string{"docs"}, files: []string{"docs/changelog.md", "HISTORY.rst"}, want: "HISTORY.rst"},
		"docs in another case":        {dirs: []string{"docs"}, files: []string{"docs/CHANGELOG.rst"}, want: "docs/CHANGELOG.rst"},
		"towncrier's filename":        {files: []string{"pyproject.toml", "CHANGELOG.md", "docs/x"}, dirs: []string{"docs"}, toml: "[tool.towncrier]\nfilename = \"docs/news.rst\"\n", want: "docs/news.rst"},
		"towncrier's default":         {files: []string{"pyproject.toml", "CHANGELOG.md"}, toml: "[tool.towncrier]\n", want: "NEWS.rst"},
		"towncrier.toml":              {files: []string{"towncrier.toml", "CHANGES.rst"}, toml: "[tool.towncrier]\nfilename = \"CHANGES.rst\"\n", want: "CHANGES.rst"},
		"pyproject without towncrier": {files: []string{"pyproject.toml", "CHANGES.rst"}, toml: "[project]\nname = \"x\"\n", want: "CHANGES.rst"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range tc.dirs {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range tc.files {
				var data []byte
				if strings.HasSuffix(f, ".toml") {
					data = []byte(tc.toml)
				}
				if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Find(dir)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Find error = %v, want %v", err, tc.err)
			}
			if tc.err == nil && got != filepath.Join(dir, tc.want) {
				t.Errorf("Find = %s, want %s", got, tc.want)
			}
		})
	}
}
