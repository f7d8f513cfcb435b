package version

import (
	"errors"
	"fmt"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrNotRepo means neither the directory nor any parent holds a git
	// repository.
	ErrNotRepo = errors.New("version: not a git repository")
	// ErrNoCommits means HEAD is unborn: the branch has no commit yet.
	ErrNoCommits = errors.New("version: HEAD has no commits yet")
	// ErrShallow means the answer depends on history a shallow clone does
	// not have. The fix is always the same, so the message says it.
	ErrShallow = errors.New("version: shallow clone is missing the history needed; run: git fetch --unshallow --tags")
	// ErrUnsupported marks repository features this package does not read.
	ErrUnsupported = errors.New("version: unsupported repository feature")
	// ErrCorrupt marks repository files that do not parse.
	ErrCorrupt = errors.New("version: corrupt repository data")
	// ErrNoWorktree means Dirty was asked of a repository without a
	// working tree.
	ErrNoWorktree = errors.New("version: repository has no working tree")
	// ErrBadRev means Options.Rev does not name a commit.
	ErrBadRev = errors.New("version: revision does not name a commit")
	// ErrNoNames is git's "No names found, cannot describe anything.":
	// Options.RequireTag was set and no tag is a candidate at all.
	ErrNoNames = errors.New("version: no names found, cannot describe anything")
	// ErrNoTag is wrapped by NoTagError.
	ErrNoTag = errors.New("version: no tag can describe the commit")
)

// NoTagError is git's "No tags can describe '<commit>'.": Options.RequireTag
// was set, there are candidate tags, and none is reachable from the commit.
type NoTagError struct {
	Commit string // full hex name of the described commit
}

// Error says what git says, with git's advice.
func (e *NoTagError) Error() string {
	return fmt.Sprintf("version: no tags can describe '%s'; try -always, or create some tags", e.Commit)
}

// Unwrap makes errors.Is(err, ErrNoTag) true.
func (e *NoTagError) Unwrap() error { return ErrNoTag }

// ShallowError is returned when the search for the nearest tag would have
// to look past the boundary of a shallow clone. Its text names the command
// that fetches the missing history.
type ShallowError struct {
	Dir    string // the worktree (or git dir) that was described
	Commit string // the boundary commit whose parents are missing
}

// Error names the clone and the command that fetches what is missing.
func (e *ShallowError) Error() string {
	return fmt.Sprintf("version: %s is a shallow clone and the history needed to find the nearest tag is missing; run: git fetch --unshallow --tags", e.Dir)
}

// Is makes errors.Is(err, ErrShallow) true.
func (e *ShallowError) Is(target error) bool { return target == ErrShallow }

// ObjectError reports an object that is missing or does not parse.
type ObjectError struct {
	ID     string // full hex object name
	Reason string // what was wrong, e.g. "not found", "bad commit header"
	Err    error  // ErrCorrupt or an I/O error
}

// Error says which object and what is wrong with it.
func (e *ObjectError) Error() string {
	if e.Err != nil && !isSentinel(e.Err) {
		return fmt.Sprintf("version: object %s: %s: %v", e.ID, e.Reason, e.Err)
	}
	return fmt.Sprintf("version: object %s: %s", e.ID, e.Reason)
}

// Unwrap returns ErrCorrupt or the I/O error.
func (e *ObjectError) Unwrap() error { return e.Err }

// FileError reports a repository file that does not parse.
type FileError struct {
	Path   string // the file
	Reason string // what was expected
	Err    error  // ErrCorrupt, ErrUnsupported or an I/O error
}

// Error says which file and what was expected of it.
func (e *FileError) Error() string {
	if e.Err != nil && !isSentinel(e.Err) {
		return fmt.Sprintf("version: %s: %s: %v", e.Path, e.Reason, e.Err)
	}
	return fmt.Sprintf("version: %s: %s", e.Path, e.Reason)
}

// Unwrap returns ErrCorrupt, ErrUnsupported, ErrNotRepo or the I/O error.
func (e *FileError) Unwrap() error { return e.Err }

// isSentinel reports whether err is one of this package's sentinels,
// whose text the typed errors leave out (the reason already says it).
func isSentinel(err error) bool {
	switch err {
	case ErrNotRepo, ErrNoCommits, ErrShallow, ErrUnsupported, ErrCorrupt, ErrNoWorktree, ErrBadRev:
		return true
	}
	return false
}

func corrupt(path, format string, args ...any) error {
	return &FileError{Path: path, Reason: fmt.Sprintf(format, args...), Err: ErrCorrupt}
}
