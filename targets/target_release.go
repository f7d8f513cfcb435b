package targets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/ci"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/progress"
	"github.com/pyrelease/pyrelease/targets/internal/prompt"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
	"github.com/pyrelease/pyrelease/targets/notify"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/pypi"
	"github.com/pyrelease/pyrelease/targets/store"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// Release uploads the tagged version's wheels and sdist to the package
// index (PyPI by default) and succeeds only once the index serves every
// file with the right sha256.
//
// HEAD must be exactly at a release tag with a clean tree, outside a pull
// request, with the version files saying the tag's version; or, with
// release-branch set, on that branch, where the version file's version is
// released and its tag created and pushed once the index serves it. The
// files come from dist/ and, when the snapshot store has the version, from
// there (mage fetch); each is verified before anything is uploaded, and the
// set must be complete when [tool.pyrelease.snapshot] expect lists it. Files
// the index already has with the same sha256 are skipped, so running it
// again is safe. Credentials: PYRELEASE_TOKEN, TWINE_USERNAME/TWINE_PASSWORD, a
// .pypirc section, or trusted publishing from GitHub Actions or GitLab;
// without any, on a terminal outside CI, it asks for a user name (default
// __token__) and the token without echo, unless -noprompt. After success,
// SLACK_WEBHOOK_URL and PYRELEASE_WEBHOOK_URL are notified. -dryrun prints
// the plan and touches nothing.
func Release(ctx context.Context, dryrun, noprompt *bool) (err error) {
	defer scrub(&err)
	p, err := load(ctx)
	if err != nil {
		return err
	}
	dry := deref(dryrun, false)
	info, err := p.versionInfo(ctx)
	if err != nil {
		return err
	}
	branch, info, err := p.planBranch(ctx, info)
	if err != nil {
		return err
	}
	if err := p.releasePreconditions(info); err != nil {
		return err
	}
	if err := p.requireName("release"); err != nil {
		return err
	}
	files, err := p.releaseFiles(ctx, info, dry)
	if err != nil {
		return err
	}
	repo, err := pypi.Resolve(pypi.ResolveOptions{Repository: p.cfg.Release.Repository, IndexURL: p.cfg.Release.IndexURL, Getenv: p.getenv})
	if err != nil {
		return err
	}
	client := &pypi.Client{HTTP: nil, Log: p.log}
	if err := p.releaseCredentials(ctx, &repo, client, deref(noprompt, false)); err != nil {
		return err
	}
	project := p.cfg.Project.Name
	existing, err := client.Existing(ctx, repo, project)
	if err != nil {
		return fmt.Errorf("release: reading what %s already lists for %s: %w (an index that needs credentials to read takes the same ones as uploads)", repo.IndexURL, project, err)
	}
	diff := pypi.Compare(files, existing)
	for _, f := range diff.Present {
		fmt.Fprintf(stdout, "%s present %s\n", f.Name, f.SHA256)
	}
	if len(diff.Conflicts) > 0 {
		c := diff.Conflicts[0]
		return fmt.Errorf("release: %s already has %s with sha256 %s, and this build's file is %s: an index never replaces a file; release a new version", repo, c.File.Name, c.IndexSHA256, c.File.SHA256)
	}
	todo := diff.Upload
	if dry {
		for _, f := range todo {
			fmt.Fprintf(stdout, "%s would upload %d %s to %s\n", f.Name, f.Size, f.SHA256, repo)
		}
		p.printBranchPlan(branch)
		o := notify.FromEnv(p.getenv)
		o.DryRun = true
		sent, err := notify.Send(ctx, o, p.releaseNote(info, repo, files))
		for _, s := range sent {
			fmt.Fprintf(stdout, "would notify %s\n", s)
		}
		return err
	}
	bars := progress.New(os.Stderr, p.getenv)
	client.Progress = bars.File
	for _, f := range todo {
		res, err := client.Upload(ctx, repo, f)
		if err != nil {
			bars.Wait()
			return err
		}
		what := "uploaded"
		if res.Skipped {
			what = "present"
		}
		fmt.Fprintf(stdout, "%s %s %s\n", f.Name, what, f.SHA256)
	}
	bars.Wait()
	timeout := time.Duration(p.cfg.Release.VerifyTimeout) * time.Second
	if err := client.Verify(ctx, repo, project, files, timeout, 2*time.Second); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s serves %s %s: %d files, every sha256 checked\n", repo.IndexURL, project, info.Version, len(files))
	if fresh, err := p.tagBranchRelease(ctx, branch, len(todo) > 0); err != nil || !fresh {
		return err
	}
	sent, err := notify.Send(ctx, notify.FromEnv(p.getenv), p.releaseNote(info, repo, files))
	if err != nil {
		// The release is out; a notification that failed must not say otherwise.
		p.log.Warn("notification failed", "error", err)
	}
	for _, s := range sent {
		p.log.Info("notified", "hook", s)
	}
	return nil
}

// releasePreconditions refuses what must never be released: a commit
// that is not exactly a tag, a modified tree, a pull request, a local
// version, or version files that disagree with the tag.
func (p *project) releasePreconditions(info buildVersion) error {
	switch {
	case info.Dirty:
		return fmt.Errorf("release: the working tree has modified tracked files (%s): release from a clean checkout of the tag", info.Describe)
	case info.Tag == "" || info.Distance != 0:
		how := "tag it with mage bump, or check out the tag"
		if b := p.cfg.Release.Branch; b != "" {
			how += fmt.Sprintf(", or release from the release branch %s (HEAD is on %s)", b, firstNonEmpty(info.Branch, "no branch"))
		}
		return fmt.Errorf("release: HEAD is not at a release tag (%s): %s", info.Describe, how)
	case info.PullRequest != "":
		return fmt.Errorf("release: refusing to release from a pull-request build (%s #%s)", info.CI, info.PullRequest)
	}
	v, err := pep440.Parse(info.Version)
	if err != nil {
		return fmt.Errorf("release: version %q: %w", info.Version, err)
	}
	if len(v.Local) > 0 {
		return fmt.Errorf("release: version %s has a local part, which package indexes refuse", info.Version)
	}
	for _, f := range p.versionFiles() {
		got, err := pyfile.ReadFile(f)
		if err != nil {
			return err
		}
		fv, err := pep440.Parse(got)
		if err != nil || pep440.Compare(fv, v) != 0 {
			rel, _ := filepath.Rel(p.cfg.Dir, f.Path)
			return fmt.Errorf("release: %s says %s, but tag %s is version %s: release with mage bump, which writes both", rel, got, info.Tag, info.Version)
		}
	}
	return nil
}

// releaseFiles gathers the version's wheels and sdists from dist/ (after
// fetching from the snapshot store when it has them), checks the set is
// complete, and verifies each file.
func (p *project) releaseFiles(ctx context.Context, info buildVersion, dry bool) ([]pypi.File, error) {
	outDir := filepath.Join(p.cfg.Dir, "dist")
	_, err := p.fetchVersion(ctx, fetchRequest{version: info.Version, dryRun: dry})
	if errors.Is(err, store.ErrNoFiles) {
		// The files may have been built here.
		p.log.Info("the snapshot store has no files of this version; releasing what dist/ holds", "version", info.Version)
	} else if err != nil {
		return nil, err
	}
	m, err := dist.Load(outDir)
	if err != nil {
		return nil, err
	}
	arts := m.Artifacts.Filter(dist.ByVersion(info.Version))
	var files []pypi.File
	for _, a := range arts {
		// expect may list archives and installers too: they make the set
		// complete, though only wheels and sdists go to the index.
		if !dist.ForIndex(a) {
			if err := a.Verify(outDir); err != nil {
				return nil, fmt.Errorf("release: %w", err)
			}
			continue
		}
		f, err := p.releaseFile(ctx, outDir, a, info.Version)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("release: no wheel or sdist of %s %s in dist/ or the snapshot store: run mage wheel (or mage fetch) first", p.cfg.Project.Name, info.Version)
	}
	if missing := dist.Missing(p.cfg.Snapshot.Globs(info.Version), arts.Names()); len(missing) > 0 {
		return nil, fmt.Errorf("release: the release of %s is incomplete: no file matches %s (expect in [tool.pyrelease.snapshot])", info.Version, strings.Join(missing, ", "))
	}
	return pypi.SortForUpload(files), nil
}

// releaseFile verifies a wheel or sdist as the index will and reads what
// its upload needs. Both reads hash the file, and both hashes must be the
// one the manifest records: the bytes uploaded are the bytes checked.
func (p *project) releaseFile(ctx context.Context, outDir string, a dist.Artifact, version string) (pypi.File, error) {
	path := a.File(outDir)
	info, err := wheel.Verify(ctx, path, wheel.VerifyOptions{ExpectVersion: version, ExpectName: p.cfg.Project.Name, ForIndex: true})
	if err != nil {
		return pypi.File{}, fmt.Errorf("release: %w", err)
	}
	if err := a.Check(path, info.SHA256); err != nil {
		return pypi.File{}, fmt.Errorf("release: %w", err)
	}
	f, err := pypi.ReadFile(path)
	if err != nil {
		return pypi.File{}, err
	}
	if err := a.Check(path, f.SHA256); err != nil {
		return pypi.File{}, fmt.Errorf("release: %w", err)
	}
	return f, nil
}

// releaseNote is what notifications say about the release.
func (p *project) releaseNote(info buildVersion, repo pypi.Repository, files []pypi.File) notify.Release {
	r := notify.Release{Project: p.cfg.Project.Name, Version: info.Version, Tag: info.Tag, Commit: info.Commit,
		Repository: repo.String(), JobURL: info.JobURL}
	if repo.Name == "pypi" || repo.Name == "testpypi" {
		host := map[string]string{"pypi": "https://pypi.org", "testpypi": "https://test.pypi.org"}[repo.Name]
		r.ProjectURL = host + "/project/" + p.cfg.NormalizedName() + "/" + info.Version + "/"
	}
	for _, f := range files {
		r.Files = append(r.Files, notify.File{Name: f.Name, SHA256: f.SHA256, Size: f.Size})
	}
	return r
}

// releaseCredentials settles how release authenticates when repo has no
// password: trusted publishing in CI, else a question on the terminal
// (never in CI, never with -noprompt). Whatever it settles on is a secret
// of the run from then on.
func (p *project) releaseCredentials(ctx context.Context, repo *pypi.Repository, client *pypi.Client, noprompt bool) error {
	switch {
	case repo.Password != "":
	case pypi.TrustedPublishingAvailable(p.getenv):
		r := &pypi.Refresher{Repo: *repo, Getenv: p.getenv}
		client.Token = func(ctx context.Context) (string, string, error) {
			user, password, err := r.Credentials(ctx)
			redact.AddBasic(user, password)
			return user, password, err
		}
		p.log.Info("using trusted publishing", "repository", repo.String())
		return nil
	case !noprompt && !ci.Detect(p.getenv).IsCI() && !truthy(p.getenv("CI")) && prompt.IsTerminal(nil):
		user, password, err := prompt.Credentials(ctx, prompt.Options{For: repo.String(), DefaultUser: firstNonEmpty(repo.Username, pypi.TokenUsername)})
		if err != nil {
			return fmt.Errorf("release: asking for the credentials of %s: %w", repo, err)
		}
		repo.Username, repo.Password = user, password
	default:
		return fmt.Errorf("release: no credentials for %s: set PYRELEASE_TOKEN (or TWINE_USERNAME and TWINE_PASSWORD), add a section to ~/.pypirc, run in GitHub Actions or GitLab with trusted publishing, or run on a terminal without -noprompt to be asked", repo)
	}
	// From .pypirc or the terminal too: the password is a secret of the
	// run from here on.
	redact.AddBasic(repo.Username, repo.Password)
	return nil
}

// truthy reads a CI-style boolean variable: set, and not "false" or "0".
func truthy(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v != "" && v != "false" && v != "0"
}
