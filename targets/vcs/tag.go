package vcs

import (
	"context"
	"errors"
	"fmt"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
)

// Tag is what a repository holds under refs/tags/NAME.
type Tag struct {
	Name   string
	Exists bool
	// Object is the full hex name the ref holds: the tag object of an
	// annotated tag, the commit of a lightweight one.
	Object string
	// Commit is the full hex name of the commit the tag finally points at.
	Commit string
	// Annotated is true for a tag object, false for a lightweight tag.
	Annotated bool
}

// ReadTag reads refs/tags/name of the repository holding dir, peeled to
// its commit. A missing tag is no error: Exists is false.
func ReadTag(dir, name string) (Tag, error) {
	t := Tag{Name: name}
	repo, err := gitread.Open(dir)
	if errors.Is(err, gitread.ErrNotRepo) {
		return t, fmt.Errorf("%w: %s: %v", ErrNotRepo, dir, err)
	}
	if err != nil {
		return t, fmt.Errorf("vcs: opening the repository of %s: %w", dir, err)
	}
	defer repo.Close()
	id, _, err := repo.ReadRef("refs/tags/" + name)
	if errors.Is(err, gitread.ErrNoRef) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("vcs: reading tag %s in %s: %w", name, repo.DisplayDir(), err)
	}
	t.Exists, t.Object, t.Commit = true, id.String(), id.String()
	if peeled, ok := repo.Peel(id); ok {
		t.Annotated, t.Commit = true, peeled.String()
	}
	return t, nil
}

// TagOptions describe an annotated tag on HEAD.
type TagOptions struct {
	Dir     string // a directory inside the working tree
	Name    string // the tag, without refs/tags/
	Message string
	// Commit is the full hex name HEAD must be at: the commit the caller
	// checked (and released) must be the one tagged.
	Commit string
	// Now dates the tag; zero means time.Now.
	Now time.Time
	// Getenv reads GIT_COMMITTER_*; nil means os.Getenv.
	Getenv func(string) string
}

// CheckTag reports what would stop CreateTag, writing nothing: no git
// identity, the tag taken, a lock held, an interrupted release pending, a
// HEAD that is not at o.Commit. A caller that must not fail after an
// irreversible step (an upload) calls it before that step.
func CheckTag(ctx context.Context, o TagOptions) error {
	_, err := prepareTag(ctx, o)
	return err
}

func prepareTag(ctx context.Context, o TagOptions) (*Release, error) {
	r, err := PrepareRelease(ctx, ReleaseOptions{Dir: o.Dir, Message: o.Message, Tag: o.Name, Now: o.Now, Getenv: o.Getenv})
	if err != nil {
		return nil, err
	}
	if o.Commit != "" && r.Parent.String() != o.Commit {
		return nil, fmt.Errorf("vcs: tagging %s: HEAD moved to %s, expected %s", o.Name, r.Parent, o.Commit)
	}
	return r, nil
}

// CreateTag writes an annotated tag of HEAD, signed by the committer
// identity, through the same transaction as a release commit: the tag
// object first, then the ref through its lock file, and nothing left
// behind when it fails. It refuses a tag that exists (ErrTagExists) and a
// HEAD that is not at o.Commit.
func CreateTag(ctx context.Context, o TagOptions) (Tag, error) {
	r, err := prepareTag(ctx, o)
	if err != nil {
		return Tag{}, err
	}
	if err := r.Apply(ctx); err != nil {
		return Tag{}, err
	}
	return Tag{Name: o.Name, Exists: true, Object: r.TagObject.String(), Commit: r.Commit.String(), Annotated: true}, nil
}

// RemoteTagOptions say which remote to ask for a tag.
type RemoteTagOptions struct {
	Dir    string
	Remote string // default "origin"
	Name   string // the tag, without refs/tags/
	// Token authenticates HTTPS remotes, as for Push; never logged.
	Token string
}

// RemoteTag asks the remote what it holds under refs/tags/NAME: the full
// hex name of the object, and whether it has the tag at all.
func RemoteTag(ctx context.Context, o RemoteTagOptions) (object string, exists bool, err error) {
	repo, root, err := openRepo(o.Dir)
	if err != nil {
		return "", false, err
	}
	name := o.Remote
	if name == "" {
		name = "origin"
	}
	remote, err := repo.Remote(name)
	if err != nil {
		return "", false, fmt.Errorf("vcs: remote %q of %s: %w: %v", name, root, ErrNoRemote, err)
	}
	var auth transport.AuthMethod
	if o.Token != "" {
		redact.AddBasic("x-access-token", o.Token)
		auth = &githttp.BasicAuth{Username: "x-access-token", Password: o.Token}
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: auth})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return "", false, nil
	}
	if err != nil {
		// The remote's URL may carry credentials: name the remote only.
		return "", false, fmt.Errorf("vcs: listing the refs of remote %q from %s: %w", name, root, redact.Error(err))
	}
	want := plumbing.NewTagReferenceName(o.Name)
	for _, r := range refs {
		if r.Name() == want {
			return r.Hash().String(), true, nil
		}
	}
	return "", false, nil
}
