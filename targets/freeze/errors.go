package freeze

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels to test with errors.Is; the typed errors below carry details.
var (
	// ErrBadTool means a Tool's configuration cannot work: a missing file,
	// a malformed entry point or name.
	ErrBadTool = errors.New("bad tool")
	// ErrFreezer means Options.Freezer names no known freezer.
	ErrFreezer = errors.New("unknown freezer")
	// ErrNoPyInstaller means pip could not install PyInstaller into the
	// freeze environment.
	ErrNoPyInstaller = errors.New("PyInstaller could not be installed")
	// ErrEntryPoint means a tool's entry point does not import or is not
	// callable, so the binary could only fail.
	ErrEntryPoint = errors.New("entry point does not import")
	// ErrSmoke means a frozen binary failed its --version run.
	ErrSmoke = errors.New("smoke test failed")
)

// ToolError says which field of which tool is wrong and what was expected.
type ToolError struct {
	Tool   string // the tool's Name, or its index when the name is the problem
	Field  string // "name", "entry-point", "icon", "hooks-dir", "data", "excludes"
	Value  string
	Detail string
}

func (e *ToolError) Error() string {
	return fmt.Sprintf("freeze: tool %s: %s %q: %s", e.Tool, e.Field, e.Value, e.Detail)
}

// Unwrap makes errors.Is(err, ErrBadTool) true.
func (e *ToolError) Unwrap() error { return ErrBadTool }

// EntryPointError is an entry point the build interpreter cannot import or
// call; Output is what Python said.
type EntryPointError struct {
	Tool       string
	EntryPoint string
	Python     string
	Output     string
}

func (e *EntryPointError) Error() string {
	return fmt.Sprintf("freeze: %s: entry point %s does not import with %s: %s", e.Tool, e.EntryPoint, e.Python, strings.TrimSpace(e.Output))
}

// Unwrap makes errors.Is(err, ErrEntryPoint) true.
func (e *EntryPointError) Unwrap() error { return ErrEntryPoint }

// SmokeError is a frozen binary that failed its --version run.
type SmokeError struct {
	Tool     string
	Path     string // the binary
	ExitCode int    // -1 when it did not run or was killed
	Output   string // the tail of what it printed
	Version  string // set when the output lacked this version
	Detail   string // set when it could not run or timed out
}

func (e *SmokeError) Error() string {
	out := strings.TrimSpace(e.Output)
	switch {
	case e.Version != "":
		return fmt.Sprintf("freeze: %s: --version printed %q, which does not contain the version %s", e.Tool, out, e.Version)
	case e.Detail != "":
		return fmt.Sprintf("freeze: %s: --version %s: %s", e.Tool, e.Detail, out)
	default:
		return fmt.Sprintf("freeze: %s: --version exited %d: %s", e.Tool, e.ExitCode, out)
	}
}

// Unwrap makes errors.Is(err, ErrSmoke) true.
func (e *SmokeError) Unwrap() error { return ErrSmoke }
