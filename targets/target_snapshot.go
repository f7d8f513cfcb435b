package targets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/progress"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/store"
)

// Snapshot publishes this build's artifacts to the snapshot store, where
// the other CI jobs of a build and the release job find them.
//
// It takes what dist/.pyrelease/artifacts.json records for the current version,
// checks each file's sha256, and publishes them to [tool.pyrelease.snapshot]
// store (default: a folder in the git directory, .git/pyrelease/snapshots;
// PYRELEASE_STORE overrides): tag
// builds under snapshots/v{version}/, others under branches/{branch}/,
// each file beside a JSON sidecar, with older branch builds pruned,
// latest aliases (in S3 a copy, or from 100 MiB on, a pointer page that
// links to the versioned file: the store URL's latest-copy-limit sets the
// size) and index pages pip installs from. Files already there
// with the same sha256 are not sent again, and a tag keeps the files of
// its first complete publish (a rebuilt sdist with other bytes is kept
// out). Pull-request builds are refused; -force publishes them and replaces
// a tag's differing files. -dryrun prints the plan and writes nothing.
func Snapshot(ctx context.Context, force, dryrun *bool) (err error) {
	defer scrub(&err)
	p, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	if info.PullRequest != "" && !deref(force, false) {
		return fmt.Errorf("snapshot: refusing to publish a pull-request build (%s #%s): its files would sit beside reviewed builds; -force publishes anyway", info.CI, info.PullRequest)
	}
	if info.Dirty && !deref(force, false) {
		return fmt.Errorf("snapshot: refusing to publish a build of a tree with uncommitted changes (%s): nobody could rebuild it from the commit; commit first, or -force publishes it under its local version", info.Version)
	}
	arts, err := p.versionArtifacts(info.Version)
	if err != nil {
		return err
	}
	project := p.cfg.Project.Name
	for _, a := range arts {
		project = firstNonEmpty(a.Project, project)
	}
	st, err := p.openStore(ctx)
	if err != nil {
		return err
	}
	bars := progress.New(os.Stderr, p.getenv)
	res, err := store.Publish(ctx, store.PublishOptions{
		Store: st, Dir: filepath.Join(p.cfg.Dir, "dist"), Artifacts: arts,
		Build: store.Build{Project: project, Version: info.Version, Tagged: info.Tagged, Tag: info.Tag,
			Branch: info.Branch, Describe: info.Describe, Commit: info.Commit, JobURL: info.JobURL},
		Keep: p.cfg.Snapshot.Keep, CacheControl: p.cfg.Snapshot.CacheControl, Concurrency: p.cfg.Snapshot.Concurrency,
		DryRun: deref(dryrun, false), ReplaceTagged: deref(force, false), Log: p.log, Progress: bars.File,
	})
	bars.Wait()
	if err != nil {
		return err
	}
	verb := map[bool]string{false: "publish", true: "would publish"}[deref(dryrun, false)]
	for _, f := range res.Files {
		what := verb
		switch {
		case f.Kept:
			what = "kept (the tag already has this file with sha256 " + f.KeptSHA256 + ")"
		case f.Skipped:
			what = "unchanged"
		case f.Replace:
			what += " (replacing a different file)"
		}
		fmt.Fprintf(stdout, "%s %s %d %s\n", st.Location(f.Key), what, f.Size, f.SHA256)
	}
	for _, k := range res.Pruned {
		fmt.Fprintf(stdout, "%s %s\n", st.Location(k), map[bool]string{false: "pruned", true: "would prune"}[deref(dryrun, false)])
	}
	for _, k := range res.Latest {
		if target, ok := res.Pointers[k]; ok {
			fmt.Fprintf(stdout, "%s latest pointer %s\n", st.Location(k), st.Location(target))
			continue
		}
		fmt.Fprintf(stdout, "%s latest\n", st.Location(k))
	}
	if len(res.Indexes) > 0 {
		fmt.Fprintf(stdout, "%s index\n", st.Location(store.IndexFile))
	}
	return nil
}

// Fetch downloads every artifact of a version from the snapshot store, or
// from the HTML index page of fetch-from, into dist/, checking each
// file's sha256.
//
// -version picks the version (any PEP 440 spelling; default: the version
// of the tag at HEAD). Files already in dist/ with the right hash are not
// downloaded again. When [tool.pyrelease.snapshot] expect lists the files
// a release needs, a missing one fails the target after the others are
// fetched. Fetched files are recorded in dist/.pyrelease/artifacts.json.
func Fetch(ctx context.Context, version *string) (err error) {
	defer scrub(&err)
	p, err := load(ctx)
	if err != nil {
		return err
	}
	v := deref(version, "")
	if v == "" {
		info, err := p.versionInfo(ctx)
		if err != nil {
			return err
		}
		if !info.Tagged {
			example := info.TagVersion
			if example == "" {
				example = "1.2.3"
			}
			return fmt.Errorf("fetch: HEAD is not at a release tag (%s): name the version to fetch, as in fetch -version=%s (this build's is %s)", info.Describe, example, info.Version)
		}
		v = info.Version
	}
	pv, err := pep440.Parse(v)
	if err != nil {
		return fmt.Errorf("fetch: -version %q: %w", v, err)
	}
	if err := p.requireName("fetch"); err != nil {
		return err
	}
	v = pv.String()
	got, err := p.fetchVersion(ctx, fetchRequest{version: v, expect: p.cfg.Snapshot.Globs(v), progress: true})
	var missing *store.MissingError
	if err != nil && !errors.As(err, &missing) {
		return err
	}
	for _, f := range got {
		what := "fetched"
		if f.Skipped {
			what = "present"
		}
		fmt.Fprintf(stdout, "%s %s %d %s\n", filepath.Join("dist", filepath.FromSlash(f.Rel)), what, f.Size, f.SHA256)
	}
	return err
}

// fetchRequest is one version to bring from the snapshot store into dist/.
type fetchRequest struct {
	version  string   // normalised
	expect   []string // globs of files that must be there
	progress bool     // show download progress on stderr
	dryRun   bool     // open the store, then say what would be fetched
}

// fetchVersion downloads a version's files from the snapshot store, or
// from fetch-from's index page, into dist/ and records them in the
// manifest. When expected files are missing it records what it fetched and
// returns it with a *store.MissingError; a store without the version is
// store.ErrNoFiles. Fetch and release both bring files this way.
func (p *project) fetchVersion(ctx context.Context, r fetchRequest) ([]store.Fetched, error) {
	o := store.FetchOptions{
		Project: p.cfg.Project.Name, Version: r.version, Dir: filepath.Join(p.cfg.Dir, "dist"),
		Expect: r.expect, AllowHosts: p.cfg.Snapshot.AllowHosts,
		Concurrency: p.cfg.Snapshot.Concurrency, Log: p.log, HTTPClient: httpClient(),
	}
	if p.cfg.Snapshot.FetchFrom != "" {
		o.IndexURL = p.cfg.Snapshot.FetchFrom
	} else {
		st, err := p.openStore(ctx)
		if err != nil {
			return nil, err
		}
		o.Store = st
	}
	if r.dryRun {
		p.log.Info("would fetch from the snapshot store first", "store", firstNonEmpty(o.IndexURL, p.cfg.Snapshot.Store))
		return nil, nil
	}
	var bars *progress.Bars
	if r.progress {
		bars = progress.New(os.Stderr, p.getenv)
		o.Progress = bars.File
	}
	got, ferr := store.Fetch(ctx, o)
	if bars != nil {
		bars.Wait()
	}
	var missing *store.MissingError
	if ferr != nil && !errors.As(ferr, &missing) {
		if errors.Is(ferr, store.ErrNoFiles) && o.IndexURL == "" && p.cfg.Snapshot.Store == "" {
			// The default store is this clone's own: a fresh clone's
			// is empty whatever other clones published.
			return nil, fmt.Errorf("%w\nfetch: that is the default store, inside this clone's git directory, where only this clone's snapshots go; to fetch what a CI job or another clone published, set store in [tool.pyrelease.snapshot] or PYRELEASE_STORE to the store it published to", ferr)
		}
		return nil, ferr
	}
	arts := make([]dist.Artifact, len(got))
	for i, f := range got {
		arts[i] = f.Artifact(r.version)
	}
	if err := dist.Record(ctx, o.Dir, arts...); err != nil {
		return nil, err
	}
	return got, ferr
}

// httpClient is the client of index pages and downloads: a server that
// stops answering fails the attempt (and is retried) instead of hanging.
func httpClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = time.Minute
	t.TLSHandshakeTimeout = 30 * time.Second
	return &http.Client{Transport: t}
}

// versionArtifacts returns what dist/.pyrelease/artifacts.json records for version.
func (p *project) versionArtifacts(version string) (dist.Artifacts, error) {
	m, err := dist.Load(filepath.Join(p.cfg.Dir, "dist"))
	if err != nil {
		return nil, err
	}
	arts := m.Artifacts.Filter(dist.ByVersion(version))
	if len(arts) == 0 {
		return nil, fmt.Errorf("snapshot: %s records no artifacts of version %s: run mage wheel (and bdist) first", dist.ManifestRel, version)
	}
	return arts, nil
}

// requireName fails when nothing names the project: fetch and release
// find files by it before anything is built.
func (p *project) requireName(target string) error {
	if p.cfg.Project.Name != "" {
		return nil
	}
	return fmt.Errorf("%s: cannot tell the project's name without building it: %s has no [project] name, and no setup.cfg [metadata] name or literal setup(name=...) was found; add one of them", target, p.cfg.File)
}

// openStore opens [tool.pyrelease.snapshot] store, by default a folder in
// the git directory.
func (p *project) openStore(ctx context.Context) (store.Store, error) {
	s := p.cfg.Snapshot
	where := s.Store
	if where == "" {
		d, err := statedir.For(p.cfg.Dir)
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		where = filepath.Join(d.Shared, "snapshots")
	}
	// The store takes 0 for its default and a negative limit for none.
	copyLimit := int64(s.LatestCopyLimit) << 20
	if copyLimit == 0 {
		copyLimit = -1
	}
	return store.Open(ctx, where, p.cfg.Dir, store.S3Options{
		Endpoint: s.Endpoint, Region: s.Region, Profile: s.Profile, PathStyle: s.PathStyle, PathStyleSet: s.PathStyleSet,
		ACL: s.ACL, Checksum: s.Checksum, PartSize: int64(s.PartSize) << 20, Concurrency: s.Concurrency, LatestCopyLimit: copyLimit,
	})
}
