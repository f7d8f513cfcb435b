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

	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// smokeTimeout bounds one --version run: a binary that waits for input or
// the network must fail the build, not hang it.
const smokeTimeout = 2 * time.Minute

// smokeTailLines is how much of a failing binary's output errors keep.
const smokeTailLines = 20

// smoke runs path --version from the work directory, away from the
// project's sources and without PYTHONPATH, so only what was frozen can be
// imported.
func (f *freezer) smoke(ctx context.Context, tool, path string) error {
	ctx, cancel := context.WithTimeout(ctx, smokeTimeout)
	defer cancel()
	name, args := path, []string{"--version"}
	if strings.HasSuffix(path, ".pyz") {
		name, args = f.o.Python, []string{path, "--version"}
	}
	tail := &lineTail{max: smokeTailLines}
	w := &lockedWriter{w: tail}
	err := run.Run(ctx, run.Cmd{Name: name, Args: args, Dir: filepath.Join(f.o.WorkDir, "launch"), Env: cleanEnv(os.Environ()), Stdout: w, Stderr: w})
	out := tail.String()
	if err != nil {
		e := &SmokeError{Tool: tool, Path: path, ExitCode: -1, Output: out}
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
	if !containsVersion(out, f.o.Version) {
		return &SmokeError{Tool: tool, Path: path, Output: out, Version: f.o.Version}
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

// containsVersion reports whether out mentions version as a whole word:
// 2.0 is in "greet 2.0", "greet v2.0." and "greet, version 2.0 (Python
// 3.11)", but not in "greet 2.0.1", "greet 12.0" or "greet 2.0.dev3".
func containsVersion(out, version string) bool {
	if version == "" {
		return false
	}
	isWord := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for from := 0; ; {
		i := strings.Index(out[from:], version)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(version)
		from = start + 1
		if start > 0 {
			prev := out[start-1]
			vPrefix := (prev == 'v' || prev == 'V') && (start == 1 || !isWord(out[start-2]))
			if (isWord(prev) && !vPrefix) || prev == '.' || prev == '+' || prev == '-' {
				continue
			}
		}
		if end < len(out) {
			next := out[end]
			if isWord(next) {
				continue
			}
			if (next == '.' || next == '+' || next == '-') && end+1 < len(out) && isWord(out[end+1]) {
				continue
			}
		}
		return true
	}
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
