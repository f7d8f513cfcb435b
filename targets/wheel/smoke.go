package wheel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// smokeToolTimeout bounds one tool run: a --version that waits for input or
// the network must fail the release, not hang it.
const smokeToolTimeout = 2 * time.Minute

// SmokeOptions says which wheel to install and which of its commands to run.
type SmokeOptions struct {
	Python    string   // interpreter to create the venv with; it runs pip too
	Wheel     string   // the wheel to install
	FindLinks []string // local directories of wheels for dependencies; nothing else is searched
	Tools     []string // console scripts to run; the caller passes [project.scripts]; none: install only
	Command   []string // arguments for each tool; default ["--version"]
	Version   string   // must appear in each tool's output as a whole word; "" skips the check
	WorkDir   string   // where the venv goes; default a temporary directory removed afterwards
}

// Smoke installs the wheel into a fresh venv and runs each tool, requiring
// exit status 0 and the version in its output. It is the last check before
// upload that the wheel works when installed, away from the source tree:
// pip sees only the wheel and FindLinks (no index, no PIP_* settings, no pip
// configuration), and the tools run outside the project directory.
func Smoke(ctx context.Context, o SmokeOptions) error {
	if o.Python == "" {
		return errors.New("wheel: smoke test: no Python given to create the venv with")
	}
	if o.Wheel == "" {
		return errors.New("wheel: smoke test: no wheel given")
	}
	wheelPath, err := filepath.Abs(o.Wheel)
	if err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	if _, err := os.Stat(wheelPath); err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	for _, t := range o.Tools {
		if t == "" || strings.ContainsAny(t, `/\`) || t == "." || t == ".." {
			return fmt.Errorf("wheel: smoke test: tool %q is not a command name: want a [project.scripts] key", t)
		}
	}
	command := o.Command
	if len(command) == 0 {
		command = []string{"--version"}
	}
	work := o.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "pyrelease-smoke-"); err != nil {
			return fmt.Errorf("wheel: smoke test: %w", err)
		}
		defer os.RemoveAll(work)
	} else if work, err = filepath.Abs(work); err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	venv := filepath.Join(work, "venv")
	findLinks := make([]string, 0, len(o.FindLinks))
	for _, d := range o.FindLinks {
		abs, err := filepath.Abs(d)
		if err != nil {
			return fmt.Errorf("wheel: smoke test: %w", err)
		}
		findLinks = append(findLinks, abs)
	}

	tool := venvTool{python: o.Python, env: pyenv.PipEnv(os.Environ())}
	inner, err := tool.create(ctx, venv)
	if err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	// Without find-links, --no-index still installs the wheel itself, and
	// a dependency the caller did not provide fails, which is the point.
	args := pipInstallArgs(inner, true, findLinks, []string{wheelPath})
	if _, err := tool.run(ctx, work, args); err != nil {
		return fmt.Errorf("wheel: smoke test: pip could not install %s: %w", filepath.Base(wheelPath), err)
	}

	env := venvEnv(pyenv.PipEnv(os.Environ()), venv)
	for _, name := range o.Tools {
		if err := smokeTool(ctx, venv, work, env, name, command, o.Version); err != nil {
			return err
		}
	}
	return nil
}

func smokeTool(ctx context.Context, venv, work string, env []string, name string, command []string, version string) error {
	path := venvScript(venv, name)
	if _, err := os.Stat(path); err != nil {
		return &SmokeError{Tool: name, Command: command, ExitCode: -1, Detail: "was not installed", Output: fmt.Sprintf("the wheel has no console script %q (no %s)", name, path)}
	}
	ctx, cancel := context.WithTimeout(ctx, smokeToolTimeout)
	defer cancel()
	tail := &lineTail{max: outputTailLines}
	locked := &lockedWriter{w: tail}
	err := run.Run(ctx, run.Cmd{Name: path, Args: command, Dir: work, Env: env, Stdout: locked, Stderr: locked})
	out := tail.String()
	if err != nil {
		e := &SmokeError{Tool: name, Command: command, ExitCode: -1, Output: out}
		var re *run.Error
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			e.Detail = fmt.Sprintf("did not finish within %s", smokeToolTimeout)
		case errors.As(err, &re) && re.ExitCode >= 0:
			e.ExitCode = re.ExitCode
		default:
			e.Detail = "could not run (" + exitOf(err).Error() + ")"
		}
		return e
	}
	if version != "" && !pyenv.HasVersion(out, version) {
		return &SmokeError{Tool: name, Command: command, ExitCode: 0, Output: out, Version: version}
	}
	return nil
}
