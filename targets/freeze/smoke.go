package freeze

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
// from the work directory, away from the project's sources and without
// PYTHONPATH, so only what was frozen can be imported.
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
	tail := &lineTail{max: smokeTailLines}
	w := &lockedWriter{w: tail}
	err := run.Run(ctx, run.Cmd{Name: name, Args: args, Dir: filepath.Join(f.o.WorkDir, "launch"), Env: cleanEnv(os.Environ()), Stdout: w, Stderr: w})
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

// lineTail keeps the last max lines written to it.
type lineTail struct {
	max   int
	lines []string
	part  string
}

func (t *lineTail) Write(p []byte) (int, error) {
	parts := strings.Split(t.part+string(p), "\n")
	t.part = parts[len(parts)-1]
	t.lines = append(t.lines, parts[:len(parts)-1]...)
	if len(t.lines) > t.max {
		t.lines = append(t.lines[:0], t.lines[len(t.lines)-t.max:]...)
	}
	if len(t.part) > 64<<10 { // a runaway line without newlines
		t.part = t.part[len(t.part)-64<<10:]
	}
	return len(p), nil
}

func (t *lineTail) String() string {
	lines := t.lines
	if t.part != "" {
		lines = append(append([]string(nil), lines...), t.part)
		if len(lines) > t.max {
			lines = lines[len(lines)-t.max:]
		}
	}
	return strings.Join(lines, "\n")
}

// lockedWriter lets a command's stdout and stderr share one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  interface{ Write([]byte) (int, error) }
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
