package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyrelease/pyrelease/targets/docs"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/store"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// docsDir is where the documentation's HTML goes, under the project.
const docsDir = "dist/docs"

// Docs builds the project's Sphinx or MkDocs documentation stamped with
// this build's version and publishes it to the snapshot store.
//
// Sphinx (docs/conf.py or conf.py) runs as python -m sphinx -b html, MkDocs
// (mkdocs.yml) as python -m mkdocs build, with the interpreter from python
// (config) or $PYRELEASE_PYTHON, else python3, which must have the tool
// installed. The version files are stamped for the build, as wheel stamps
// them, and restored afterwards, even when the build is interrupted; the
// version is also in $PYRELEASE_BUILD_VERSION, for conf.py or mkdocs.yml
// (!ENV) to read. The HTML goes to dist/docs/ and is then published: a
// tag's to docs/v{version}/ and to docs/latest/ (unless a newer release's
// docs are there already, or it is a pre-release), a branch's to
// docs/{branch}/. A tree is uploaded whole out of sight and then put in
// place, so readers never see part of it, and the previous tree's files
// the new one lacks are removed. One line per published folder goes to
// stdout. -publish=false only builds. -list builds nothing: it prints one
// "TOOL PATH" line (sphinx docs, mkdocs mkdocs.yml) for a project with
// documentation, and nothing for one without, so a CI job can decide
// whether to install the tool and build at all.
func Docs(ctx context.Context, publish, list *bool) (err error) {
	defer scrub(&err)
	if deref(list, false) {
		p, err := load(ctx)
		if err != nil {
			return err
		}
		return p.listDocs(stdout)
	}
	p, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	prefixes, err := docsPrefixes(info)
	if err != nil && deref(publish, true) {
		return err
	}
	out, err := p.buildDocs(ctx, info)
	if err != nil {
		return err
	}
	if !deref(publish, true) {
		fmt.Fprintln(stdout, out)
		return nil
	}
	st, err := p.openStore(ctx)
	if err != nil {
		return err
	}
	if info.Tagged {
		latest, err := docsLatest(ctx, st, info.Version)
		if err != nil {
			return err
		}
		if !latest {
			prefixes = prefixes[:1]
			p.log.Info("docs/latest/ is left as it is: a newer release's docs are there, or this is a pre-release", "version", info.Version)
		}
	}
	for _, prefix := range prefixes {
		res, err := store.PublishTree(ctx, st, prefix, out, store.TreeOptions{
			CacheControl: p.cfg.Snapshot.CacheControl, Concurrency: p.cfg.Snapshot.Concurrency, Log: p.logf})
		if err != nil {
			return err
		}
		// Locations of folders have no trailing slash of their own.
		where := strings.TrimSuffix(st.Location(strings.TrimSuffix(prefix, "/")), "/") + "/"
		fmt.Fprintf(stdout, "%s docs %d files (%d sent, %d removed)\n", where,
			len(res.Placed)+len(res.Unchanged), len(res.Placed), len(res.Removed))
	}
	return nil
}

// listDocs prints the project's documentation tool and source, relative
// to the project; a project without documentation prints nothing.
func (p *project) listDocs(out io.Writer) error {
	src, err := docs.DetectDir(p.cfg.Dir)
	if errors.Is(err, docs.ErrNoDocs) {
		return nil
	}
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(p.cfg.Dir, src.Path)
	if err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	_, err = fmt.Fprintf(out, "%s %s\n", src.Kind, filepath.ToSlash(rel))
	return err
}

// docsPrefixes are where a build's documentation is published: a tag's
// under its version and latest, a branch's under the branch.
func docsPrefixes(info buildVersion) ([]string, error) {
	if info.PullRequest != "" {
		return nil, fmt.Errorf("docs: refusing to publish the docs of a pull-request build (%s #%s); -publish=false only builds them", info.CI, info.PullRequest)
	}
	if info.Tagged {
		return []string{"docs/v" + info.Version + "/", "docs/" + store.LatestWord + "/"}, nil
	}
	if info.Branch == "" {
		return nil, fmt.Errorf("docs: HEAD is on no branch and not at a release tag (%s): nowhere to publish; -publish=false only builds", info.Describe)
	}
	b := store.SafeBranch(info.Branch)
	if _, err := pep440.Parse(strings.TrimPrefix(b, "v")); b == store.LatestWord || strings.HasPrefix(b, "v") && err == nil {
		return nil, fmt.Errorf("docs: the branch %q would publish to docs/%s/, which names a release's docs: rename the branch, or -publish=false only builds", info.Branch, b)
	}
	return []string{"docs/" + b + "/"}, nil
}

// docsLatest reports whether version's docs become docs/latest/: a final
// release no older than any release whose docs the store has.
func docsLatest(ctx context.Context, st store.Store, version string) (bool, error) {
	v, err := pep440.Parse(version)
	if err != nil || v.IsPrerelease() {
		return false, nil
	}
	objs, err := st.List(ctx, "docs/v")
	if err != nil {
		return false, fmt.Errorf("docs: listing %s: %w", st.Location("docs/"), err)
	}
	for _, o := range objs {
		dir, _, ok := strings.Cut(strings.TrimPrefix(o.Key, "docs/v"), "/")
		if !ok {
			continue
		}
		other, err := pep440.Parse(dir)
		if err == nil && !other.IsPrerelease() && pep440.Compare(other, v) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// docsStagingPrefix names the folders docs are built in, beside dist/docs/.
const docsStagingPrefix = ".docs-"

// buildDocs builds the documentation into a staging folder with the
// version files stamped, and moves it to dist/docs/ once built.
func (p *project) buildDocs(ctx context.Context, info buildVersion) (string, error) {
	src, err := docs.DetectDir(p.cfg.Dir)
	if err != nil {
		return "", err
	}
	out := filepath.Join(p.cfg.Dir, filepath.FromSlash(docsDir))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	// A run killed while it built left its staging folder: its owner is
	// gone, so it goes.
	for _, d := range statedir.Sweep(filepath.Dir(out), docsStagingPrefix) {
		p.log.Info("removed the staging folder of a killed docs build", "dir", d)
	}
	staging, err := statedir.OwnedDir(filepath.Dir(out), docsStagingPrefix)
	if err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	defer staging.Remove()
	html := filepath.Join(staging.Path, "html")
	python := firstNonEmpty(p.cfg.Python, "python3")
	p.log.Info("building docs", "tool", src.Kind, "version", info.Version, "python", python)
	build := func(ctx context.Context) error {
		return docs.Build(ctx, docs.Options{Source: src, Python: python, Version: info.Version, Out: html, Stderr: stderr})
	}
	files := p.docsStampFiles()
	if len(files) == 0 {
		err = build(ctx)
	} else {
		err = pyfile.Stamp(ctx, pyfile.StampOptions{Dir: p.cfg.Dir, Files: files, Version: info.Version, Logf: p.logf}, build)
	}
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(out); err != nil {
		return "", fmt.Errorf("docs: replacing %s: %w", out, err)
	}
	if err := os.Rename(html, out); err != nil {
		return "", fmt.Errorf("docs: moving the built docs to %s: %w", out, err)
	}
	return out, nil
}

// docsStampFiles are the version files a wheel build would stamp; a
// project without one gets the version in the environment only.
func (p *project) docsStampFiles() []pyfile.File {
	if files := p.versionFiles(); len(files) > 0 {
		return files
	}
	system, err := wheel.ReadBuildSystem(p.cfg.Dir)
	if err != nil {
		return nil
	}
	files, err := p.stampFiles(system)
	if err != nil {
		p.log.Info("docs: no version file to stamp; the version is in $" + docs.EnvVersion)
		return nil
	}
	return files
}
