package wheel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// InterpreterOptions says where to look for the Python that builds.
type InterpreterOptions struct {
	Dir    string // project directory: the backend is imported from there
	Python string // configured interpreter; used alone when set
	// PythonFrom names the setting Python came from in advice, such as
	// "PYRELEASE_PYTHON"; "" means python in [tool.pyrelease].
	PythonFrom string
	Backend    BuildSystem // zero means read it from Dir
	// Isolation asks for the Python that creates build venvs and runs pip:
	// it need not import the backend, which is installed into the venv.
	Isolation bool
}

// Interpreter finds the Python that builds the project: opts.Python (the
// python setting, which config reads from the file or PYRELEASE_PYTHON),
// else the first of python3 on PATH, /usr/bin/python3 and python that can
// import the build backend and has what it requires.
// A machine's default python3 is often one that cannot build (a pyenv
// Python without the backend), so choosing by probing, not by name, is
// what makes builds work without configuration. For setuptools projects
// the probe runs get_requires_for_build_wheel, which runs setup.py.
func Interpreter(ctx context.Context, o InterpreterOptions) (string, error) {
	if o.Isolation {
		if o.Python != "" {
			return run.LookPath(o.Python)
		}
		return anyPython()
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return "", fmt.Errorf("wheel: %w", err)
	}
	system := o.Backend
	if system.Backend == "" {
		if system, err = ReadBuildSystem(dir); err != nil {
			return "", err
		}
	}
	names, explicit := interpreterCandidates(o.Python, o.PythonFrom)
	e := &InterpreterError{Backend: system.Backend, Explicit: explicit}
	seen := map[string]bool{}
	for _, name := range names {
		path, err := run.LookPath(name)
		if err != nil {
			e.Tried = append(e.Tried, Attempt{Name: name, Reason: "not found"})
			continue
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		reason, missing, err := probe(ctx, path, dir, system)
		if err != nil {
			return "", err
		}
		if reason == "" {
			return path, nil
		}
		e.Tried = append(e.Tried, Attempt{Name: name, Path: path, Reason: reason})
		for _, m := range missing {
			if !slices.Contains(e.Install, m.Requirement) {
				e.Install = append(e.Install, m.Requirement)
			}
			if v, ok := strings.CutPrefix(m.Reason, "version "); ok {
				if e.Outdated == nil {
					e.Outdated = map[string]string{}
				}
				e.Outdated[m.Requirement] = strings.TrimSuffix(v, " is installed")
			}
		}
	}
	if len(e.Install) == 0 {
		e.Install = installHint(system)
	}
	return "", e
}

// interpreterCandidates lists what to try, in order, and where an explicit
// choice came from (for the error's advice).
func interpreterCandidates(configured, from string) (names []string, explicit string) {
	if configured == "" {
		return probed, ""
	}
	if from == "" {
		from = "python in [tool.pyrelease]"
	}
	return []string{configured}, from
}

// probed are the interpreters tried, in order, when none is configured.
var probed = []string{"python3", "/usr/bin/python3", "python"}

// probe asks python whether it can import the backend and satisfies its
// static and wheel-time requirements. reason is "" when it can; err is only
// for cancellation.
func probe(ctx context.Context, python, dir string, system BuildSystem) (reason string, missing []MissingRequirement, err error) {
	f := &frontend{python: python, dir: dir, system: system, env: os.Environ()}
	res, _, err := f.call(ctx, hookRequest{Requires: system.Requires, Check: []string{"wheel"}})
	if ctx.Err() != nil {
		return "", nil, err
	}
	var be *BackendError
	switch {
	case errors.As(err, &be):
		return be.Message, nil, nil
	case err != nil:
		return err.Error(), nil, nil
	case len(res.Missing) > 0:
		parts := make([]string, len(res.Missing))
		for i, m := range res.Missing {
			parts[i] = fmt.Sprintf("needs %q (%s)", m.Requirement, m.Reason)
			missing = append(missing, MissingRequirement{Requirement: m.Requirement, Reason: m.Reason})
		}
		return strings.Join(parts, ", "), missing, nil
	case res.Stage != "done":
		msg := res.Error
		if msg == "" {
			msg = "stopped at stage " + res.Stage
		}
		if res.Hook != "" && res.Stage != "import" {
			msg = res.Hook + ": " + msg
		}
		return msg, nil, nil
	}
	return "", nil, nil
}

// installHint names what to install when the probe could not tell: the
// static requirements, or the backend's top-level module.
func installHint(system BuildSystem) []string {
	if len(system.Requires) > 0 {
		return system.Requires
	}
	top, _, _ := strings.Cut(backendModule(system.Backend), ".")
	if top == "" {
		return nil
	}
	return []string{top}
}

// InstalledVersion is the version of a distribution installed in python,
// or "" when it is not installed.
func InstalledVersion(ctx context.Context, python, dist string) string {
	var out strings.Builder
	err := run.Run(ctx, run.Cmd{Name: python, Args: []string{"-c",
		"import importlib.metadata as m, sys\ntry:\n    print(m.version(sys.argv[1]))\nexcept m.PackageNotFoundError:\n    pass", dist},
		Stdout: &out})
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}
