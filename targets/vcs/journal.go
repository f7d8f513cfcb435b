package vcs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/gitwrite"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// The release journal is a directory in the project's state directory
// (statedir: inside the git directory, never in the source tree) holding a
// copy of each file's original and a manifest of the plan. The manifest is
// written last, atomically, and before the first file or ref changes: a
// journal without one belongs to a release that died before changing
// anything.
const (
	journalName   = statedir.ReleaseJournal
	manifestName  = "manifest.json"
	journalFormat = 1
)

// journal is the plan of a release being applied, as the next run needs it
// to finish or undo it.
type journal struct {
	Format    int           `json:"format"`
	Started   time.Time     `json:"started"`
	Branch    string        `json:"branch"`
	Parent    string        `json:"parent"`
	Commit    string        `json:"commit"`
	Tag       string        `json:"tag"`
	TagObject string        `json:"tag_object"`
	DevCommit string        `json:"dev_commit,omitempty"`
	Files     []journalFile `json:"files"`

	dir string // the project directory, where the journal is
}

type journalFile struct {
	Path     string      `json:"path"`           // slash path from the working tree's top
	Copy     string      `json:"copy,omitempty"` // the original's copy in the journal; "" when there was no file
	Mode     fs.FileMode `json:"mode"`
	Original string      `json:"original_blob,omitempty"`
	Remove   bool        `json:"remove,omitempty"`
	Release  string      `json:"release_blob,omitempty"`
	Dev      string      `json:"dev_blob,omitempty"`

	original []byte
}

// ErrPending means a release was interrupted and its journal is still
// there: RecoverRelease finishes or undoes it.
var ErrPending = errors.New("vcs: an interrupted release is pending")

// RecoveryConflictError means a file of an interrupted release was changed
// since: it is left as it is, and so is the journal.
type RecoveryConflictError struct {
	Path    string // from the working tree's top
	Journal string // the journal directory
}

// Error names the file, why it is left alone, and where its original is.
func (e *RecoveryConflictError) Error() string {
	return fmt.Sprintf("vcs: %s was changed after a release was interrupted: it holds neither its original, its released nor its development content, so it is left as it is; its original is in %s (the journal of the interrupted release): put back what it should hold, then delete that directory", e.Path, e.Journal)
}

func journalDir(dir string) (string, error) {
	d, err := statedir.For(dir)
	if err != nil {
		return "", fmt.Errorf("vcs: release journal: %w", err)
	}
	return filepath.Join(d.Work, journalName), nil
}

// journalDirOf is journalDir for messages.
func journalDirOf(dir string) string {
	j, err := journalDir(dir)
	if err != nil {
		return "the git directory"
	}
	return j
}

func (r *Release) journal() *journal {
	hex := func(h plumbing.Hash) string {
		if h.IsZero() {
			return ""
		}
		return h.String()
	}
	j := &journal{
		Format: journalFormat, Started: time.Now(), Branch: r.Branch.String(),
		Parent: r.Parent.String(), Commit: r.Commit.String(), Tag: r.opts.Tag,
		TagObject: r.TagObject.String(), DevCommit: hex(r.DevCommit), dir: r.opts.Dir,
	}
	for i, f := range r.files {
		jf := journalFile{Path: f.rel, Mode: f.mode, Original: hex(f.origBlob), Remove: f.remove,
			Release: hex(f.release), Dev: hex(f.dev), original: f.original}
		if f.existed {
			jf.Copy = "original-" + strconv.Itoa(i)
		}
		j.Files = append(j.Files, jf)
	}
	return j
}

func writeJournal(dir string, j *journal) error {
	jdir, err := statedir.Fresh(dir, journalName)
	if err != nil {
		return fmt.Errorf("vcs: release journal: %w", err)
	}
	for _, f := range j.Files {
		if f.Copy == "" {
			continue
		}
		if err := atomicfile.Write(filepath.Join(jdir, f.Copy), f.original, 0o600); err != nil {
			return fmt.Errorf("vcs: release journal: %w", err)
		}
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("vcs: release journal: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(jdir, manifestName), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("vcs: release journal: %w", err)
	}
	return nil
}

// readJournal loads the journal of dir and checks every saved original
// against its id; nil when there is none (a partial one is removed).
func readJournal(dir string) (*journal, string, error) {
	jdir, err := journalDir(dir)
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(filepath.Join(jdir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, jdir, removeJournal(dir)
	}
	if err != nil {
		return nil, jdir, fmt.Errorf("vcs: reading the release journal: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("vcs: release journal %s: %s (check the repository against it, then delete it): %w", jdir, fmt.Sprintf(format, args...), ErrPending)
	}
	j := journal{dir: dir}
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, jdir, bad("%v", err)
	}
	if j.Format != journalFormat {
		return nil, jdir, bad("format %d, expected %d", j.Format, journalFormat)
	}
	for _, h := range []string{j.Parent, j.Commit, j.TagObject} {
		if !plumbing.IsHash(h) {
			return nil, jdir, bad("%q is not an object id", h)
		}
	}
	if j.Branch == "" || j.Tag == "" {
		return nil, jdir, bad("no branch or tag")
	}
	for i := range j.Files {
		f := &j.Files[i]
		if f.Path == "" || strings.ContainsAny(f.Copy, `/\`) {
			return nil, jdir, bad("entry %d is incomplete", i)
		}
		if f.Copy == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(jdir, f.Copy))
		if err != nil {
			return nil, jdir, bad("%v", err)
		}
		if gitwrite.BlobHash(b).String() != f.Original {
			return nil, jdir, bad("the saved original of %s does not match its id", f.Path)
		}
		f.original = b
	}
	return &j, jdir, nil
}

func removeJournal(dir string) error {
	jdir, err := journalDir(dir)
	if err != nil {
		return err
	}
	// The manifest first: without it the rest is a journal of nothing,
	// whereas a manifest without the originals it lists is a broken one.
	if err := os.Remove(filepath.Join(jdir, manifestName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vcs: removing the release journal: %w", err)
	}
	if err := os.RemoveAll(jdir); err != nil {
		return fmt.Errorf("vcs: removing the release journal: %w", err)
	}
	// No empty state directory left behind; other users keep it non-empty.
	_ = os.Remove(filepath.Dir(jdir))
	return nil
}

func (j *journal) hash(s string) plumbing.Hash {
	if s == "" {
		return plumbing.ZeroHash
	}
	return plumbing.NewHash(s)
}

// setFiles puts the files in their released state, or with dev their
// back-to-development state. A file holding content this release does not
// know (edited meanwhile) stops it with a *RecoveryConflictError.
func (j *journal) setFiles(repo *gitwrite.Repo, objs *gitwrite.Objects, dev bool) error {
	for _, f := range j.Files {
		want := f.Release
		if dev {
			want = f.Dev
		}
		if err := j.setFile(repo, f, want, func() ([]byte, error) { return objs.ReadBlob(plumbing.NewHash(want)) }); err != nil {
			return err
		}
	}
	return nil
}

// restoreFiles gives every file its original content back.
func (j *journal) restoreFiles(repo *gitwrite.Repo) error {
	for _, f := range j.Files {
		if err := j.setFile(repo, f, f.Original, func() ([]byte, error) { return f.original, nil }); err != nil {
			return err
		}
	}
	return nil
}

// setFile makes f hold the blob want ("" means no file).
func (j *journal) setFile(repo *gitwrite.Repo, f journalFile, want string, content func() ([]byte, error)) error {
	path := repo.Abs(f.Path)
	var cur string // "" when there is no file
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		cur = gitwrite.BlobHash(data).String()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("vcs: %w", err)
	}
	if cur == want {
		return nil
	}
	if cur != f.Original && cur != f.Release && cur != f.Dev {
		return &RecoveryConflictError{Path: f.Path, Journal: journalDirOf(j.dir)}
	}
	if want == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("vcs: removing %s: %w", f.Path, err)
		}
		return nil
	}
	b, err := content()
	if err != nil {
		return err
	}
	return replaceFile(path, b, f.Mode)
}

// syncIndex records in the index the files as commit has them, with the
// stat data of the files that hold that content.
func (j *journal) syncIndex(repo *gitwrite.Repo, objs *gitwrite.Objects, commit plumbing.Hash) error {
	tree, err := objs.TreeOf(commit)
	if err != nil {
		return err
	}
	entries := make([]gitwrite.IndexEntry, 0, len(j.Files))
	for _, f := range j.Files {
		h, mode, found, err := objs.Lookup(tree, f.Path)
		if err != nil {
			return err
		}
		entries = append(entries, gitwrite.IndexEntry{Path: f.Path, Blob: h, Mode: mode, Remove: !found})
	}
	return repo.UpdateIndex(entries)
}

// undo puts the branch, the tag, the files and the index back as they
// were before the release. Only the process that applied the release
// moves a branch that holds the release back (recovery finishes those).
func (j *journal) undo(repo *gitwrite.Repo, objs *gitwrite.Objects, inProcess bool) error {
	branch, parent := plumbing.ReferenceName(j.Branch), j.hash(j.Parent)
	cur, _, err := repo.ReadRef(branch)
	if err != nil {
		return err
	}
	if cur != parent {
		ours := cur == j.hash(j.Commit) || (j.DevCommit != "" && cur == j.hash(j.DevCommit))
		if !ours || !inProcess {
			return &gitwrite.RefChangedError{Ref: branch, Want: parent, Got: cur}
		}
		if err := repo.UpdateRef(branch, parent, cur); err != nil {
			return err
		}
	}
	tagRef := plumbing.NewTagReferenceName(j.Tag)
	if h, exists, err := repo.ReadRef(tagRef); err != nil {
		return err
	} else if exists && h == j.hash(j.TagObject) {
		if err := repo.DeleteRef(tagRef, h); err != nil {
			return err
		}
	}
	if err := j.restoreFiles(repo); err != nil {
		return err
	}
	return j.syncIndex(repo, objs, parent)
}

// finish completes a release whose branch holds the release commit or the
// back-to-development commit: the tag, the files, the index, and the
// back-to-development commit if it is missing.
func (j *journal) finish(repo *gitwrite.Repo, objs *gitwrite.Objects, cur plumbing.Hash) error {
	tagRef := plumbing.NewTagReferenceName(j.Tag)
	h, exists, err := repo.ReadRef(tagRef)
	switch {
	case err != nil:
		return err
	case !exists:
		if err := repo.UpdateRef(tagRef, j.hash(j.TagObject), plumbing.ZeroHash); err != nil {
			return err
		}
	case h != j.hash(j.TagObject):
		return fmt.Errorf("vcs: finishing the release: tag %s names %s, expected %s (made by the interrupted release): %w", j.Tag, h, j.TagObject, ErrTagExists)
	}
	if cur == j.hash(j.Commit) {
		if err := j.setFiles(repo, objs, false); err != nil {
			return err
		}
		if err := j.syncIndex(repo, objs, cur); err != nil {
			return err
		}
		if j.DevCommit == "" {
			return nil
		}
		if err := j.setFiles(repo, objs, true); err != nil {
			return err
		}
		if err := repo.UpdateRef(plumbing.ReferenceName(j.Branch), j.hash(j.DevCommit), cur); err != nil {
			return err
		}
		return j.syncIndex(repo, objs, j.hash(j.DevCommit))
	}
	if err := j.setFiles(repo, objs, true); err != nil {
		return err
	}
	return j.syncIndex(repo, objs, cur)
}

// Recovery says what RecoverRelease did.
type Recovery struct {
	// Action is "finished", "undone", or "" when there was nothing to do.
	Action string
	Tag    string
	// Locks lists the lock files the interrupted run left and that were
	// removed.
	Locks []string
}

// RecoverRelease finishes or undoes a release that was interrupted (the
// process killed, the machine stopped) in the project in dir, from its
// journal. When the branch holds the release commit already, the release
// is finished: the tag, the files, the index and the back-to-development
// commit. Otherwise it is undone: the files get their original bytes back,
// and the tag if made is removed. Lock files the dead run left on the refs
// and the index it was writing are removed. Without a journal it does
// nothing.
func RecoverRelease(ctx context.Context, dir string) (Recovery, error) {
	if err := ctx.Err(); err != nil {
		return Recovery{}, fmt.Errorf("vcs: recover: %w", err)
	}
	j, jdir, err := readJournal(dir)
	if err != nil || j == nil {
		return Recovery{}, err
	}
	repo, err := gitwrite.Open(dir)
	if err != nil {
		return Recovery{}, fmt.Errorf("%w: %v", ErrNotRepo, err)
	}
	rec := Recovery{Tag: j.Tag}
	if rec.Locks, err = j.removeStaleLocks(repo); err != nil {
		return rec, err
	}
	for _, f := range j.Files {
		if err := os.Remove(tempName(repo.Abs(f.Path))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return rec, fmt.Errorf("vcs: removing what the interrupted release was writing: %w", err)
		}
	}
	action, cur, err := j.decide(repo)
	if err != nil {
		return rec, fmt.Errorf("%w (journal of the interrupted release in %s: check the repository against it, then delete it)", err, jdir)
	}
	objs := repo.NewObjects()
	if action == "finished" {
		err = j.finish(repo, objs, cur)
	} else {
		err = j.undo(repo, objs, false)
	}
	if err != nil {
		return rec, err
	}
	rec.Action = action
	return rec, removeJournal(dir)
}

// PendingRelease says what RecoverRelease would do, changing nothing:
// Action is "" when no release is pending.
func PendingRelease(dir string) (Recovery, error) {
	j, jdir, err := readJournalReadOnly(dir)
	if err != nil || j == nil {
		return Recovery{}, err
	}
	repo, err := gitwrite.Open(dir)
	if err != nil {
		return Recovery{}, fmt.Errorf("%w: %v", ErrNotRepo, err)
	}
	action, _, err := j.decide(repo)
	if err != nil {
		return Recovery{}, fmt.Errorf("%w (journal of the interrupted release in %s)", err, jdir)
	}
	return Recovery{Action: action, Tag: j.Tag}, nil
}

// readJournalReadOnly is readJournal without removing a partial journal.
func readJournalReadOnly(dir string) (*journal, string, error) {
	jdir, err := journalDir(dir)
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(filepath.Join(jdir, manifestName)); errors.Is(err, fs.ErrNotExist) {
		return nil, jdir, nil
	}
	return readJournal(dir)
}

// decide reads the branch: at the release (or after it), finish; where
// it was, undo; anywhere else someone moved it, and neither is safe.
func (j *journal) decide(repo *gitwrite.Repo) (string, plumbing.Hash, error) {
	branch := plumbing.ReferenceName(j.Branch)
	cur, _, err := repo.ReadRef(branch)
	if err != nil {
		return "", cur, err
	}
	switch {
	case cur == j.hash(j.Commit), j.DevCommit != "" && cur == j.hash(j.DevCommit):
		return "finished", cur, nil
	case cur == j.hash(j.Parent):
		return "undone", cur, nil
	}
	return "", cur, fmt.Errorf("vcs: an interrupted release of %s: %s holds %s, expected %s (before the release) or %s (the release): it moved since: %w",
		j.Tag, branch, cur, j.Parent, j.Commit, ErrPending)
}

// removeStaleLocks removes the lock files a killed run of the release left
// on its branch, its tag and the index: a ref lock holding (part of) an id
// this release writes, and an index lock no older than the journal.
func (j *journal) removeStaleLocks(repo *gitwrite.Repo) ([]string, error) {
	ids := []string{j.Parent, j.Commit, j.TagObject, j.DevCommit}
	ours := func(content []byte) bool {
		for _, id := range ids {
			if id != "" && bytes.HasPrefix([]byte(id+"\n"), content) {
				return true
			}
		}
		return false
	}
	var removed []string
	for _, ref := range []plumbing.ReferenceName{plumbing.ReferenceName(j.Branch), plumbing.NewTagReferenceName(j.Tag)} {
		ok, err := repo.RemoveStaleLock(ref, ours)
		if err != nil {
			return removed, err
		}
		if ok {
			removed = append(removed, repo.LockPath(ref))
		}
	}
	// The journal is written before the first index write, so an index
	// lock from the dead run is younger than it; a second of slack covers
	// file systems with coarse timestamps.
	ok, err := repo.RemoveStaleIndexLock(j.Started.Add(-time.Second))
	if err != nil {
		return removed, err
	}
	if ok {
		removed = append(removed, repo.IndexLockPath())
	}
	return removed, nil
}
