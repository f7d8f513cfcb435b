package installer

import (
	"errors"
	"fmt"
)

// ErrUnsupported is wrapped by a SkipError: this machine cannot build the
// requested kind (a .dmg off macOS, makeself or makensis not installed). A
// caller logs it and goes on rather than failing the release.
var ErrUnsupported = errors.New("installer kind not supported here")

// ErrUnknownKind is returned when Kind is not run, exe or dmg, or when an
// empty Kind cannot be derived from Platform.
var ErrUnknownKind = errors.New("unknown installer kind")

// ErrBadOptions is wrapped by every OptionsError.
var ErrBadOptions = errors.New("invalid installer options")

// ErrSmoke is wrapped by every SmokeError: an installed tool did not run or
// did not report the expected version.
var ErrSmoke = errors.New("installer smoke test failed")

// SkipError says why an installer kind cannot be built on this machine.
type SkipError struct {
	Kind   string
	Reason string
}

func (e *SkipError) Error() string {
	return fmt.Sprintf("installer: %s: %s", e.Kind, e.Reason)
}

func (e *SkipError) Unwrap() error { return ErrUnsupported }

// OptionsError names the Options field that is wrong and what was expected.
type OptionsError struct {
	Field  string
	Value  string
	Reason string
}

func (e *OptionsError) Error() string {
	return fmt.Sprintf("installer: %s %q: %s", e.Field, e.Value, e.Reason)
}

func (e *OptionsError) Unwrap() error { return ErrBadOptions }

// SmokeError reports an installed tool that failed its --version check,
// with the tail of what it printed.
type SmokeError struct {
	Installer string
	Tool      string
	Version   string // the version that was expected
	Output    string // tail of the tool's (or the installer's) output
	Err       error  // the underlying failure, if the command itself failed
}

func (e *SmokeError) Error() string {
	msg := fmt.Sprintf("installer: %s: %s --version: expected version %s in the output", e.Installer, e.Tool, e.Version)
	if e.Err != nil {
		msg = fmt.Sprintf("installer: %s: %s: %v", e.Installer, e.Tool, e.Err)
	}
	if e.Output != "" {
		msg += "\n" + e.Output
	}
	return msg
}

func (e *SmokeError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrSmoke, e.Err}
	}
	return []error{ErrSmoke}
}
