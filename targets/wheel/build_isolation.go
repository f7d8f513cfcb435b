package wheel

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// isolate points f at a fresh venv holding the static build requirements
// and what the backend's get_requires_for_build_* hooks ask for, the way
// pip's build isolation does. The returned cleanup removes the venv.
func isolate(ctx context.Context, f *frontend, o BuildOptions, kinds []string) (cleanup func(), err error) {
	outer := f.python
	if outer == "" {
		if outer, err = anyPython(); err != nil {
			return nil, err
		}
	}
	owned, err := statedir.TempDir("pyrelease-isolated-")
	if err != nil {
		return nil, fmt.Errorf("wheel: %w", err)
	}
	cleanup = func() { owned.Remove() }
	// The venv is a folder of the owned one, beside its tmp/: uv makes
	// venvs only where nothing is yet.
	venv := filepath.Join(owned.Path, "venv")

	env := run.Environ()
	if len(o.FindLinks) > 0 {
		env = pyenv.PipEnv(env) // only the given directories, whatever the machine's pip settings
	} else {
		env = append(env, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
	}
	if env, err = tempEnv(env, owned.Path); err != nil {
		return cleanup, fmt.Errorf("wheel: %w", err)
	}
	tool, err := venvTool{python: outer, env: env, verbose: o.Verbose, stderr: o.Stderr}.withUV(o.UV, len(o.FindLinks) > 0)
	if err != nil {
		return cleanup, fmt.Errorf("wheel: isolated build: %w", err)
	}
	inner, err := tool.create(ctx, venv)
	if err != nil {
		return cleanup, err
	}
	if len(f.system.Requires) > 0 {
		if _, err := tool.install(ctx, inner, o.FindLinks, f.system.Requires); err != nil {
			return cleanup, fmt.Errorf("wheel: isolated build: cannot install the build requirements: %w", err)
		}
	}
	f.python = inner
	f.env = venvEnv(f.env, venv)

	res, out, err := f.call(ctx, hookRequest{Check: kinds, List: true})
	if err != nil {
		return cleanup, err
	}
	if res.Stage != "done" {
		return cleanup, f.failure(res, out)
	}
	var dynamic []string
	for _, kind := range kinds {
		for _, r := range res.Require[kind] {
			if err := checkRequirement(r); err != nil {
				return cleanup, &BackendError{Backend: f.system.Backend, Python: inner, Hook: "get_requires_for_build_" + kind, Message: err.Error(), Output: out}
			}
			if !slices.Contains(dynamic, r) {
				dynamic = append(dynamic, r)
			}
		}
	}
	if len(dynamic) > 0 {
		if _, err := tool.install(ctx, inner, o.FindLinks, dynamic); err != nil {
			return cleanup, fmt.Errorf("wheel: isolated build: cannot install what the backend asked for: %w", err)
		}
	}
	return cleanup, nil
}

// anyPython is the first Python found, for creating a venv when none was
// chosen: it does not need to import the backend itself.
func anyPython() (string, error) {
	names := probed
	for _, n := range names {
		if p, err := run.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("wheel: isolated build: no Python found (tried %v): set python in [tool.pyrelease]", names)
}
