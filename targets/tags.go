package targets

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/version"
)

// tagSurvey is what the candidate filter saw of the repository's tags
// while describing: tags that look like another package's, and the
// highest version among the project's tags, reachable or not.
type tagSurvey struct {
	foreign    []string
	highest    pep440.Version
	highestTag string
}

// foreignTag matches a version behind a prefix that is not the project's:
// pkg/v1.2.0, tools-2.0, web@3.1.0, as monorepos tag their packages.
var foreignTag = regexp.MustCompile(`^(.*?[/@_-])([vV]?)\d+(\.\d+)+`)

// versionTag reads a tag as the project's tag rules do; ok is false for a
// tag that is no version of the project (or carries a local segment).
func (p *project) versionTag(tag string) (pep440.Version, bool) {
	v, err := version.TagVersion(tag, p.cfg.TagPattern, p.cfg.VersionFormat)
	return v, err == nil && v.Local == nil
}

// describe finds the nearest tag of HEAD that versions the project: tags
// matching tag-pattern (when set) that look like a version. Of several
// tags on the nearest tagged commit, one that reads as a version wins over
// one that does not (8.1.9 over 8.1.10-foo); when none does, the error
// names the tag. What the search saw of other tags is kept for warnings.
func (p *project) describe(ctx context.Context, dirty bool) (version.Description, error) {
	var survey tagSurvey
	looks := func(tag string) bool {
		if !version.LooksLikeVersion(tag, p.cfg.TagPattern) {
			if p.cfg.TagPattern == "" && foreignTag.MatchString(tag) {
				survey.foreign = append(survey.foreign, tag)
			}
			return false
		}
		if v, ok := p.versionTag(tag); ok && (survey.highestTag == "" || v.Compare(survey.highest) > 0) {
			survey.highest, survey.highestTag = v, tag
		}
		return true
	}
	opts := version.Options{Dir: p.cfg.Dir, Dirty: dirty, Candidate: looks}
	if p.cfg.TagPattern != "" {
		opts.Match = []string{p.cfg.TagPattern}
	}
	d, err := version.Describe(ctx, opts)
	if err != nil {
		return d, err
	}
	p.tags = survey
	if d.Tag == "" {
		return d, nil
	}
	_, tagErr := version.TagVersion(d.Tag, p.cfg.TagPattern, p.cfg.VersionFormat)
	if tagErr != nil {
		opts.Candidate = func(tag string) bool {
			_, ok := p.versionTag(tag)
			return ok && version.LooksLikeVersion(tag, p.cfg.TagPattern)
		}
		valid, err := version.Describe(ctx, opts)
		if err == nil && valid.TagCommit == d.TagCommit {
			return valid, nil
		}
		var te *version.TagError
		if errors.As(tagErr, &te) {
			return d, fmt.Errorf("%w; it is the nearest version-like tag and no other tag on its commit is a version: set tag-pattern in [tool.pyrelease] of %s to a glob that only release tags match (for example \"v*\"), or delete the tag", tagErr, p.cfg.File)
		}
		return d, tagErr
	}
	return d, nil
}

// warnAboutTags says what the user should know about the tags behind
// version v: none found although some look like another package's, or a
// version below the highest tag (release tags on another branch).
func (p *project) warnAboutTags(d version.Description, v version.Versions) {
	s := p.tags
	if d.Tag == "" && len(s.foreign) > 0 {
		m := foreignTag.FindStringSubmatch(s.foreign[0])
		p.log.Warn(fmt.Sprintf("no tag reads as a version of this project, but %d look like another package's (such as %s): if this project is tagged so, set tag-pattern = %q in [tool.pyrelease] of %s",
			len(s.foreign), s.foreign[0], m[1]+m[2]+"*", p.cfg.File))
	}
	if s.highestTag == "" || s.highestTag == d.Tag {
		return
	}
	if cur, err := pep440.Parse(v.Dev); err == nil && cur.Compare(s.highest) < 0 {
		from := "no tag"
		if d.Tag != "" {
			from = "tag " + d.Tag
		}
		p.log.Warn(fmt.Sprintf("version %s, counted from %s, sorts below tag %s: HEAD does not descend from that release (are release tags made on another branch?); bump from here would not continue from %s",
			v.Dev, from, s.highestTag, s.highest))
	}
}
