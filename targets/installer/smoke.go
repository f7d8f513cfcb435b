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
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// outputTail is how much of a tool's output a SmokeError keeps.
const outputTail = 1024

// SmokeRun installs a .run installer into a temporary prefix, as a user
// would (sh INSTALLER --quiet -- --prefix DIR), then runs each tool's
// DIR/bin/TOOL --version and checks it exits 0 and prints version as a
// whole word. It proves the payload unpacks, lands where the docs say and
// is the build being released.
func SmokeRun(ctx context.Context, installer string, tools []Check, version string) error {
	if len(tools) == 0 {
		return fmt.Errorf("installer: %s: %w: no tools to check", installer, ErrSmoke)
	}
	abs, err := filepath.Abs(installer)
	if err != nil {
		return fmt.Errorf("installer: %s: %w", installer, err)
	}
	if err := checkRunExpansion(abs, maxExpanded); err != nil {
		return err
	}
	tmpDir, err := statedir.TempDir("pyrelease-smoke-")
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	defer tmpDir.Remove()
	prefix := tmpDir.Path
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
		bin := filepath.Join(prefix, "bin", tool.Name)
		if tool.Skip {
			if _, err := os.Stat(bin); err != nil {
				return &SmokeError{Installer: installer, Tool: tool.Name, Version: version, Output: "not installed", Err: err}
			}
			continue
		}
		args := tool.Args
		if args == nil {
			args = []string{"--version"}
		}
		out.Reset()
		err := run.Run(ctx, run.Cmd{Name: bin, Args: args, Dir: prefix, Stdout: &out, Stderr: &out})
		if err != nil {
			return &SmokeError{Installer: installer, Tool: tool.Name, Version: version, Output: tail(out.String()), Err: err}
		}
		if tool.Args == nil && !pyenv.HasVersion(out.String(), version) {
			return &SmokeError{Installer: installer, Tool: tool.Name, Version: version, Output: tail(out.String())}
		}
	}
	return nil
}

// Check is how the smoke test runs one installed tool.
type Check struct {
	Name string
	// Args are its arguments; nil means --version, which must print the
	// version. Other arguments need only exit status 0.
	Args []string
	Skip bool // only checked to be installed (a daemon)
}

// Checks are the default checks of tools: each run with --version.
func Checks(tools ...string) []Check {
	out := make([]Check, len(tools))
	for i, t := range tools {
		out[i] = Check{Name: t}
	}
	return out
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
