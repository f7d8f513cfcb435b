// Package vcs records releases in git: the release commit, its annotated
// tag and a back-to-development commit, written as one transaction that a
// killed process leaves finishable or undoable (PrepareRelease, Apply,
// RecoverRelease); it pushes them with go-git, and counts contributors as
// git shortlog does (Shortlog). Refs, config and history are read through
// package gitread, the reader package version's Describe uses too.
package vcs

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
)

// Errors of the release commit.
var (
	// ErrTagExists is returned when the tag to create exists already.
	ErrTagExists = errors.New("vcs: tag already exists")
	// ErrIdentity is returned when no author or committer is configured.
	ErrIdentity = errors.New("vcs: no git identity")
	// ErrNotRepo is returned when the directory is not in a git worktree.
	ErrNotRepo = errors.New("vcs: not a git repository")
	// ErrNoRemote is returned when the remote to push to is not configured.
	ErrNoRemote = errors.New("vcs: no such remote")
)

// TagExists reports whether refs/tags/name exists.
func TagExists(dir, name string) (bool, error) {
	repo, err := openReader(dir, nil)
	if err != nil {
		return false, err
	}
	defer repo.Close()
	_, _, err = repo.ReadRef("refs/tags/" + name)
	if errors.Is(err, gitread.ErrNoRef) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("vcs: reading tag %s in %s: %w", name, repo.DisplayDir(), err)
	}
	return true, nil
}

// PushOptions says what to push where.
type PushOptions struct {
	Dir    string
	Remote string   // default "origin"
	Refs   []string // full ref names, e.g. refs/heads/main, refs/tags/v1.2.0
	// Token authenticates HTTPS remotes (PYRELEASE_GIT_TOKEN or
	// GITHUB_TOKEN in CI); never logged.
	Token string
}

// Push pushes Refs to the remote with go-git.
func Push(ctx context.Context, o PushOptions) error {
	repo, root, err := openRepo(o.Dir)
	if err != nil {
		return err
	}
	remote := o.Remote
	if remote == "" {
		remote = "origin"
	}
	specs := make([]gitconfig.RefSpec, 0, len(o.Refs))
	for _, r := range o.Refs {
		specs = append(specs, gitconfig.RefSpec(r+":"+r))
	}
	var auth transport.AuthMethod
	if o.Token != "" {
		redact.AddBasic("x-access-token", o.Token)
		auth = &githttp.BasicAuth{Username: "x-access-token", Password: o.Token}
	}
	err = repo.PushContext(ctx, &git.PushOptions{RemoteName: remote, RefSpecs: specs, Auth: auth})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		// go-git's errors do not carry credentials; the remote URL may,
		// so name the remote, not its URL.
		return fmt.Errorf("vcs: push %s to remote %q from %s: %w", strings.Join(o.Refs, " "), remote, root, redact.Error(err))
	}
	return nil
}

// RemoteURL returns the first URL of the remote name as configured in the
// repository, with any password in it replaced by "xxxxx". It fails when the
// remote is not configured or has no URL, so a release that is to be pushed
// stops before it writes anything.
func RemoteURL(dir, name string) (string, error) {
	repo, err := openReader(dir, nil)
	if err != nil {
		return "", err
	}
	defer repo.Close()
	root := repo.DisplayDir()
	names := repo.Config.Subsections("remote")
	if !slices.Contains(names, name) {
		have := "none is configured"
		if len(names) > 0 {
			have = "configured: " + strings.Join(names, ", ")
		}
		return "", fmt.Errorf("vcs: no remote %q in %s (%s): git remote add %s URL, or set remote in [tool.pyrelease]: %w", name, root, have, name, ErrNoRemote)
	}
	urls := repo.Config.GetAll("remote." + name + ".url")
	if len(urls) == 0 || urls[0] == "" {
		return "", fmt.Errorf("vcs: remote %q in %s has no URL: git remote set-url %s URL: %w", name, root, name, ErrNoRemote)
	}
	// A password in the URL is a secret of the run from now on, wherever
	// a server or a library repeats it.
	redact.AddURL(urls[0], false)
	return redactURL(urls[0]), nil
}

// redactURL hides a password in a URL's user information.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Redacted()
}

// HeadRef returns the full name of the branch HEAD points at ("" when detached).
func HeadRef(dir string) (string, error) {
	repo, err := openReader(dir, nil)
	if err != nil {
		return "", err
	}
	defer repo.Close()
	ref, err := repo.HeadTarget()
	if err != nil {
		return "", fmt.Errorf("vcs: reading HEAD: %w", err)
	}
	return ref, nil
}

func openRepo(dir string) (*git.Repository, string, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", ErrNotRepo, dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, "", fmt.Errorf("vcs: %s: %w", dir, err)
	}
	return repo, wt.Filesystem.Root(), nil
}

// signatures follows git: GIT_AUTHOR_* and GIT_COMMITTER_* first, then
// author.* or committer.*, then user.name/user.email from the git config
// of the repository holding dir.
func signatures(dir string, getenv func(string) string, now time.Time) (author, committer *object.Signature, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if now.IsZero() {
		now = time.Now()
	}
	repo, err := openReader(dir, nil)
	if err != nil {
		return nil, nil, err
	}
	defer repo.Close()
	get := func(key string) string {
		v, _, _ := repo.Config.Get(key)
		return v
	}
	pick := func(role, envPrefix string) (*object.Signature, error) {
		name, email := getenv(envPrefix+"_NAME"), getenv(envPrefix+"_EMAIL")
		if name == "" {
			name = firstNonEmpty(get(role+".name"), get("user.name"))
		}
		if email == "" {
			email = firstNonEmpty(get(role+".email"), get("user.email"))
		}
		if name == "" || email == "" {
			return nil, fmt.Errorf("%w: no %s identity: set user.name and user.email (git config) or %s_NAME and %s_EMAIL", ErrIdentity, role, envPrefix, envPrefix)
		}
		return &object.Signature{Name: name, Email: email, When: now}, nil
	}
	author, err = pick("author", "GIT_AUTHOR")
	if err != nil {
		return nil, nil, err
	}
	committer, err = pick("committer", "GIT_COMMITTER")
	if err != nil {
		return nil, nil, err
	}
	return author, committer, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
