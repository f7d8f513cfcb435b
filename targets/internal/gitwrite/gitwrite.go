// Package gitwrite changes a git repository the way git itself does, so
// that a process killed at any instant leaves a repository git accepts.
//
// Objects are written whole (go-git writes a temporary file and renames
// it), so a crash leaves at most unreachable objects, which git fsck
// accepts and git gc removes. Refs and the index are replaced through a
// lock file created with O_EXCL, synced and renamed over the old file, as
// git does: a reader sees the old value or the new one, never an empty
// file, and a git command running at the same time is kept out by the
// lock. go-git's own ref writes truncate the ref file before writing it,
// which a kill between the two turns into a broken branch. go-git encodes
// and stores the objects; finding the repository, reading packed-refs and
// reading existing objects go through package gitread, as every other
// read of git's files does.
package gitwrite

import (
	"errors"
	"fmt"
	"path/filepath"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// Repo is an opened repository with the paths git keeps its files in.
type Repo struct {
	// Root is the top of the working tree.
	Root string
	// GitDir holds this working tree's HEAD and index.
	GitDir string
	// CommonDir holds the objects and the refs shared by all working
	// trees; it is GitDir except in a linked worktree.
	CommonDir string

	repo *git.Repository
}

// Open opens the repository whose working tree holds dir.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("gitwrite: %w", err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	gitDir, root, err := gitread.Discover(abs)
	if errors.Is(err, gitread.ErrNotRepo) || err == nil && root == "" {
		return nil, fmt.Errorf("gitwrite: %s is not in a git working tree: %w", abs, ErrNotRepo)
	}
	if err != nil {
		return nil, fmt.Errorf("gitwrite: %w", err)
	}
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("gitwrite: opening %s: %w", root, err)
	}
	return &Repo{Root: root, GitDir: gitDir, CommonDir: gitread.CommonDir(gitDir), repo: repo}, nil
}

// Rel returns path (absolute) as a slash path relative to the working
// tree's top, the form git records it in.
func (r *Repo) Rel(path string) (string, error) {
	real := path
	if p, err := filepath.EvalSymlinks(path); err == nil {
		real = p
	} else if p, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		// A file to create, or one removed already: its directory decides.
		real = filepath.Join(p, filepath.Base(path))
	}
	rel, err := filepath.Rel(r.Root, real)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("gitwrite: %s is outside the working tree %s", path, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// Abs is the file in the working tree of a slash path relative to its top.
func (r *Repo) Abs(rel string) string {
	return filepath.Join(r.Root, filepath.FromSlash(rel))
}

// Sentinels, to test with errors.Is.
var (
	// ErrNotRepo means a directory is in no git working tree.
	ErrNotRepo = errors.New("not a git repository")
	// ErrLocked means a lock file of git's is there: another git command
	// is running, or one was killed and left it.
	ErrLocked = errors.New("locked by another git process")
	// ErrRefChanged means a ref did not hold the value an update expected.
	ErrRefChanged = errors.New("ref changed meanwhile")
)

// LockedError names the lock file that is in the way.
type LockedError struct {
	Lock string
}

// Error names the lock file and what to do about it.
func (e *LockedError) Error() string {
	return fmt.Sprintf("gitwrite: %s exists: another git command is running, or one was killed and left it (remove it once no git command is running)", e.Lock)
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// RefChangedError says what a ref held instead of what was expected.
type RefChangedError struct {
	Ref       plumbing.ReferenceName
	Want, Got plumbing.Hash // zero: absent
}

// Error says what the ref holds and what was expected.
func (e *RefChangedError) Error() string {
	show := func(h plumbing.Hash) string {
		if h.IsZero() {
			return "nothing"
		}
		return h.String()
	}
	return fmt.Sprintf("gitwrite: %s holds %s, expected %s: it changed meanwhile", e.Ref, show(e.Got), show(e.Want))
}

// Unwrap makes errors.Is(err, ErrRefChanged) true.
func (e *RefChangedError) Unwrap() error { return ErrRefChanged }
