package docs

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/run"
)

func TestDetect(t *testing.T) {
	for name, tc := range map[string]struct {
		files []string
		want  Source
		err   error
	}{
		"sphinx in docs":         {files: []string{"docs/conf.py", "docs/index.rst"}, want: Source{Kind: Sphinx, Path: filepath.Join("p", "docs"), Dir: "p"}},
		"sphinx at the root":     {files: []string{"conf.py"}, want: Source{Kind: Sphinx, Path: "p", Dir: "p"}},
		"docs/conf.py wins":      {files: []string{"conf.py", "docs/conf.py", "mkdocs.yml"}, want: Source{Kind: Sphinx, Path: filepath.Join("p", "docs"), Dir: "p"}},
		"mkdocs":                 {files: []string{"mkdocs.yml", "docs/index.md"}, want: Source{Kind: MkDocs, Path: filepath.Join("p", "mkdocs.yml"), Dir: "p"}},
		"mkdocs yaml":            {files: []string{"mkdocs.yaml"}, want: Source{Kind: MkDocs, Path: filepath.Join("p", "mkdocs.yaml"), Dir: "p"}},
		"sphinx before mkdocs":   {files: []string{"mkdocs.yml", "conf.py"}, want: Source{Kind: Sphinx, Path: "p", Dir: "p"}},
		"none":                   {files: []string{"docs/index.md", "README.md"}, err: ErrNoDocs},
		"a conf.py elsewhere is": {files: []string{"src/conf.py"}, err: ErrNoDocs},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Detect("p", func(rel string) bool { return slices.Contains(tc.files, rel) })
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("Detect = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	for name, tc := range map[string]struct {
		src  Source
		want []string
	}{
		"sphinx": {src: Source{Kind: Sphinx, Path: "p/docs"}, want: []string{"-m", "sphinx", "-b", "html", "-q", "p/docs", "out"}},
		"mkdocs": {src: Source{Kind: MkDocs, Path: "p/mkdocs.yml"}, want: []string{"-m", "mkdocs", "build", "-q", "-f", "p/mkdocs.yml", "-d", "out"}},
		"none":   {src: Source{}, want: nil},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Args(tc.src, "out"); !slices.Equal(got, tc.want) {
				t.Fatalf("Args = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBuildCommand(t *testing.T) {
	var cmds []run.Cmd
	out := filepath.Join(t.TempDir(), "html")
	o := Options{Source: Source{Kind: MkDocs, Path: filepath.Join("proj", "mkdocs.yml"), Dir: "proj"}, Python: "py", Version: "1.2.3", Out: out,
		run: func(_ context.Context, c run.Cmd) error { cmds = append(cmds, c); return nil }}
	if err := Build(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 2 {
		t.Fatalf("ran %d commands, want the import check and the build", len(cmds))
	}
	if got := strings.Join(cmds[0].Args, " "); got != "-c import mkdocs" {
		t.Fatalf("check = %q", got)
	}
	b := cmds[1]
	if b.Name != "py" || !slices.Equal(b.Args, Args(o.Source, out)) || b.Dir != "proj" {
		t.Fatalf("build = %+v", b)
	}
	if !slices.Contains(b.Env, EnvVersion+"=1.2.3") {
		t.Fatalf("build env lacks %s=1.2.3", EnvVersion)
	}
}

func TestBuildMissingModule(t *testing.T) {
	o := Options{Source: Source{Kind: Sphinx, Path: "docs"}, Python: "py", Out: t.TempDir(),
		run: func(_ context.Context, c run.Cmd) error {
			return &run.Error{Cmdline: run.Cmdline(c.Name, c.Args), ExitCode: 1, Stderr: "ModuleNotFoundError: No module named 'sphinx'"}
		}}
	err := Build(context.Background(), o)
	var me *MissingError
	if !errors.As(err, &me) || me.Module != "sphinx" {
		t.Fatalf("err = %v, want a *MissingError for sphinx", err)
	}
	if !strings.Contains(err.Error(), "pip install sphinx") {
		t.Fatalf("the error does not say what to install: %v", err)
	}
}
