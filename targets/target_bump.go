package targets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pyrelease/pyrelease/targets/changelog"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
	"github.com/pyrelease/pyrelease/targets/version"
)

// Bump raises the version by PART, moves the changelog's Unreleased section
// under it, commits and creates an annotated tag.
//
// PART is one of major, minor, patch, pre, alpha, beta, rc, post, dev or
// release. It refuses a dirty tree, an existing tag and a version that would
// go backwards, and pushes only when push = true. -devafter then bumps the
// version files to the next .dev0 and commits again (zest.releaser's
// postrelease); -dryrun prints the plan and changes nothing.
func Bump(ctx context.Context, part string, devafter, dryrun *bool) (err error) {
	defer scrub(&err)
	p, err := loadProject(ctx)
	if err != nil {
		return err
	}
	return p.bump(ctx, part, deref(devafter, false), deref(dryrun, false))
}

// bumpPlan is everything a bump will do, decided and checked before
// anything changes.
type bumpPlan struct {
	from, to   string // versions as written to files (PEP 440)
	tagText    string // the version as it appears in the tag (SemVer keeps its spelling)
	tag        string
	files      []pyfile.File
	changelog  string // "" when there is none
	heading    string // the changelog heading the release gets, "" when none
	devAfter   string // the .dev0 version written after tagging, "" when not asked
	pushRemote string // "" when not pushing
	pushURL    string // the remote's URL, password hidden
	release    *vcs.Release
}

func (p *project) bump(ctx context.Context, part string, devAfter, dryRun bool) error {
	if !slices.Contains(pep440.Parts, part) {
		return fmt.Errorf("bump: unknown part %q (expected one of %s)", part, strings.Join(pep440.Parts, ", "))
	}
	if done, err := p.recoverBump(ctx, dryRun); err != nil || done {
		return err
	}
	plan, err := p.planBump(ctx, part, devAfter)
	if err != nil {
		return err
	}
	p.logPlan(plan, dryRun)
	if dryRun {
		fmt.Fprintln(stdout, plan.to)
		return nil
	}
	err = plan.release.Apply(ctx)
	p.forgetVersion()
	if err != nil {
		return fmt.Errorf("bump: %s: %w", plan.tag, err)
	}
	p.log.Info("tagged", "tag", plan.tag, "version", plan.to)
	if plan.devAfter != "" {
		p.log.Info("back to development", "version", plan.devAfter)
	}
	fmt.Fprintln(stdout, plan.to)
	return p.pushBump(ctx, plan)
}

// recoverBump finishes or undoes a bump that was killed, from its journal,
// and says which. A finished one is the bump this run was asked for (a
// rerun after a crash), so done is true then and nothing more is bumped.
// A dry run only says what the real run would do.
func (p *project) recoverBump(ctx context.Context, dryRun bool) (done bool, err error) {
	if dryRun {
		rec, err := vcs.PendingRelease(p.cfg.Dir)
		if err != nil || rec.Action == "" {
			return false, err
		}
		what := map[string]string{"finished": "finish", "undone": "undo"}[rec.Action]
		p.log.Warn(fmt.Sprintf("an interrupted bump to %s is pending: the real run would %s it first, and plan again after an undo", rec.Tag, what))
		return true, nil
	}
	rec, err := p.recoverInterruptedBump(ctx)
	if err != nil || rec.Action != "finished" {
		return false, err
	}
	if v, err := version.TagVersion(rec.Tag, p.cfg.TagPattern, p.cfg.VersionFormat); err == nil {
		fmt.Fprintln(stdout, v.String())
	}
	return true, nil
}

// recovered remembers, per project directory, the interrupted bump this
// process finished or undid, so that bump knows when an earlier step of
// the same run (loading the project) did it.
var recovered sync.Map

// recoverInterruptedBump finishes or undoes a bump that was killed, and
// logs which in one line. Any target may call it when it loads the
// project; bump reads what it did.
func (p *project) recoverInterruptedBump(ctx context.Context) (vcs.Recovery, error) {
	rec, err := vcs.RecoverRelease(ctx, p.cfg.Dir)
	for _, l := range rec.Locks {
		p.log.Warn("removed a lock file the interrupted bump left", "file", l)
	}
	if err != nil {
		return rec, fmt.Errorf("bump: recovering an interrupted bump: %w", err)
	}
	switch rec.Action {
	case "finished":
		p.log.Warn("finished an interrupted bump: its commit was made, so it is complete now, tag included; not bumping again", "tag", rec.Tag)
	case "undone":
		p.log.Warn("undid an interrupted bump: it was killed before its commit, so its files have their original bytes back", "tag", rec.Tag)
	default:
		if prev, ok := recovered.Load(p.cfg.Dir); ok {
			return prev.(vcs.Recovery), nil
		}
		return rec, nil
	}
	p.forgetVersion()
	recovered.Store(p.cfg.Dir, rec)
	return rec, nil
}

// logPlan says what the bump writes, deletes, commits, tags and pushes.
func (p *project) logPlan(plan bumpPlan, dryRun bool) {
	verb := func(s string) string {
		if dryRun {
			return "would " + s
		}
		return s
	}
	p.log.Info("bump plan", "from", plan.from, "to", plan.to, "tag", plan.tag,
		"files", len(plan.files), "changelog", firstNonEmpty(plan.changelog, "none"),
		"dev_after", firstNonEmpty(plan.devAfter, "no"), "push", firstNonEmpty(plan.pushRemote, "no"))
	writes, removes := plan.release.Paths()
	for _, f := range writes {
		p.log.Info(verb("write"), "file", f)
	}
	for _, f := range removes {
		p.log.Info(verb("delete"), "file", f)
	}
	if plan.heading != "" {
		p.log.Info(verb("add the changelog heading"), "file", p.rel(plan.changelog), "heading", plan.heading)
	}
	if plan.release.Commit != plan.release.Parent {
		p.log.Info(verb("commit"), "message", "Release "+plan.tagText, "author", plan.release.Author.Name+" <"+plan.release.Author.Email+">")
	}
	p.log.Info(verb("tag"), "tag", plan.tag)
	if plan.devAfter != "" {
		p.log.Info(verb("commit"), "message", "Back to development: "+plan.devAfter)
	}
	if plan.pushRemote != "" {
		p.log.Info(verb("push"), "remote", plan.pushRemote, "url", plan.pushURL, "refs", strings.Join(pushRefs(plan), " "))
	}
}

func (p *project) rel(path string) string {
	if rel, err := filepath.Rel(p.cfg.Dir, path); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return path
}

// pushRefs are the branch (unless HEAD is detached) and the tag.
func pushRefs(plan bumpPlan) []string {
	refs := []string{"refs/tags/" + plan.tag}
	if b := plan.release.Branch.String(); strings.HasPrefix(b, "refs/heads/") {
		refs = append([]string{b}, refs...)
	}
	return refs
}

func (p *project) pushBump(ctx context.Context, plan bumpPlan) error {
	if plan.pushRemote == "" {
		p.log.Info("not pushing (push = false)", "push_with", "git push --follow-tags")
		return nil
	}
	err := vcs.Push(ctx, vcs.PushOptions{Dir: p.cfg.Dir, Remote: plan.pushRemote, Refs: pushRefs(plan),
		Token: p.cfg.GitToken.Reveal()})
	if err != nil {
		return fmt.Errorf("bump: %s is committed and tagged here, and pushing it failed (push later with git push --follow-tags %s): %w", plan.tag, plan.pushRemote, err)
	}
	return nil
}

func (p *project) planBump(ctx context.Context, part string, devAfter bool) (bumpPlan, error) {
	d, err := p.describe(ctx, true)
	if err != nil {
		return bumpPlan{}, err
	}
	if d.Dirty {
		return bumpPlan{}, fmt.Errorf("bump: %s has uncommitted changes to tracked files; commit or stash them first", p.cfg.Dir)
	}
	plan := bumpPlan{files: p.versionFiles()}
	if devAfter && len(plan.files) == 0 {
		return bumpPlan{}, errors.New("bump: -devafter needs version files to write the .dev0 version to (version-file in [tool.pyrelease])")
	}
	from, err := p.bumpStart(d, part, plan.files)
	if err != nil {
		return bumpPlan{}, err
	}
	plan.from = from.Start().String()
	next, text, err := pep440.Next(from)
	if err != nil {
		return bumpPlan{}, p.nextError(d.Tag, plan.files, err)
	}
	plan.to, plan.tagText = next.String(), text
	plan.tag = version.TagName(p.cfg.TagFormat, d.Tag, p.cfg.TagPattern, plan.tagText)
	if exists, err := vcs.TagExists(p.cfg.Dir, plan.tag); err != nil {
		return bumpPlan{}, err
	} else if exists {
		return bumpPlan{}, fmt.Errorf("bump: tag %s exists already; bump to a version that has not been released", plan.tag)
	}
	if devAfter {
		dev, err := pep440.Bump(next, "dev")
		if err != nil {
			return bumpPlan{}, fmt.Errorf("bump: -devafter: %w", err)
		}
		plan.devAfter = dev.String()
	}
	if p.cfg.Push {
		plan.pushRemote = firstNonEmpty(p.cfg.Remote, "origin")
		if plan.pushURL, err = vcs.RemoteURL(p.cfg.Dir, plan.pushRemote); err != nil {
			return bumpPlan{}, fmt.Errorf("bump: push = true: %w", err)
		}
	}
	files, err := p.bumpFiles(ctx, &plan)
	if err != nil {
		return bumpPlan{}, err
	}
	opts := vcs.ReleaseOptions{Dir: p.cfg.Dir, Files: files, Message: "Release " + plan.tagText, Tag: plan.tag,
		Now: p.now(), Getenv: p.getenv}
	if plan.devAfter != "" {
		opts.DevMessage = "Back to development: " + plan.devAfter
	}
	if plan.release, err = vcs.PrepareRelease(ctx, opts); err != nil {
		return bumpPlan{}, fmt.Errorf("bump: %s: %w", plan.tag, err)
	}
	return plan, nil
}

// bumpStart reads what a bump starts from: the nearest tag's version and
// the version the version files hold, which must all agree.
func (p *project) bumpStart(d version.Description, part string, files []pyfile.File) (pep440.NextOptions, error) {
	o := pep440.NextOptions{Part: part, FileScheme: p.cfg.VersionScheme == version.SchemeFile,
		Semver: p.cfg.VersionFormat == version.FormatSemver}
	if d.Tag != "" {
		tv, err := version.TagVersion(d.Tag, p.cfg.TagPattern, p.cfg.VersionFormat)
		if err != nil {
			return o, err
		}
		o.Tag, o.TagText = &tv, version.StripTagPrefix(d.Tag, p.cfg.TagPattern)
	}
	for i, f := range files {
		s, err := pyfile.ReadFile(f)
		if err != nil {
			return o, err
		}
		v, err := pep440.Parse(strings.TrimSpace(s))
		if err != nil {
			return o, fmt.Errorf("bump: %s: %w", f.Path, err)
		}
		if i == 0 {
			o.File = &v
		} else if !v.Equal(*o.File) {
			return o, fmt.Errorf("bump: version files disagree: %s has %s, %s has %s", files[0].Path, o.File, f.Path, v)
		}
	}
	return o, nil
}

// nextError says why pep440.Next refused, naming the tag and the file it
// compared with. A version lower than the file's means the tag it starts
// from is behind the file, as when release tags live on release branches
// and the main branch's file says what comes next.
func (p *project) nextError(tag string, files []pyfile.File, err error) error {
	var order *pep440.TagOrderError
	var below *pep440.BelowFileError
	switch {
	case errors.As(err, &order):
		return fmt.Errorf("bump: %s would go backwards: the nearest tag %s is %s already", order.Next, tag, order.Tag)
	case errors.As(err, &below):
		where := "no tag"
		if tag != "" {
			where = fmt.Sprintf("the nearest tag reachable from HEAD, %s", tag)
		}
		hint := fmt.Sprintf("set version-scheme = \"file\" in %s to bump from the file", p.cfg.File)
		if below.HintPart != "" {
			hint = fmt.Sprintf("bump %s (to %s) instead, or %s", below.HintPart, below.Hint, hint)
		}
		return fmt.Errorf("bump: %s holds %s, and bump %s from %s (%s) would write %s, a lower version: %s",
			p.rel(files[0].Path), below.File, below.Part, where, below.From, below.Next, hint)
	}
	return fmt.Errorf("bump: %w", err)
}

// bumpFiles computes the new bytes of every file the release writes (the
// version files, the changelog) and the files it deletes, writing nothing.
func (p *project) bumpFiles(ctx context.Context, plan *bumpPlan) ([]vcs.ReleaseFile, error) {
	var files []vcs.ReleaseFile
	seen := map[string]string{}
	claim := func(path, what string) (string, error) {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", fmt.Errorf("bump: %s: %w", what, err)
		}
		if real, err = filepath.Abs(real); err != nil {
			return "", fmt.Errorf("bump: %w", err)
		}
		if prev, dup := seen[real]; dup {
			return "", fmt.Errorf("bump: %s is both %s and %s; each file may have one role", p.rel(real), prev, what)
		}
		seen[real] = what
		return real, nil
	}
	for _, f := range plan.files {
		real, err := claim(f.Path, "a version file")
		if err != nil {
			return nil, err
		}
		content, err := os.ReadFile(real)
		if err != nil {
			return nil, fmt.Errorf("bump: %w", err)
		}
		rf := vcs.ReleaseFile{Path: real}
		if rf.Release, err = pyfile.Rewrite(f.Path, f.Pattern, content, plan.to); err != nil {
			return nil, err
		}
		if plan.devAfter != "" {
			if rf.Dev, err = pyfile.Rewrite(f.Path, f.Pattern, rf.Release, plan.devAfter); err != nil {
				return nil, err
			}
		}
		files = append(files, rf)
	}
	var err error
	if plan.changelog, err = changelog.Resolve(p.cfg.Dir, p.cfg.Changelog); err != nil {
		if p.cfg.Changelog != "" {
			err = fmt.Errorf("bump: changelog = %q in %s: %w", p.cfg.Changelog, p.cfg.File, err)
		}
		return nil, err
	} else if plan.changelog == "" {
		return files, nil
	}
	edit, err := changelog.Prepare(ctx, changelog.Options{Path: plan.changelog, ProjectDir: p.cfg.Dir, Version: plan.tagText, Date: p.now()})
	if errors.Is(err, changelog.ErrNoUnreleased) && p.cfg.Changelog == "" {
		// Found, not configured: a project that writes its changelog
		// at release time by hand may not want bump to touch it.
		return nil, fmt.Errorf("%w\nbump: or, to bump without editing %s, set changelog = \"none\" in [tool.pyrelease] of %s", err, filepath.Base(plan.changelog), p.cfg.File)
	}
	if err != nil {
		return nil, err
	}
	plan.heading = edit.Heading
	for _, path := range slices.Sorted(maps.Keys(edit.Writes)) {
		real, err := claim(path, "written by the changelog")
		if err != nil {
			return nil, err
		}
		files = append(files, vcs.ReleaseFile{Path: real, Release: edit.Writes[path]})
	}
	for _, path := range slices.Sorted(slices.Values(edit.Removes)) {
		if _, err := os.Lstat(path); err != nil {
			return nil, fmt.Errorf("bump: the changelog folds in %s: %w", path, err)
		}
		real, err := claim(path, "a news fragment")
		if err != nil {
			return nil, err
		}
		files = append(files, vcs.ReleaseFile{Path: real, Remove: true})
	}
	return files, nil
}
