package version

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrNotRepo means neither the directory nor any parent holds a git
	// repository.
	ErrNotRepo = gitread.ErrNotRepo
	// ErrNoCommits means HEAD is unborn: the branch has no commit yet.
	ErrNoCommits = gitread.ErrNoCommits
	// ErrShallow means the answer depends on history a shallow clone does
	// not have. The fix is always the same, so the message says it.
	ErrShallow = errors.New("version: shallow clone is missing the history needed; run: git fetch --unshallow --tags")
	// ErrUnsupported marks repository features this package does not read.
	ErrUnsupported = gitread.ErrUnsupported
	// ErrCorrupt marks repository files that do not parse.
	ErrCorrupt = gitread.ErrCorrupt
	// ErrNoWorktree means Dirty was asked of a repository without a
	// working tree.
	ErrNoWorktree = errors.New("version: repository has no working tree")
	// ErrBadRev means Options.Rev does not name a commit.
	ErrBadRev = gitread.ErrBadRev
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
type ObjectError = gitread.ObjectError

// FileError reports a repository file that does not parse.
type FileError = gitread.FileError

// prefixed names this package in an error from the reader, whose own
// text does not say who was reading.
func prefixed(err error) error {
	if err == nil || strings.HasPrefix(err.Error(), "version: ") {
		return err
	}
	return fmt.Errorf("version: %w", err)
}
