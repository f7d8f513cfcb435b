// Package run is the only place pyrelease starts other programs. Every
// command runs under a context, and a failure carries the command line, the
// exit code and the tail of what the command wrote to stderr, so the error
// alone is enough to see what went wrong.
package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// tailBytes is how much of a failed command's stderr an error keeps.
const tailBytes = 2048

// waitDelay is how long a cancelled command has to exit, and its output
// pipes to close, before it is killed and abandoned.
const waitDelay = 3 * time.Second

// Cmd describes one command to run.
type Cmd struct {
	Name string   // program name or path
	Args []string // arguments, without the program name
	Dir  string   // working directory; empty means the current one
	// Env replaces the environment when non-nil. Use Environ to start from
	// the current one.
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer // where stdout goes as well as being returned; may be nil
	Stderr io.Writer // where stderr goes as well as being kept for errors; may be nil
}

// Error is returned when a command cannot start or exits non-zero.
type Error struct {
	Cmdline  string
	ExitCode int    // -1 when the command did not start or was killed
	Stderr   string // the last bytes of stderr
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run: %s", e.Cmdline)
	if e.ExitCode >= 0 {
		fmt.Fprintf(&b, ": exit status %d", e.ExitCode)
	} else if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		fmt.Fprintf(&b, "\n%s", s)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Output runs c and returns its standard output.
func Output(ctx context.Context, c Cmd) ([]byte, error) {
	var out bytes.Buffer
	stdout := io.Writer(&out)
	if c.Stdout != nil {
		stdout = io.MultiWriter(&out, c.Stdout)
	}
	tail := &Tail{Bytes: tailBytes}
	stderr := io.Writer(tail)
	if c.Stderr != nil {
		stderr = io.MultiWriter(tail, c.Stderr)
	}
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdin = c.Stdin
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	setCancel(cmd)
	err := cmd.Run()
	if err == nil {
		return out.Bytes(), nil
	}
	e := &Error{Cmdline: Cmdline(c.Name, c.Args), ExitCode: -1, Stderr: tail.String(), Err: err}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() >= 0 {
		e.ExitCode = exit.ExitCode()
	}
	if ctx.Err() != nil {
		e.Err = ctx.Err()
		e.ExitCode = -1
	}
	return out.Bytes(), e
}

// Run runs c and discards its standard output unless c.Stdout is set.
func Run(ctx context.Context, c Cmd) error {
	_, err := Output(ctx, c)
	return err
}

// Shell runs a command line through the platform's shell.
func Shell(ctx context.Context, c Cmd, line string) error {
	c.Name, c.Args = "sh", []string{"-c", line}
	if isWindows {
		c.Name, c.Args = "cmd", []string{"/C", line}
	}
	return Run(ctx, c)
}

// LookPath reports the path of an executable, as exec.LookPath does.
func LookPath(name string) (string, error) { return exec.LookPath(name) }

// Environ returns the current environment with the given KEY=VALUE pairs
// set, replacing earlier values of the same keys.
func Environ(set ...string) []string {
	env := os.Environ()
	for _, kv := range set {
		key, _, _ := strings.Cut(kv, "=")
		env = removeKey(env, key)
		env = append(env, kv)
	}
	return env
}

func removeKey(env []string, key string) []string {
	out := env[:0]
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return out
}

// Cmdline renders a command for messages, quoting arguments that need it.
func Cmdline(name string, args []string) string {
	parts := make([]string, 0, len(args)+1)
	for _, a := range append([]string{name}, args...) {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
