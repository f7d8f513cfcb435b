package store

import (
	"errors"
	"fmt"
)

// Errors callers branch on.
var (
	// ErrNotExist is wrapped by errors for a missing object.
	ErrNotExist = errors.New("no such object")
	// ErrMismatch is wrapped when stored bytes differ from what was sent.
	ErrMismatch = errors.New("size or sha256 differs")
	// ErrUnsafe is wrapped when a name or link would escape where it belongs.
	ErrUnsafe = errors.New("unsafe name")
	// ErrExists is wrapped when a create-only write finds the key taken.
	ErrExists = errors.New("already exists")
	// ErrNoFiles is wrapped when a fetch finds nothing of the version.
	ErrNoFiles = errors.New("nothing published")
)

// MismatchError is returned when stored bytes differ from what was sent.
type MismatchError struct {
	Location              string
	WantSize, GotSize     int64
	WantSHA256, GotSHA256 string // GotSHA256 is "" when the store cannot tell
}

func (e *MismatchError) Error() string {
	if e.WantSize != e.GotSize {
		return fmt.Sprintf("store: %s: size %d, want %d", e.Location, e.GotSize, e.WantSize)
	}
	if e.GotSHA256 == "" {
		return fmt.Sprintf("store: %s: the server refused the bytes as not of sha256 %s", e.Location, e.WantSHA256)
	}
	return fmt.Sprintf("store: %s: sha256 %s, want %s", e.Location, e.GotSHA256, e.WantSHA256)
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }
