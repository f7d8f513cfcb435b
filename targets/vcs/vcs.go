// Package vcs records releases in git with go-git: it stages files, makes
// the release commit and its annotated tag, and pushes them; and it counts
// contributors as git shortlog does (Shortlog). Describe is package
// version's, which reads git's files directly for speed.
package vcs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Errors of the release commit.
var (
	// ErrTagExists is returned when the tag to create exists already.
	ErrTagExists = errors.New("vcs: tag already exists")
	// ErrIdentity is returned when no author or committer is configured.
	ErrIdentity = errors.New("vcs: no git identity")
	// ErrNotRepo is returned when the directory is not in a git worktree.
	ErrNotRepo = errors.New("vcs: not a git repository")
)

// CommitOptions describes a release commit and its annotated tag.
type CommitOptions struct {
	Dir     string   // a directory inside the worktree
	Files   []string // paths (absolute or relative to Dir) to stage
	Message string   // commit message
	Tag     string   // annotated tag to create on the commit; "" for none
	TagMsg  string   // tag message; defaults to Message
	// Now dates the commit and tag; zero means time.Now.
	Now time.Time
	// Getenv reads GIT_AUTHOR_* / GIT_COMMITTER_*; nil means os.Getenv.
	Getenv func(string) string
}

// CommitAndTag stages Files, commits them and tags the commit, all with
// go-git. With no Files it only tags HEAD. It returns the tagged commit.
func CommitAndTag(ctx context.Context, o CommitOptions) (string, error) {
	repo, root, err := openRepo(o.Dir)
	if err != nil {
		return "", err
	}
	if o.Tag != "" {
		if _, err := repo.Reference(plumbing.NewTagReferenceName(o.Tag), false); err == nil {
			return "", fmt.Errorf("%w: %s", ErrTagExists, o.Tag)
		}
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("vcs: %s: %w", root, err)
	}
	for _, f := range o.Files {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		rel, err := relTo(root, o.Dir, f)
		if err != nil {
			return "", err
		}
		if err := wt.AddWithOptions(&git.AddOptions{Path: rel, SkipStatus: true}); err != nil {
			return "", fmt.Errorf("vcs: staging %s: %w", rel, err)
		}
	}
	author, committer, err := signatures(repo, o.Getenv, o.Now)
	if err != nil {
		return "", err
	}
	var hash plumbing.Hash
	if len(o.Files) == 0 {
		// Nothing to record (no version files, no changelog): tag HEAD.
		head, err := repo.Head()
		if err != nil {
			return "", fmt.Errorf("vcs: reading HEAD in %s: %w", root, err)
		}
		hash = head.Hash()
	} else if hash, err = wt.Commit(o.Message, &git.CommitOptions{Author: author, Committer: committer}); err != nil {
		return "", fmt.Errorf("vcs: commit in %s: %w", root, err)
	}
	if o.Tag != "" {
		msg := o.TagMsg
		if msg == "" {
			msg = o.Message
		}
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		if _, err := repo.CreateTag(o.Tag, hash, &git.CreateTagOptions{Tagger: committer, Message: msg}); err != nil {
			return "", fmt.Errorf("vcs: tag %s: %w", o.Tag, err)
		}
	}
	return hash.String(), nil
}

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
		auth = &githttp.BasicAuth{Username: "x-access-token", Password: o.Token}
	}
	err = repo.PushContext(ctx, &git.PushOptions{RemoteName: remote, RefSpecs: specs, Auth: auth})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		// go-git's errors do not carry credentials; the remote URL may,
		// so name the remote, not its URL.
		return fmt.Errorf("vcs: push %s to remote %q from %s: %w", strings.Join(o.Refs, " "), remote, root, redact(err, o.Token))
	}
	return nil
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

// relTo turns f (absolute, or relative to dir) into a slash path relative
// to the worktree root.
func relTo(root, dir, f string) (string, error) {
	if !filepath.IsAbs(f) {
		abs, err := filepath.Abs(filepath.Join(dir, f))
		if err != nil {
			return "", err
		}
		f = abs
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	realF, err := filepath.EvalSymlinks(f)
	if err != nil {
		return "", fmt.Errorf("vcs: staging %s: %w", f, err)
	}
	rel, err := filepath.Rel(realRoot, realF)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("vcs: %s is outside the worktree %s", f, root)
	}
	return filepath.ToSlash(rel), nil
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

// redact removes a token from an error's text.
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "***"))
}
