package gitread

import (
	"errors"
	"fmt"
)

// Sentinel errors; test for them with errors.Is. Their text has no
// package prefix: the caller's error names the operation.
var (
	// ErrNotRepo means neither the directory nor any parent holds a git
	// repository.
	ErrNotRepo = errors.New("not a git repository")
	// ErrNoCommits means HEAD is unborn: the branch has no commit yet.
	ErrNoCommits = errors.New("HEAD has no commits yet")
	// ErrUnsupported marks repository features this package does not read.
	ErrUnsupported = errors.New("unsupported repository feature")
	// ErrCorrupt marks repository files that do not parse.
	ErrCorrupt = errors.New("corrupt repository data")
	// ErrBadRev means a revision does not name an object (or not a commit
	// where one is needed).
	ErrBadRev = errors.New("revision does not name a commit")
	// ErrNotFound means an object is in none of the repository's object
	// directories. A repository missing an object it refers to is
	// corrupt, so it is also ErrCorrupt.
	ErrNotFound = fmt.Errorf("object not found: %w", ErrCorrupt)
)

// ObjectError reports an object that is missing or does not parse.
type ObjectError struct {
	ID     string // full hex object name
	Reason string // what was wrong, e.g. "not found", "bad commit header"
	Err    error  // ErrCorrupt, ErrNotFound or an I/O error
}

// Error says which object and what is wrong with it.
func (e *ObjectError) Error() string {
	if e.Err != nil && !isSentinel(e.Err) {
		return fmt.Sprintf("object %s: %s: %v", e.ID, e.Reason, e.Err)
	}
	return fmt.Sprintf("object %s: %s", e.ID, e.Reason)
}

// Unwrap returns ErrCorrupt, ErrNotFound or the I/O error.
func (e *ObjectError) Unwrap() error { return e.Err }

// FileError reports a repository file that does not parse.
type FileError struct {
	Path   string // the file
	Reason string // what was expected
	Err    error  // ErrCorrupt, ErrUnsupported, ErrNotRepo or an I/O error
}

// Error says which file and what was expected of it.
func (e *FileError) Error() string {
	if e.Err != nil && !isSentinel(e.Err) {
		return fmt.Sprintf("%s: %s: %v", e.Path, e.Reason, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Reason)
}

// Unwrap returns ErrCorrupt, ErrUnsupported, ErrNotRepo or the I/O error.
func (e *FileError) Unwrap() error { return e.Err }

// isSentinel reports whether err is one of this package's sentinels,
// whose text the typed errors leave out (the reason already says it).
func isSentinel(err error) bool {
	switch err {
	case ErrNotRepo, ErrNoCommits, ErrUnsupported, ErrCorrupt, ErrBadRev, ErrNotFound:
		return true
	}
	return false
}

func corrupt(path, format string, args ...any) error {
	return &FileError{Path: path, Reason: fmt.Sprintf(format, args...), Err: ErrCorrupt}
}
