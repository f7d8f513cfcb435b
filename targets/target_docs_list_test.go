package targets_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyrelease/pyrelease/targets"
)

// TestDocsList checks what docs -list tells a CI job: the tool and the
// source of a project's documentation, nothing for a project without any,
// and that it builds nothing.
func TestDocsList(t *testing.T) {
	projects, err := filepath.Abs(filepath.Join("testdata", "projects"))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		dir  string
		want string
	}{
		"sphinx":  {dir: filepath.Join(docsTestdata, "sphinxproj"), want: "sphinx docs\n"},
		"mkdocs":  {dir: filepath.Join(docsTestdata, "mkdocsproj"), want: "mkdocs mkdocs.yml\n"},
		"no docs": {dir: filepath.Join(projects, "library"), want: ""},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "p")
			if err := copyDir(tc.dir, dir); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			list := true
			out, err := captureStdout(t, func() error { return targets.Docs(context.Background(), nil, &list) })
			if err != nil {
				t.Fatalf("docs -list: %v", err)
			}
			if out != tc.want {
				t.Errorf("docs -list printed %q, want %q", out, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "dist")); !os.IsNotExist(err) {
				t.Errorf("docs -list made dist/ (%v): it must build nothing", err)
			}
		})
	}
}
