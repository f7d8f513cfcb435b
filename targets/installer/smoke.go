package installer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// outputTail is how much of a tool's output a SmokeError keeps.
const outputTail = 1024

// SmokeRun installs a .run installer into a temporary prefix, as a user
// would (sh INSTALLER --quiet -- --prefix DIR), then runs each tool's
// DIR/bin/TOOL --version and checks it exits 0 and prints version as a
// whole word. It proves the payload unpacks, lands where the docs say and
// is the build being released.
func SmokeRun(ctx context.Context, installer string, tools []string, version string) error {
	if len(tools) == 0 {
		return fmt.Errorf("installer: %s: %w: no tools to check", installer, ErrSmoke)
	}
	abs, err := filepath.Abs(installer)
	if err != nil {
		return fmt.Errorf("installer: %s: %w", installer, err)
	}
	prefix, err := os.MkdirTemp("", "pyrelease-smoke-")
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	defer os.RemoveAll(prefix)
	// makeself extracts under TMPDIR; keep that inside our own directory so
	// a failed run leaves nothing behind.
	tmp := filepath.Join(prefix, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	var out bytes.Buffer
	err = run.Run(ctx, run.Cmd{
		Name:   "sh",
		Args:   []string{abs, "--quiet", "--", "--prefix", prefix},
		Dir:    prefix,
		Env:    run.Environ("TMPDIR=" + tmp),
		Stdout: &out,
		Stderr: &out,
	})
	if err != nil {
		return &SmokeError{Installer: installer, Tool: "install", Version: version, Output: tail(out.String()), Err: err}
	}
	for _, tool := range tools {
		bin := filepath.Join(prefix, "bin", tool)
		out.Reset()
		err := run.Run(ctx, run.Cmd{Name: bin, Args: []string{"--version"}, Dir: prefix, Stdout: &out, Stderr: &out})
		if err != nil {
			return &SmokeError{Installer: installer, Tool: tool, Version: version, Output: tail(out.String()), Err: err}
		}
		if !pyenv.HasVersion(out.String(), version) {
			return &SmokeError{Installer: installer, Tool: tool, Version: version, Output: tail(out.String())}
		}
	}
	return nil
}

// tail keeps the end of s, cut at a line start when one is near.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= outputTail {
		return s
	}
	s = s[len(s)-outputTail:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < outputTail/4 {
		s = s[i+1:]
	}
	return "..." + s
}
