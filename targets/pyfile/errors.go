package pyfile

import (
	"errors"
	"fmt"
)

// Sentinels, to test with errors.Is; the typed errors below carry the details.
var (
	// ErrNoVersion means a file holds no version where one was expected.
	ErrNoVersion = errors.New("no version found")
	// ErrDynamicVersion means the version is computed at build time (PEP 621
	// dynamic, or a setup.cfg attr:/file: directive), so there is no literal
	// to read or rewrite.
	ErrDynamicVersion = errors.New("version is dynamic")
	// ErrUnknownKind means a file's kind cannot be told from its name and no
	// pattern was configured for it.
	ErrUnknownKind = errors.New("unknown kind of version file")
	// ErrBadPattern means a configured pattern does not say which part of
	// its match is the version.
	ErrBadPattern = errors.New("bad version pattern")
	// ErrBadVersion means a version to write holds characters that could
	// break the file's syntax (quotes, spaces, newlines...).
	ErrBadVersion = errors.New("bad version string")
	// ErrDuplicateFile means the same file is listed twice, which would make
	// restoring its original ambiguous.
	ErrDuplicateFile = errors.New("file listed twice")
	// ErrConflict means a file changed after an interrupted stamp, so
	// recovery kept the user's file and saved the original beside it.
	ErrConflict = errors.New("file changed since an interrupted stamp")
	// ErrJournal means the stamp journal is unreadable or inconsistent.
	ErrJournal = errors.New("bad stamp journal")
	// ErrBusy means another stamp of the same project is in progress.
	ErrBusy = errors.New("stamp in progress")
)

// NotFoundError says which file lacked a version and what was looked for.
type NotFoundError struct {
	Path string // the file, as given
	Want string // what would have been accepted, for the message
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("pyfile: %s: no %s found", e.Path, e.Want)
}

// Unwrap makes errors.Is(err, ErrNoVersion) true.
func (e *NotFoundError) Unwrap() error { return ErrNoVersion }

// DynamicError says which field of which file declares a dynamic version.
type DynamicError struct {
	Path   string // the file, as given
	Field  string // e.g. "[project].version"
	Detail string // why it is considered dynamic
}

func (e *DynamicError) Error() string {
	return fmt.Sprintf("pyfile: %s: %s is dynamic (%s): there is no literal version to read or rewrite", e.Path, e.Field, e.Detail)
}

// Unwrap makes errors.Is(err, ErrDynamicVersion) true.
func (e *DynamicError) Unwrap() error { return ErrDynamicVersion }

// PatternError says why a configured pattern cannot be used.
type PatternError struct {
	Path    string // the file the pattern was configured for
	Pattern string
	Groups  int // number of capture groups in Pattern
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("pyfile: %s: pattern %q has %d capture groups: want exactly one, or one named \"version\"", e.Path, e.Pattern, e.Groups)
}

// Unwrap makes errors.Is(err, ErrBadPattern) true.
func (e *PatternError) Unwrap() error { return ErrBadPattern }

// ConflictError reports a file that Recover did not overwrite because it was
// edited after the interrupted stamp; Orig is where its original went.
type ConflictError struct {
	Path string // the file that was kept as the user left it
	Orig string // where the pre-stamp original was saved
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("pyfile: %s: changed since an interrupted stamp: kept as it is, the original from before the stamp is in %s", e.Path, e.Orig)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// BusyError reports a stamp of the project that is still in progress, in
// another pyrelease run (or in this one): its files are stamped on purpose
// and stay so until it ends.
type BusyError struct {
	Dir  string // the project directory
	PID  int    // the process that stamps; 0 when unknown
	Lock string // the lock file it holds
}

func (e *BusyError) Error() string {
	owner := "another process"
	if e.PID != 0 {
		owner = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("pyfile: %s: a build is in progress in %s, which holds %s: want one build of a project at a time, wait for it to end or stop it", e.Dir, owner, e.Lock)
}

// Unwrap makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Unwrap() error { return ErrBusy }
