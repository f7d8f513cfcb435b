package targets

import (
	"context"
	"fmt"
	"strings"

	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
	"github.com/pyrelease/pyrelease/targets/version"
)

// branchRelease is a release from the release branch (release-branch in
// [tool.pyrelease.release]): the version file's version, released from
// HEAD, whose tag is created and pushed only once the index serves every
// file, so that a tag always names a release that is out.
type branchRelease struct {
	active  bool   // HEAD, or the build CI runs, is on the release branch
	branch  string // the release branch
	version string // the version file's version
	tag     string // the version's tag
	commit  string // HEAD, full hex
	// create is true when the tag is to be made; false when it is at
	// HEAD already (a rerun).
	create bool
	// object is the tag's object when it exists here ("" with create).
	object string
	// onRemote is true when the remote has the tag, as this repository.
	onRemote bool
	remote   string // where the tag is pushed
	pushURL  string // the remote's URL, password hidden
}

// branchInput is what a release-branch plan is decided from.
type branchInput struct {
	branch      string       // release-branch; "" when not configured
	info        buildVersion // HEAD as described, with the branch CI builds
	fileVersion string       // what the first version file says
	tagFormat   string
	tagPattern  string
	format      string // version-format
	// lookup reads refs/tags/NAME; planBranchRelease calls it once it
	// knows the tag's name.
	lookup func(name string) (vcs.Tag, error)
}

// planBranchRelease decides whether release runs as a release-branch
// release and, when it does, what it releases and tags. It refuses a
// version file that holds no releasable version and a tag of the version
// that names another commit.
func planBranchRelease(in branchInput) (branchRelease, error) {
	if in.branch == "" || in.info.Branch != in.branch {
		return branchRelease{}, nil
	}
	text := strings.TrimSpace(in.fileVersion)
	v, err := pep440.Parse(text)
	switch {
	case err != nil:
		return branchRelease{}, fmt.Errorf("release: on the release branch %s the version comes from the version file, which says %q: %w", in.branch, text, err)
	case len(v.Local) > 0:
		return branchRelease{}, fmt.Errorf("release: on the release branch %s the version file says %s, which has a local part that package indexes refuse: write the version to release", in.branch, text)
	case v.IsDevrelease():
		return branchRelease{}, fmt.Errorf("release: on the release branch %s the version file says %s, a development version: write the version to release (mage bump release does)", in.branch, text)
	}
	ver := v.String()
	tag := version.TagName(in.tagFormat, in.info.Tag, in.tagPattern, ver)
	if back, err := version.TagVersion(tag, in.tagPattern, in.format); err != nil || !back.Equal(v) {
		return branchRelease{}, fmt.Errorf("release: the tag of %s would be %s, which does not read back as that version (tag-format %q, tag-pattern %q, version-format %q): set tag-format so that it does", ver, tag, in.tagFormat, in.tagPattern, in.format)
	}
	existing, err := in.lookup(tag)
	if err != nil {
		return branchRelease{}, err
	}
	if existing.Exists && existing.Commit != in.info.Commit {
		return branchRelease{}, fmt.Errorf("release: tag %s exists at commit %s, not at HEAD (%s): %s was released from another commit; write the next version to the version file", tag, short(existing.Commit), short(in.info.Commit), ver)
	}
	return branchRelease{active: true, branch: in.branch, version: ver, tag: tag, commit: in.info.Commit,
		create: !existing.Exists, object: existing.Object}, nil
}

// setRemote records what the remote holds under the plan's tag (object,
// when exists), refusing a tag that is not this repository's.
func (b *branchRelease) setRemote(object string, exists bool) error {
	switch {
	case exists && b.create:
		// A clone made without tags, as CI checkouts often are.
		return fmt.Errorf("release: remote %s has tag %s and this repository has not: fetch it (git fetch %s tag %s) and run release again", b.remote, b.tag, b.remote, b.tag)
	case exists && object != b.object:
		return fmt.Errorf("release: remote %s has tag %s at %s, and this repository's is %s: a tag names one release; delete the wrong one", b.remote, b.tag, short(object), short(b.object))
	}
	b.onRemote = exists
	return nil
}

// short abbreviates a commit name for messages.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// releaseAs is info as release sees it on the release branch: HEAD at the
// version's tag, which the checks of releasePreconditions then hold to.
func (b branchRelease) releaseAs(info buildVersion) buildVersion {
	if !b.active {
		return info
	}
	info.Version, info.Release, info.Tag, info.TagVersion = b.version, b.version, b.tag, b.version
	info.Distance, info.Tagged = 0, !info.Dirty
	return info
}

// planBranch reads what a release-branch plan needs and makes it. When
// HEAD is not on the release branch the plan is inactive and info stays
// as described.
func (p *project) planBranch(ctx context.Context, info buildVersion) (branchRelease, buildVersion, error) {
	in := branchInput{branch: p.cfg.Release.Branch, info: info, tagFormat: p.cfg.TagFormat,
		tagPattern: p.cfg.TagPattern, format: p.cfg.VersionFormat,
		lookup: func(name string) (vcs.Tag, error) { return vcs.ReadTag(p.cfg.Dir, name) }}
	if in.branch == "" || info.Branch != in.branch {
		return branchRelease{}, info, nil
	}
	files := p.versionFiles()
	if len(files) == 0 {
		return branchRelease{}, info, fmt.Errorf("release: on the release branch %s the version comes from the version file, and %s names none (version-file in [tool.pyrelease])", in.branch, p.cfg.File)
	}
	var err error
	if in.fileVersion, err = pyfile.ReadFile(files[0]); err != nil {
		return branchRelease{}, info, err
	}
	b, err := planBranchRelease(in)
	if err != nil {
		return branchRelease{}, info, err
	}
	// A dirty tree or a pull request is refused as on a tag, before the
	// remote is asked anything.
	if err := p.releasePreconditions(b.releaseAs(info)); err != nil {
		return branchRelease{}, info, err
	}
	// The tag is pushed after the upload: a remote that is missing, or
	// holds another tag of the name, must stop the release before it.
	b.remote = firstNonEmpty(p.cfg.Remote, "origin")
	if b.pushURL, err = vcs.RemoteURL(p.cfg.Dir, b.remote); err != nil {
		return branchRelease{}, info, fmt.Errorf("release: the release branch's tag is pushed to remote %s: %w", b.remote, err)
	}
	obj, exists, err := vcs.RemoteTag(ctx, vcs.RemoteTagOptions{Dir: p.cfg.Dir, Remote: b.remote, Name: b.tag, Token: p.cfg.GitToken.Reveal()})
	if err != nil {
		return branchRelease{}, info, fmt.Errorf("release: asking remote %s for tag %s: %w", b.remote, b.tag, err)
	}
	if err := b.setRemote(obj, exists); err != nil {
		return branchRelease{}, info, err
	}
	// Tagging comes after the upload, where failing would leave a release
	// without its tag: what would stop it (no git identity, say) stops
	// the release now.
	if b.create {
		if err := vcs.CheckTag(ctx, b.tagOptions(p)); err != nil {
			return branchRelease{}, info, fmt.Errorf("release: tag %s is created after the upload, and could not be: %w", b.tag, err)
		}
	}
	p.log.Info("releasing from the release branch", "branch", b.branch, "version", b.version, "tag", b.tag)
	return b, b.releaseAs(info), nil
}

// tagOptions describe the release branch's tag.
func (b branchRelease) tagOptions(p *project) vcs.TagOptions {
	return vcs.TagOptions{Dir: p.cfg.Dir, Name: b.tag, Message: "Release " + b.version, Commit: b.commit,
		Now: p.now(), Getenv: p.getenv}
}

// printBranchPlan says, in a dry run, what happens to the tag after the
// upload.
func (p *project) printBranchPlan(b branchRelease) {
	switch {
	case !b.active:
	case b.create:
		fmt.Fprintf(stdout, "would tag %s (annotated) at %s and push it to %s %s\n", b.tag, short(b.commit), b.remote, b.pushURL)
	case !b.onRemote:
		fmt.Fprintf(stdout, "tag %s is at HEAD already; would push it to %s %s\n", b.tag, b.remote, b.pushURL)
	default:
		fmt.Fprintf(stdout, "tag %s is at HEAD and on %s already\n", b.tag, b.remote)
	}
}

// tagBranchRelease creates the release branch's tag on HEAD when it is
// missing and pushes it when the remote lacks it: after the upload was
// verified, never before. fresh is false when the version was released
// already (nothing uploaded, the tag here and on the remote), and then
// there is nothing to notify either.
func (p *project) tagBranchRelease(ctx context.Context, b branchRelease, uploaded bool) (fresh bool, err error) {
	switch {
	case !b.active:
		return true, nil
	case !b.create && b.onRemote && !uploaded:
		fmt.Fprintf(stdout, "%s %s is released already: the index serves every file and tag %s is at HEAD and on %s; nothing to do\n", p.cfg.Project.Name, b.version, b.tag, b.remote)
		return false, nil
	case b.create:
		_, err := vcs.CreateTag(ctx, b.tagOptions(p))
		p.forgetVersion()
		if err != nil {
			return false, fmt.Errorf("release: %s %s is on the index, and tagging HEAD as %s failed (run release again to tag it): %w", p.cfg.Project.Name, b.version, b.tag, err)
		}
		fmt.Fprintf(stdout, "tagged %s at %s\n", b.tag, short(b.commit))
	}
	if b.onRemote {
		fmt.Fprintf(stdout, "tag %s is on %s already\n", b.tag, b.remote)
		return true, nil
	}
	err = vcs.Push(ctx, vcs.PushOptions{Dir: p.cfg.Dir, Remote: b.remote, Refs: []string{"refs/tags/" + b.tag}, Token: p.cfg.GitToken.Reveal()})
	if err != nil {
		return false, fmt.Errorf("release: %s %s is on the index and tagged %s here, and pushing the tag failed (run release again, or git push %s %s): %w", p.cfg.Project.Name, b.version, b.tag, b.remote, b.tag, err)
	}
	fmt.Fprintf(stdout, "pushed tag %s to %s\n", b.tag, b.remote)
	return true, nil
}
