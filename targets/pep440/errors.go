package pep440

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every ParseError, so callers can test for a bad
// version with errors.Is without caring about the reason.
var ErrInvalid = errors.New("not a valid PEP 440 version")

// ErrDevTag is returned by NextDev when the tag is a dev release other
// than .dev0: "1.2.0.dev3" plus five commits has no PEP 440 spelling that
// sorts after the tag and before the release it leads to.
var ErrDevTag = errors.New("a dev release tag other than .dev0 cannot carry a commit distance")

// ErrBump is wrapped by every BumpError: the requested bump is unknown or
// would not move the version forward.
var ErrBump = errors.New("cannot bump version")

// ParseError says which input was rejected and why.
type ParseError struct {
	Input  string // the string given to Parse, unmodified
	Reason string // what was expected where the input went wrong
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("pep440: %q is not a valid PEP 440 version: %s", e.Input, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ParseError) Unwrap() error { return ErrInvalid }

// BumpError says which bump of which version was refused and why.
type BumpError struct {
	Version string // the normalised version that was to be bumped
	Part    string // the part requested, as given
	Reason  string
}

func (e *BumpError) Error() string {
	return fmt.Sprintf("pep440: cannot bump %s of %s: %s", e.Part, e.Version, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBump) hold.
func (e *BumpError) Unwrap() error { return ErrBump }
