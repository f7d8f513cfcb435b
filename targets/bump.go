package targets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/pyrelease/pyrelease/targets/changelog"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
	"github.com/pyrelease/pyrelease/targets/version"
)

// bumpPlan is everything a bump will do, decided before anything changes.
type bumpPlan struct {
	from, to   string // versions as written to files (PEP 440)
	tagText    string // the version as it appears in the tag (SemVer keeps its spelling)
	tag        string
	files      []pyfile.File
	changelog  string // "" when there is none
	devAfter   string // the .dev0 version written after tagging, "" when not asked
	pushRemote string // "" when not pushing
}

func (p *project) bump(ctx context.Context, part string, devAfter, dryRun bool) error {
	if !slices.Contains(pep440.Parts, part) {
		return fmt.Errorf("bump: unknown part %q (expected one of %s)", part, strings.Join(pep440.Parts, ", "))
	}
	plan, err := p.planBump(ctx, part, devAfter)
	if err != nil {
		return err
	}
	p.log.Info("bump plan", "from", plan.from, "to", plan.to, "tag", plan.tag,
		"files", len(plan.files), "changelog", firstNonEmpty(plan.changelog, "none"),
		"dev_after", firstNonEmpty(plan.devAfter, "no"), "push", firstNonEmpty(plan.pushRemote, "no"))
	if dryRun {
		fmt.Println(plan.to)
		return nil
	}
	if err := p.applyBump(ctx, plan); err != nil {
		return err
	}
	fmt.Println(plan.to)
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
	plan.tag = version.TagName(p.cfg.TagFormat, d.Tag, p.cfg.TagPattern, plan.tagText)
	if exists, err := vcs.TagExists(p.cfg.Dir, plan.tag); err != nil {
		return bumpPlan{}, err
	} else if exists {
		return bumpPlan{}, fmt.Errorf("bump: tag %s exists already; bump to a version that has not been released", plan.tag)
	}
	if plan.changelog, err = p.changelogPath(); err != nil {
		return bumpPlan{}, err
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
	}
	return plan, nil
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

func (p *project) applyBump(ctx context.Context, plan bumpPlan) error {
	paths := make([]string, 0, len(plan.files)+1)
	for _, f := range plan.files {
		paths = append(paths, f.Path)
	}
	if plan.changelog != "" {
		paths = append(paths, plan.changelog)
	}
	// Keep the originals so a failure before the commit loses nothing.
	saved, err := snapshotFiles(paths)
	if err != nil {
		return err
	}
	err = func() error {
		if err := pyfile.WriteAll(ctx, plan.files, plan.to); err != nil {
			return err
		}
		if plan.changelog != "" {
			if err := changelog.ReleaseFile(ctx, plan.changelog, plan.tagText, p.now()); err != nil {
				return err
			}
		}
		_, err := vcs.CommitAndTag(ctx, vcs.CommitOptions{
			Dir: p.cfg.Dir, Files: paths, Message: "Release " + plan.tagText, Tag: plan.tag, Getenv: p.getenv,
		})
		return err
	}()
	if err != nil {
		return errors.Join(err, saved.restore())
	}
	p.log.Info("tagged", "tag", plan.tag, "version", plan.to)
	refs := []string{"refs/tags/" + plan.tag}
	if plan.devAfter != "" {
		if err := pyfile.WriteAll(ctx, plan.files, plan.devAfter); err != nil {
			return err
		}
		if _, err := vcs.CommitAndTag(ctx, vcs.CommitOptions{
			Dir: p.cfg.Dir, Files: paths[:len(plan.files)], Message: "Back to development: " + plan.devAfter, Getenv: p.getenv,
		}); err != nil {
			return err
		}
		p.log.Info("back to development", "version", plan.devAfter)
	}
	if plan.pushRemote == "" {
		p.log.Info("not pushing (push = false)", "push_with", "git push --follow-tags")
		return nil
	}
	head, err := vcs.HeadRef(p.cfg.Dir)
	if err != nil {
		return err
	}
	if head != "" {
		refs = append([]string{head}, refs...)
	}
	return vcs.Push(ctx, vcs.PushOptions{Dir: p.cfg.Dir, Remote: plan.pushRemote, Refs: refs,
		Token: firstNonEmpty(p.getenv("PYRELEASE_GIT_TOKEN"), p.getenv("GITHUB_TOKEN"))})
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

// savedFiles holds files' bytes and modes to put back after a failure.
type savedFiles map[string]savedFile

type savedFile struct {
	data []byte
	mode os.FileMode
}

func snapshotFiles(paths []string) (savedFiles, error) {
	s := savedFiles{}
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("bump: %w", err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("bump: %w", err)
		}
		s[path] = savedFile{data: data, mode: fi.Mode().Perm()}
	}
	return s, nil
}

func (s savedFiles) restore() error {
	var errs []error
	for path, f := range s {
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			errs = append(errs, fmt.Errorf("bump: restoring %s: %w", path, err))
		}
	}
	return errors.Join(errs...)
}
