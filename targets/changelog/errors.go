package changelog

import (
	"errors"
	"fmt"
)

// Sentinels, to test with errors.Is.
var (
	// ErrNotFound means a directory has none of the usual changelog files.
	ErrNotFound = errors.New("no changelog found")
	// ErrNoUnreleased means a changelog has no section for unreleased
	// changes to turn into the release.
	ErrNoUnreleased = errors.New("no unreleased section")
	// ErrAlreadyReleased means the changelog already has a section for the
	// version, as after running the release twice.
	ErrAlreadyReleased = errors.New("version already in the changelog")
	// ErrBadVersion means the version would not make a one-word heading.
	ErrBadVersion = errors.New("bad version string")
	// ErrBadDate means the release date is the zero time, which is always a
	// caller's mistake.
	ErrBadDate = errors.New("bad release date")
)

// NoUnreleasedError names the changelog and the heading that was expected.
type NoUnreleasedError struct {
	Path string // the file, as given
	Want string // the headings that would have been accepted
}

func (e *NoUnreleasedError) Error() string {
	return fmt.Sprintf("changelog: %s: no unreleased section found: want %s", e.Path, e.Want)
}

// Unwrap makes errors.Is(err, ErrNoUnreleased) true.
func (e *NoUnreleasedError) Unwrap() error { return ErrNoUnreleased }
