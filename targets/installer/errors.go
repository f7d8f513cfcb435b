package installer

import (
	"errors"
	"fmt"
	"path/filepath"
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

// ErrPlatform is wrapped by every PlatformError: what was to be wrapped is
// not for the installer's platform.
var ErrPlatform = errors.New("not for the installer's platform")

// PlatformError refuses an installer for the wrong platform, or a file it
// cannot hold: an .exe of Linux programs, a .run named for Windows, a
// zipapp in an .exe.
type PlatformError struct {
	Kind     string // the installer kind
	Platform string // the platform not the kind's; with File, the build File came from, when known
	File     string // set when a file is not for the kind's platform
	Format   Format // what File is
}

func (e *PlatformError) Error() string {
	sys := platformOS[e.Kind]
	if e.File == "" {
		return fmt.Sprintf("installer: %s: platform %q is not a %s platform: a .%s holds %s programs and is named for their platform", e.Kind, e.Platform, sys, e.Kind, sys)
	}
	name := filepath.Base(e.File)
	if e.Platform != "" {
		name += " (of the " + e.Platform + " build)"
	}
	if e.Kind == KindEXE && e.Format == FormatZipapp {
		return fmt.Sprintf("installer: exe: %s is a zipapp, which needs a Python that Windows does not have; an .exe installs tools that run without one: freeze with freezer = \"pyinstaller\" on Windows, or leave \"exe\" out of installers", name)
	}
	return fmt.Sprintf("installer: %s: %s is %s, not a %s program: a .%s installs the %s build of each tool (its archive from a %s runner)", e.Kind, name, e.Format.describe(), sys, e.Kind, sys, sys)
}

func (e *PlatformError) Unwrap() error { return ErrPlatform }

// ErrTooLarge is wrapped by every TooLargeError.
var ErrTooLarge = errors.New("installer payload too large")

// TooLargeError refuses to unpack an installer whose payload expands
// beyond Limit bytes.
type TooLargeError struct {
	Installer string
	Limit     int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("installer: %s: payload expands to more than %d MiB, the most pyrelease unpacks; a compression bomb or a corrupt file", e.Installer, e.Limit>>20)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }
