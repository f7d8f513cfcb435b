// Package docs builds a project's documentation with the tool it is
// written for, Sphinx or MkDocs, stamped with the version being built.
// Detecting the tool and the command line are pure functions; the build
// runs through internal/run with the interpreter the caller chose.
package docs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// Kind is the documentation tool a project uses.
type Kind string

// The tools Build knows.
const (
	Sphinx Kind = "sphinx"
	MkDocs Kind = "mkdocs"
)

// EnvVersion is the variable a build is given the version in, for
// conf.py (os.environ) or mkdocs.yml (!ENV) to read.
const EnvVersion = "PYRELEASE_BUILD_VERSION"

// ErrNoDocs is returned when a project has no documentation Build knows.
var ErrNoDocs = errors.New("no docs/conf.py, conf.py or mkdocs.yml found")

// Source is where a project's documentation is: its tool and the folder
// (Sphinx: the one holding conf.py) or file (MkDocs: mkdocs.yml).
type Source struct {
	Kind Kind
	Path string
	// Dir is the project, where the build runs, so relative paths in
	// conf.py or mkdocs.yml resolve as they do for its authors.
	Dir string
}

// Detect finds the documentation of the project in dir, given the names
// of the files it has (relative, slash-separated): docs/conf.py, then
// conf.py for Sphinx, then mkdocs.yml (or mkdocs.yaml) for MkDocs.
func Detect(dir string, has func(rel string) bool) (Source, error) {
	for _, c := range []struct {
		rel, src string
		kind     Kind
	}{
		{"docs/conf.py", "docs", Sphinx},
		{"conf.py", ".", Sphinx},
		{"mkdocs.yml", "mkdocs.yml", MkDocs},
		{"mkdocs.yaml", "mkdocs.yaml", MkDocs},
	} {
		if has(c.rel) {
			return Source{Kind: c.kind, Path: filepath.Join(dir, filepath.FromSlash(c.src)), Dir: dir}, nil
		}
	}
	return Source{}, fmt.Errorf("docs: %s: %w: add one for Sphinx or MkDocs", dir, ErrNoDocs)
}

// DetectDir is Detect over the files on disk.
func DetectDir(dir string) (Source, error) {
	return Detect(dir, func(rel string) bool {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		return err == nil && fi.Mode().IsRegular()
	})
}

// Module is the Python module that builds docs of kind k, and what to
// pip install for it.
func Module(k Kind) string {
	return string(k)
}

// Args are the arguments python is run with to build src into out.
func Args(src Source, out string) []string {
	switch src.Kind {
	case Sphinx:
		return []string{"-m", "sphinx", "-b", "html", "-q", src.Path, out}
	case MkDocs:
		return []string{"-m", "mkdocs", "build", "-q", "-f", src.Path, "-d", out}
	}
	return nil
}

// Env is the environment a build adds to the current one.
func Env(version string) []string {
	return []string{EnvVersion + "=" + version}
}

// Options say what Build builds, with what and where.
type Options struct {
	Source  Source
	Python  string // the interpreter that has the tool's module
	Version string // handed to the build as EnvVersion
	Out     string // the folder the HTML goes to, emptied first
	Stderr  io.Writer
	// run is the command runner; nil means run.Run. Tests swap it to see
	// the command.
	run func(context.Context, run.Cmd) error
}

// MissingError says the interpreter cannot import the tool's module.
type MissingError struct {
	Python string
	Module string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("docs: %s cannot import %s: pip install %s into it, or set python (PYRELEASE_PYTHON) to an interpreter that has it",
		e.Python, e.Module, e.Module)
}

// Build builds the documentation into o.Out. An interpreter without the
// tool's module is a *MissingError, before anything runs.
func Build(ctx context.Context, o Options) error {
	runner := o.run
	if runner == nil {
		runner = run.Run
	}
	mod := Module(o.Source.Kind)
	if err := runner(ctx, run.Cmd{Name: o.Python, Args: []string{"-c", "import " + mod}}); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("docs: %w", ctx.Err())
		}
		var re *run.Error
		if errors.As(err, &re) && re.ExitCode >= 0 {
			return &MissingError{Python: o.Python, Module: mod}
		}
		return fmt.Errorf("docs: checking for %s: %w", mod, err)
	}
	if err := os.RemoveAll(o.Out); err != nil {
		return fmt.Errorf("docs: emptying %s: %w", o.Out, err)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	cmd := run.Cmd{Name: o.Python, Args: Args(o.Source, o.Out), Dir: o.Source.Dir,
		Env: run.Environ(Env(o.Version)...), Stderr: o.Stderr}
	if err := runner(ctx, cmd); err != nil {
		return fmt.Errorf("docs: %s build of %s: %w", o.Source.Kind, o.Source.Path, err)
	}
	return nil
}
