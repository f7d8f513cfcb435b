package freeze

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// smokeTimeout bounds one --version run: a binary that waits for input or
// the network must fail the build, not hang it.
const smokeTimeout = 2 * time.Minute

// smokeTailLines is how much of a failing binary's output errors keep.
const smokeTailLines = 20

// smoke runs the binary with its smoke arguments (--version by default)
// from the work directory, away from the project's sources. A PyInstaller
// binary runs with an empty environment (a HOME, a PATH and a TMPDIR of
// empty temporary directories, LANG=C.UTF-8), as on a machine without
// Python: one that needs anything of the build machine's fails here. A
// zipapp needs a python3 from PATH by nature, and runs without PYTHONPATH.
func (f *freezer) smoke(ctx context.Context, t Tool, path string) error {
	ctx, cancel := context.WithTimeout(ctx, smokeTimeout)
	defer cancel()
	args := t.SmokeArgs
	if args == nil {
		args = []string{"--version"}
	}
	name := path
	if strings.HasSuffix(path, ".pyz") {
		name, args = f.o.Python, append([]string{path}, args...)
	}
	env := cleanEnv(os.Environ())
	dir := filepath.Join(f.o.WorkDir, "launch")
	if f.o.Freezer == PyInstaller {
		var err error
		if dir, env, err = emptyEnv(filepath.Join(f.o.WorkDir, "smoke", t.Name)); err != nil {
			return fmt.Errorf("freeze: %s: %w", t.Name, err)
		}
	}
	tail := &run.Tail{Lines: smokeTailLines}
	err := run.Run(ctx, run.Cmd{Name: name, Args: args, Dir: dir, Env: env, Stdout: tail, Stderr: tail})
	out := tail.String()
	if err != nil {
		e := &SmokeError{Tool: t.Name, Path: path, ExitCode: -1, Output: out}
		var re *run.Error
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			e.Detail = fmt.Sprintf("did not finish within %s", smokeTimeout)
		case errors.As(err, &re) && re.ExitCode >= 0:
			e.ExitCode = re.ExitCode
		default:
			e.Detail = "could not run: " + err.Error()
		}
		return e
	}
	if t.SmokeArgs == nil && !pyenv.HasVersion(out, f.o.Version) {
		return &SmokeError{Tool: t.Name, Path: path, Output: out, Version: f.o.Version}
	}
	return nil
}

// emptyEnv makes root's empty home, bin and tmp directories and returns the
// home and the environment of a binary that must need nothing of this
// machine's: no Python on PATH, no PYTHON* or PIP_* variable, no site
// directories in HOME.
func emptyEnv(root string) (string, []string, error) {
	home, bin, tmp := filepath.Join(root, "home"), filepath.Join(root, "bin"), filepath.Join(root, "tmp")
	for _, d := range []string{home, bin, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", nil, err
		}
	}
	env := []string{"HOME=" + home, "PATH=" + bin, "TMPDIR=" + tmp, "LANG=C.UTF-8"}
	if runtime.GOOS == "windows" {
		// Windows programs cannot start without these.
		for _, k := range []string{"SYSTEMROOT", "WINDIR"} {
			if v := os.Getenv(k); v != "" {
				env = append(env, k+"="+v)
			}
		}
		env = append(env, "TEMP="+tmp, "TMP="+tmp, "USERPROFILE="+home)
	}
	return home, env, nil
}

// cleanEnv drops what would let a binary import from outside itself.
func cleanEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP":
			continue
		}
		out = append(out, kv)
	}
	return out
}
