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

	"github.com/Masterminds/semver/v3"

	"github.com/pyrelease/pyrelease/targets/changelog"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
	"github.com/pyrelease/pyrelease/targets/version"
)

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
	if err := plan.release.Apply(ctx); err != nil {
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
		Token: firstNonEmpty(p.getenv("PYRELEASE_GIT_TOKEN"), p.getenv("GITHUB_TOKEN"))})
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
	current, fileVer, tagVer, err := p.currentVersion(d, plan.files)
	if err != nil {
		return bumpPlan{}, err
	}
	plan.from = current.String()

	var next pep440.Version
	if p.cfg.VersionFormat == version.FormatSemver {
		sv, err := nextSemver(version.StripTagPrefix(d.Tag, p.cfg.TagPattern), current, part)
		if err != nil {
			return bumpPlan{}, err
		}
		plan.tagText = sv.String()
		if next, err = pep440.Parse(sv.String()); err != nil {
			return bumpPlan{}, fmt.Errorf("bump: SemVer %s has no PEP 440 equivalent: %w", sv, err)
		}
	} else {
		// The file scheme keeps the planned release in the file: releasing
		// it as it stands is what "release" means there.
		if part == "release" && fileVer != nil && !current.IsPrerelease() && !current.IsPostrelease() &&
			(tagVer == nil || current.Compare(*tagVer) > 0) {
			next = current
		} else if next, err = pep440.Bump(current, part); err != nil {
			return bumpPlan{}, fmt.Errorf("bump: %s %s: %w", part, current, err)
		}
		plan.tagText = next.String()
	}
	plan.to = next.String()
	if tagVer != nil && next.Compare(*tagVer) <= 0 {
		return bumpPlan{}, fmt.Errorf("bump: %s would go backwards: the nearest tag %s is %s already", next, d.Tag, tagVer)
	}
	if fileVer != nil && next.Compare(*fileVer) < 0 {
		return bumpPlan{}, p.lowerError(d.Tag, part, current, next, *fileVer, plan.files[0].Path)
	}
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

// lowerError refuses a bump that would write a lower version than the
// version file holds: the tag it starts from is behind the file, as when
// release tags live on release branches and the main branch's file says
// what comes next.
func (p *project) lowerError(tag, part string, current, next, fileVer pep440.Version, path string) error {
	from := "no tag"
	if tag != "" {
		from = fmt.Sprintf("the nearest tag reachable from HEAD, %s", tag)
	}
	hint := fmt.Sprintf("set version-scheme = \"file\" in %s to bump from the file", p.cfg.File)
	for _, try := range []string{"patch", "minor", "major"} {
		if v, err := pep440.Bump(current, try); err == nil && v.Compare(fileVer) >= 0 {
			hint = fmt.Sprintf("bump %s (to %s) instead, or %s", try, v, hint)
			break
		}
	}
	return fmt.Errorf("bump: %s holds %s, and bump %s from %s (%s) would write %s, a lower version: %s",
		p.rel(path), fileVer, part, from, current, next, hint)
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
	if plan.changelog, err = p.changelogPath(); err != nil || plan.changelog == "" {
		return files, err
	}
	edit, err := changelog.Prepare(ctx, changelog.Options{Path: plan.changelog, ProjectDir: p.cfg.Dir, Version: plan.tagText, Date: p.now()})
	if err != nil {
		return nil, err
	}
	paths := slices.Sorted(maps.Keys(edit.Writes))
	for _, path := range paths {
		real, err := claim(path, "written by the changelog")
		if err != nil {
			return nil, err
		}
		if plan.heading == "" {
			old, _ := os.ReadFile(real)
			plan.heading = newHeading(old, edit.Writes[path], plan.tagText)
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

// newHeading finds the line naming version that the changelog edit adds,
// to show it in the plan.
func newHeading(old, updated []byte, version string) string {
	had := map[string]bool{}
	for line := range strings.Lines(string(old)) {
		had[strings.TrimRight(line, "\r\n")] = true
	}
	for line := range strings.Lines(string(updated)) {
		line = strings.TrimRight(line, "\r\n")
		if !had[line] && strings.Contains(line, strings.TrimPrefix(version, "v")) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// currentVersion is where a bump starts: the version file in the file
// scheme, else the nearest tag, else the version file, else 0.0.0. All
// version files must agree.
func (p *project) currentVersion(d version.Description, files []pyfile.File) (current pep440.Version, fileVer, tagVer *pep440.Version, err error) {
	if d.Tag != "" {
		tv, err := version.TagVersion(d.Tag, p.cfg.TagPattern, p.cfg.VersionFormat)
		if err != nil {
			return current, nil, nil, err
		}
		tagVer = &tv
	}
	for i, f := range files {
		s, err := pyfile.ReadFile(f)
		if err != nil {
			return current, nil, nil, err
		}
		v, err := parseCurrent(s, f.Path)
		if err != nil {
			return current, nil, nil, err
		}
		if i == 0 {
			fileVer = &v
		} else if !v.Equal(*fileVer) {
			return current, nil, nil, fmt.Errorf("bump: version files disagree: %s has %s, %s has %s", files[0].Path, fileVer, f.Path, v)
		}
	}
	switch {
	case p.cfg.VersionScheme == version.SchemeFile && fileVer != nil:
		current = *fileVer
	case tagVer != nil:
		current = *tagVer
	case fileVer != nil:
		current = *fileVer
	default:
		current = pep440.MustParse("0.0.0")
	}
	return current, fileVer, tagVer, nil
}

// changelogPath resolves the changelog key: "none" disables, "" finds one.
func (p *project) changelogPath() (string, error) {
	switch c := p.cfg.Changelog; c {
	case "none":
		return "", nil
	case "":
		path, err := changelog.Find(p.cfg.Dir)
		if errors.Is(err, changelog.ErrNotFound) {
			return "", nil
		}
		return path, err
	default:
		if !filepath.IsAbs(c) {
			c = filepath.Join(p.cfg.Dir, c)
		}
		if _, err := os.Stat(c); err != nil {
			return "", fmt.Errorf("bump: changelog = %q in %s: %w", p.cfg.Changelog, p.cfg.File, err)
		}
		return c, nil
	}
}

// nextSemver bumps a SemVer version as Masterminds/semver does, with alpha,
// beta and rc as numbered pre-releases (1.3.0-rc.1).
func nextSemver(tagText string, current pep440.Version, part string) (semver.Version, error) {
	sv, err := semver.NewVersion(strings.TrimPrefix(tagText, "v"))
	if tagText == "" || err != nil {
		sv = semver.New(uint64(at(current.Release, 0)), uint64(at(current.Release, 1)), uint64(at(current.Release, 2)), "", "")
	}
	switch part {
	case "major":
		return sv.IncMajor(), nil
	case "minor":
		return sv.IncMinor(), nil
	case "patch":
		return sv.IncPatch(), nil
	case "release":
		if sv.Prerelease() == "" {
			return semver.Version{}, fmt.Errorf("bump: release: %s is a release already", sv)
		}
		return sv.SetPrerelease("")
	case "alpha", "beta", "rc", "pre":
		label, n, _ := strings.Cut(sv.Prerelease(), ".")
		if part == "pre" {
			if label == "" {
				return semver.Version{}, fmt.Errorf("bump: pre: %s is not a pre-release; use alpha, beta or rc", sv)
			}
			part = label
		}
		order := map[string]int{"alpha": 1, "beta": 2, "rc": 3}
		switch {
		case label == part:
			var num int
			fmt.Sscanf(n, "%d", &num)
			return sv.SetPrerelease(fmt.Sprintf("%s.%d", part, num+1))
		case label == "":
			next := sv.IncPatch()
			return next.SetPrerelease(part + ".1")
		case order[label] < order[part]:
			return sv.SetPrerelease(part + ".1")
		default:
			return semver.Version{}, fmt.Errorf("bump: %s after %s would go backwards", part, sv)
		}
	default:
		return semver.Version{}, fmt.Errorf("bump: %s is not a SemVer bump (version-format = \"semver\"): use major, minor, patch, pre, alpha, beta, rc or release", part)
	}
}

func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}
