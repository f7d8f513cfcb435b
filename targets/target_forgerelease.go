package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/changelog"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/forge"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// ForgeRelease publishes the tagged version's release page on GitHub,
// GitLab, Gitea or Forgejo, with its changelog section as notes and its
// archives, installers and SHA256SUMS attached.
//
// HEAD must be exactly at a release tag with a clean tree, as for mage
// release. The forge, its API and the repository come from
// [tool.pyrelease.forge], else from the CI job's variables; the token from
// GITHUB_TOKEN (or GH_TOKEN) on GitHub, GITLAB_TOKEN or else CI_JOB_TOKEN
// on GitLab, GITEA_TOKEN (or FORGEJO_TOKEN, GITHUB_TOKEN) on Gitea. A PEP 440
// pre-release is marked as one. Running it again uploads nothing: an
// asset already attached with the same sha256 is reported present, one
// with other bytes stops the release, and notes or flags that differ are
// updated. One line per asset goes to stdout. -dryrun reads the forge and
// changes nothing.
func ForgeRelease(ctx context.Context, dryrun *bool) (err error) {
	defer scrub(&err)
	p, err := load(ctx)
	if err != nil {
		return err
	}
	return p.forgeRelease(ctx, stdout, deref(dryrun, false))
}

// forgeRelease is ForgeRelease for a loaded project, printing to out.
func (p *project) forgeRelease(ctx context.Context, out io.Writer, dry bool) error {
	info, err := p.versionInfo(ctx)
	if err != nil {
		return err
	}
	if err := p.releasePreconditions(info); err != nil {
		return err
	}
	fc, err := p.cfg.Forge(p.getenv)
	if err != nil {
		return err
	}
	token, job, err := forgeToken(fc.Kind, p.getenv)
	if err != nil {
		return err
	}
	notes, err := p.releaseNotes(info.Version)
	if err != nil {
		return err
	}
	v, err := pep440.Parse(info.Version)
	if err != nil {
		return fmt.Errorf("forgerelease: version %q: %w", info.Version, err)
	}
	assets, cleanup, err := p.forgeAssets(info.Version)
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := forge.Publish(ctx, forge.Options{
		Kind: fc.Kind, URL: fc.URL, Repository: fc.Repository, Token: token, JobToken: job,
		Tag: info.Tag, Commit: info.Commit, Title: strings.TrimSpace(p.cfg.Project.Name + " " + info.Version), Notes: notes,
		Prerelease: v.IsPrerelease(), Draft: fc.Draft, Assets: assets,
		Package: p.cfg.NormalizedName(), Version: info.Version, DryRun: dry, Log: p.log,
	})
	for _, a := range res.Assets {
		fmt.Fprintf(out, "%s %s %s\n", a.Name, a.Status, a.SHA256)
	}
	if err != nil {
		return err
	}
	switch {
	case res.Created && dry:
		p.log.Info("would create the release", "tag", info.Tag)
	case res.Created:
		p.log.Info("release created", "tag", info.Tag, "url", res.URL)
	case len(res.Updated) > 0 && dry:
		p.log.Info("would update the release", "tag", info.Tag, "fields", strings.Join(res.Updated, ", "), "url", res.URL)
	case len(res.Updated) > 0:
		p.log.Info("release updated", "tag", info.Tag, "fields", strings.Join(res.Updated, ", "), "url", res.URL)
	default:
		p.log.Info("release already as wanted", "tag", info.Tag, "url", res.URL)
	}
	return nil
}

// forgeTokenVars are, per forge, the variables a token is read from, in
// order; a GitLab CI_JOB_TOKEN goes in another header than the others.
var forgeTokenVars = map[string][]string{
	config.ForgeGitHub: {"GITHUB_TOKEN", "GH_TOKEN"},
	config.ForgeGitLab: {"GITLAB_TOKEN", "CI_JOB_TOKEN"},
	config.ForgeGitea:  {"GITEA_TOKEN", "FORGEJO_TOKEN", "GITHUB_TOKEN"},
}

// forgeToken reads the forge's token and registers it as a secret; job
// says it is a GitLab job token.
func forgeToken(kind string, getenv func(string) string) (token string, job bool, err error) {
	for _, name := range forgeTokenVars[kind] {
		if t := strings.TrimSpace(getenv(name)); t != "" {
			redact.Add(t)
			return t, name == "CI_JOB_TOKEN", nil
		}
	}
	return "", false, fmt.Errorf("forgerelease: no token for %s: set %s", kind, strings.Join(forgeTokenVars[kind], " or "))
}

// releaseNotes is the version's section of the changelog, or nothing
// (with a warning) when the project has no changelog or no section for it.
func (p *project) releaseNotes(version string) (string, error) {
	path, err := changelog.Resolve(p.cfg.Dir, p.cfg.Changelog)
	if err != nil || path == "" {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("forgerelease: reading the release notes: %w", err)
	}
	notes, err := changelog.Section(data, path, version)
	if errors.Is(err, changelog.ErrNoSection) {
		p.log.Warn(fmt.Sprintf("%s has no section for %s: the release gets no notes", p.rel(path), version))
		return "", nil
	}
	return notes, err
}

// forgeAssets are the version's archives and installers the manifest
// records, each verified, and a SHA256SUMS of exactly them, written in a
// temporary directory that cleanup removes: the SHA256SUMS in dist/ covers
// whatever this machine built, which may be other versions or miss the
// files of other build jobs.
func (p *project) forgeAssets(version string) (assets []forge.Asset, cleanup func(), err error) {
	cleanup = func() {}
	outDir := filepath.Join(p.cfg.Dir, "dist")
	m, err := dist.Load(outDir)
	if err != nil {
		return nil, cleanup, err
	}
	arts := m.Artifacts.Filter(dist.And(dist.ByVersion(version), dist.ByKind(dist.KindArchive, dist.KindInstaller)))
	if len(arts) == 0 {
		p.log.Info("the manifest records no archives or installers of this version: the release gets no assets", "version", version)
		return nil, cleanup, nil
	}
	var sums strings.Builder
	slices.SortFunc(arts, func(a, b dist.Artifact) int { return strings.Compare(a.Name, b.Name) })
	for _, a := range arts {
		if err := a.Verify(outDir); err != nil {
			return nil, cleanup, err
		}
		assets = append(assets, forge.Asset{Name: a.Name, Path: a.File(outDir), SHA256: a.SHA256})
		fmt.Fprintf(&sums, "%s  %s\n", a.SHA256, a.Name)
	}
	tmp, err := statedir.TempDir("pyrelease-forge-")
	if err != nil {
		return nil, cleanup, fmt.Errorf("forgerelease: %w", err)
	}
	cleanup = func() { tmp.Remove() }
	path := filepath.Join(tmp.Path, "SHA256SUMS")
	if err := os.WriteFile(path, []byte(sums.String()), 0o644); err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("forgerelease: %w", err)
	}
	return append(assets, forge.Asset{Name: "SHA256SUMS", Path: path}), cleanup, nil
}
