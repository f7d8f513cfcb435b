package vcs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/pyrelease/pyrelease/targets/internal/gitwrite"
)

// ReleaseFile is one file a release changes.
type ReleaseFile struct {
	Path    string // absolute
	Release []byte // content in the release commit; unused with Remove
	// Dev is the content in the back-to-development commit; nil keeps
	// the released content.
	Dev    []byte
	Remove bool // deleted in the release commit (a news fragment)
}

// ReleaseOptions describe a release commit, its annotated tag and an
// optional back-to-development commit on top.
type ReleaseOptions struct {
	Dir        string // a directory inside the working tree (the project's)
	Files      []ReleaseFile
	Message    string // release commit message
	Tag        string // annotated tag on the release commit
	TagMessage string // defaults to Message
	DevMessage string // the back-to-development commit's message; "" for none
	// Now dates the commits and the tag; zero means time.Now.
	Now time.Time
	// Getenv reads GIT_AUTHOR_* / GIT_COMMITTER_*; nil means os.Getenv.
	Getenv func(string) string
}

// Release is a release computed and checked against the repository, with
// its commits and tag made in memory: nothing is written until Apply. A
// dry run prepares one and prints it, and so fails where the real run
// would.
type Release struct {
	// Branch is the ref that moves: refs/heads/NAME, or HEAD when detached.
	Branch plumbing.ReferenceName
	// Parent is the commit the branch holds now.
	Parent plumbing.Hash
	// Commit is the release commit (Parent when no file changes).
	Commit plumbing.Hash
	// TagObject is the annotated tag on Commit.
	TagObject plumbing.Hash
	// DevCommit is the back-to-development commit, zero when none.
	DevCommit plumbing.Hash
	// Author and Committer sign the commits; Committer tags.
	Author, Committer object.Signature

	opts ReleaseOptions
	// stopAfter, when positive, makes apply stop after that many steps
	// as if the process died there: tests of recovery set it.
	stopAfter int
	repo      *gitwrite.Repo
	objs      *gitwrite.Objects
	files     []fileState
}

// fileState is a file of the release: where it is and its content before,
// in the release commit and in the back-to-development commit.
type fileState struct {
	rel      string // slash path from the working tree's top
	abs      string
	mode     fs.FileMode
	existed  bool
	original []byte
	origBlob plumbing.Hash // zero when the file did not exist
	remove   bool
	release  plumbing.Hash // zero with remove
	dev      plumbing.Hash // the content after DevCommit
}

// PrepareRelease checks everything a release needs before anything is
// written: a branch with a commit, a git identity, a free tag, no git lock
// held, an index it can rewrite, no interrupted release pending, files
// inside the working tree. It then makes the commits and the tag in memory.
func PrepareRelease(ctx context.Context, o ReleaseOptions) (*Release, error) {
	if o.Tag == "" {
		return nil, errors.New("vcs: release: no tag name")
	}
	repo, err := gitwrite.Open(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotRepo, err)
	}
	if j, err := journalDir(o.Dir); err != nil {
		return nil, err
	} else if _, err := os.Stat(filepath.Join(j, manifestName)); err == nil {
		return nil, fmt.Errorf("vcs: %s holds an interrupted release: %w", j, ErrPending)
	}
	branch, parent, err := repo.Head()
	if err != nil {
		return nil, err
	}
	if parent.IsZero() {
		return nil, fmt.Errorf("vcs: %s has no commit yet: commit the project before releasing it", branch)
	}
	author, committer, err := signatures(repo.Root, o.Getenv, o.Now)
	if err != nil {
		return nil, err
	}
	tagRef := plumbing.NewTagReferenceName(o.Tag)
	if _, exists, err := repo.ReadRef(tagRef); err != nil {
		return nil, err
	} else if exists {
		return nil, fmt.Errorf("%w: %s", ErrTagExists, o.Tag)
	}
	if err := repo.CheckUnlocked(branch, tagRef); err != nil {
		return nil, err
	}
	if err := repo.CheckIndex(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vcs: release: %w", err)
	}
	r := &Release{Branch: branch, Parent: parent, Author: *author, Committer: *committer,
		opts: o, repo: repo, objs: repo.NewObjects()}
	if err := r.build(); err != nil {
		return nil, err
	}
	return r, nil
}

// build reads the files and makes the objects of the release.
func (r *Release) build() error {
	seen := map[string]bool{}
	var release, dev []gitwrite.Change
	for _, f := range r.opts.Files {
		rel, err := r.repo.Rel(f.Path)
		if err != nil {
			return err
		}
		if seen[rel] {
			return fmt.Errorf("vcs: release: %s is listed twice", rel)
		}
		seen[rel] = true
		st := fileState{rel: rel, abs: r.repo.Abs(rel), remove: f.Remove, mode: 0o644}
		info, err := os.Lstat(st.abs)
		switch {
		case err == nil && !info.Mode().IsRegular():
			return fmt.Errorf("vcs: release: %s is not a regular file", rel)
		case err == nil:
			st.existed, st.mode = true, info.Mode().Perm()
			if st.original, err = os.ReadFile(st.abs); err != nil {
				return fmt.Errorf("vcs: release: %w", err)
			}
			st.origBlob = gitwrite.BlobHash(st.original)
		case !errors.Is(err, fs.ErrNotExist) || !f.Remove:
			return fmt.Errorf("vcs: release: %w", err)
		}
		mode := filemode.Regular
		if st.mode&0o111 != 0 {
			mode = filemode.Executable
		}
		if f.Remove {
			release = append(release, gitwrite.Change{Path: rel, Remove: true})
		} else {
			st.release = r.objs.Blob(f.Release)
			release = append(release, gitwrite.Change{Path: rel, Blob: st.release, Mode: mode})
		}
		st.dev = st.release
		if f.Dev != nil && !f.Remove {
			st.dev = r.objs.Blob(f.Dev)
			dev = append(dev, gitwrite.Change{Path: rel, Blob: st.dev, Mode: mode})
		}
		r.files = append(r.files, st)
	}
	msg := func(s string) string {
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		return s
	}
	parentTree, err := r.objs.TreeOf(r.Parent)
	if err != nil {
		return err
	}
	r.Commit = r.Parent
	if len(release) > 0 {
		tree, err := r.objs.Tree(parentTree, release)
		if err != nil {
			return err
		}
		// Files that already hold the release (the file scheme releasing
		// what the file says, no changelog) need no commit: HEAD is tagged.
		if tree != parentTree {
			if r.Commit, err = r.objs.Commit(&object.Commit{Author: r.Author, Committer: r.Committer,
				Message: msg(r.opts.Message), TreeHash: tree, ParentHashes: []plumbing.Hash{r.Parent}}); err != nil {
				return err
			}
		}
	}
	tagMsg := r.opts.TagMessage
	if tagMsg == "" {
		tagMsg = r.opts.Message
	}
	if r.TagObject, err = r.objs.Tag(&object.Tag{Name: r.opts.Tag, Tagger: r.Committer, Message: msg(tagMsg),
		TargetType: plumbing.CommitObject, Target: r.Commit}); err != nil {
		return err
	}
	if r.opts.DevMessage != "" && len(dev) > 0 {
		releaseTree, err := r.objs.TreeOf(r.Commit)
		if err != nil {
			return err
		}
		tree, err := r.objs.Tree(releaseTree, dev)
		if err != nil {
			return err
		}
		if tree == releaseTree {
			return nil
		}
		if r.DevCommit, err = r.objs.Commit(&object.Commit{Author: r.Author, Committer: r.Committer,
			Message: msg(r.opts.DevMessage), TreeHash: tree, ParentHashes: []plumbing.Hash{r.Commit}}); err != nil {
			return err
		}
	}
	return nil
}

// Paths lists the files the release writes and the files it removes,
// relative to the working tree's top.
func (r *Release) Paths() (writes, removes []string) {
	for _, f := range r.files {
		if f.remove {
			removes = append(removes, f.rel)
		} else {
			writes = append(writes, f.rel)
		}
	}
	return writes, removes
}

// Apply writes the release: the objects first (unreachable until a ref
// names them), then a journal of the plan and of every file's original,
// then the files, the branch, the tag and the index, each replaced
// atomically, then the back-to-development commit. If a step fails or ctx
// is cancelled, what was done is undone and the repository is as before,
// objects aside. If the process dies, the journal lets RecoverRelease
// finish or undo it.
func (r *Release) Apply(ctx context.Context) error {
	if err := r.objs.Store(); err != nil {
		return err
	}
	j := r.journal()
	if err := writeJournal(r.opts.Dir, j); err != nil {
		return errors.Join(err, removeJournal(r.opts.Dir))
	}
	if err := r.apply(ctx, j); err != nil {
		if uerr := j.undo(r.repo, r.objs, true); uerr != nil {
			return errors.Join(err, uerr, fmt.Errorf("vcs: could not undo the release; the next bump finishes or undoes it (journal in %s)", journalDirOf(r.opts.Dir)))
		}
		return errors.Join(err, removeJournal(r.opts.Dir))
	}
	// Done: a journal that cannot be removed only makes the next bump
	// find the release finished.
	return removeJournal(r.opts.Dir)
}

func (r *Release) apply(ctx context.Context, j *journal) error {
	steps := []func() error{
		func() error { return j.setFiles(r.repo, r.objs, false) },
	}
	if r.Commit != r.Parent {
		steps = append(steps, func() error { return r.repo.UpdateRef(r.Branch, r.Commit, r.Parent) })
	}
	steps = append(steps,
		func() error {
			return r.repo.UpdateRef(plumbing.NewTagReferenceName(r.opts.Tag), r.TagObject, plumbing.ZeroHash)
		},
		func() error { return j.syncIndex(r.repo, r.objs, r.Commit) },
	)
	if !r.DevCommit.IsZero() {
		steps = append(steps,
			func() error { return j.setFiles(r.repo, r.objs, true) },
			func() error { return r.repo.UpdateRef(r.Branch, r.DevCommit, r.Commit) },
			func() error { return j.syncIndex(r.repo, r.objs, r.DevCommit) },
		)
	}
	for i, step := range steps {
		if r.stopAfter > 0 && i == r.stopAfter || r.stopAfter < 0 {
			return errStopped
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("vcs: release interrupted: %w", err)
		}
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// errStopped is what apply returns where stopAfter stops it.
var errStopped = errors.New("vcs: stopped")

// replaceFile replaces a file of the working tree with data and mode: a
// synced temporary file renamed over it, so a reader (and a crash) sees
// the old content or the new. The temporary file has a fixed name beside
// the file, so that the recovery of a killed run can remove it.
func replaceFile(path string, data []byte, mode fs.FileMode) (err error) {
	tmp := tempName(path)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("vcs: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
			err = fmt.Errorf("vcs: writing %s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // the rename is done; a directory that cannot sync loses nothing more
		_ = d.Close()
	}
	return nil
}

// tempName is where replaceFile writes path's new content first.
func tempName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".pyrelease-bump")
}
