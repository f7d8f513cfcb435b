// Package vcs records releases in git: the release commit, its annotated
// tag and a back-to-development commit, written as one transaction that a
// killed process leaves finishable or undoable (PrepareRelease, Apply,
// RecoverRelease); it pushes them with go-git, and counts contributors as
// git shortlog does (Shortlog). Describe is package version's, which reads
// git's files directly for speed.
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
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

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
	repo, _, err := openRepo(dir)
	if err != nil {
		return false, err
	}
	_, err = repo.Reference(plumbing.NewTagReferenceName(name), false)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return false, nil
	}
	return err == nil, err
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
	repo, root, err := openRepo(dir)
	if err != nil {
		return "", err
	}
	cfg, err := repo.Config()
	if err != nil {
		return "", fmt.Errorf("vcs: reading the git config of %s: %w", root, err)
	}
	rc, ok := cfg.Remotes[name]
	if !ok {
		names := make([]string, 0, len(cfg.Remotes))
		for n := range cfg.Remotes {
			names = append(names, n)
		}
		slices.Sort(names)
		have := "none is configured"
		if len(names) > 0 {
			have = "configured: " + strings.Join(names, ", ")
		}
		return "", fmt.Errorf("vcs: no remote %q in %s (%s): git remote add %s URL, or set remote in [tool.pyrelease]: %w", name, root, have, name, ErrNoRemote)
	}
	if len(rc.URLs) == 0 || rc.URLs[0] == "" {
		return "", fmt.Errorf("vcs: remote %q in %s has no URL: git remote set-url %s URL: %w", name, root, name, ErrNoRemote)
	}
	// A password in the URL is a secret of the run from now on, wherever
	// a server or a library repeats it.
	redact.AddURL(rc.URLs[0], false)
	return redactURL(rc.URLs[0]), nil
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
	repo, _, err := openRepo(dir)
	if err != nil {
		return "", err
	}
	ref, err := repo.Reference(plumbing.HEAD, false)
	if err != nil {
		return "", fmt.Errorf("vcs: reading HEAD: %w", err)
	}
	if ref.Type() != plumbing.SymbolicReference {
		return "", nil
	}
	return ref.Target().String(), nil
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
// user.name/user.email from the repository, global and system config.
func signatures(repo *git.Repository, getenv func(string) string, now time.Time) (author, committer *object.Signature, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if now.IsZero() {
		now = time.Now()
	}
	cfg, err := repo.ConfigScoped(gitconfig.SystemScope)
	if err != nil {
		return nil, nil, fmt.Errorf("vcs: reading git config: %w", err)
	}
	pick := func(role, envPrefix string, roleCfg struct{ Name, Email string }) (*object.Signature, error) {
		name, email := getenv(envPrefix+"_NAME"), getenv(envPrefix+"_EMAIL")
		if name == "" {
			name = firstNonEmpty(roleCfg.Name, cfg.User.Name)
		}
		if email == "" {
			email = firstNonEmpty(roleCfg.Email, cfg.User.Email)
		}
		if name == "" || email == "" {
			return nil, fmt.Errorf("%w: no %s identity: set user.name and user.email (git config) or %s_NAME and %s_EMAIL", ErrIdentity, role, envPrefix, envPrefix)
		}
		return &object.Signature{Name: name, Email: email, When: now}, nil
	}
	author, err = pick("author", "GIT_AUTHOR", struct{ Name, Email string }{cfg.Author.Name, cfg.Author.Email})
	if err != nil {
		return nil, nil, err
	}
	committer, err = pick("committer", "GIT_COMMITTER", struct{ Name, Email string }{cfg.Committer.Name, cfg.Committer.Email})
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

