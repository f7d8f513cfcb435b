// Package buildver computes the version a build of HEAD gets, as the
// version target prints it and every build target stamps it: git describe
// in-process, the configured scheme, the release branch, CI's branch and
// pull request, and the warnings about the tags it was counted from. It
// imports only what reading a project's settings and its git repository
// needs, so that a small program can answer `pyrelease version` without
// the start-up cost of every target's dependencies.
package buildver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/ci"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/version"
)

// Info is what `mage version -format=json` prints, and what the build
// targets stamp and name their artifacts with.
type Info struct {
	Version    string `json:"version"`
	Release    string `json:"release"`
	Dev        string `json:"dev"`
	Build      string `json:"build"`
	Local      string `json:"local"`
	Tagged     bool   `json:"tagged"`
	Tag        string `json:"tag"`
	TagVersion string `json:"tag_version"`
	Distance   int    `json:"distance"`
	Commit     string `json:"commit"`
	// CommitDate is HEAD's committer date: SOURCE_DATE_EPOCH of builds.
	CommitDate  time.Time `json:"commit_date"`
	Short       string    `json:"short"`
	Dirty       bool      `json:"dirty"`
	Branch      string    `json:"branch"`
	Describe    string    `json:"describe"`
	Scheme      string    `json:"scheme"`
	CI          string    `json:"ci"`
	PullRequest string    `json:"pull_request"`
	JobURL      string    `json:"job_url"`
}

// Computer computes the version of one project.
type Computer struct {
	Cfg    *config.Config
	Log    *slog.Logger
	Getenv func(string) string
	Now    func() time.Time
	// WarnOnce logs a warning unless this process already gave it; nil
	// logs every time.
	WarnOnce func(string)

	// tags is what the last Describe saw of the repository's tags.
	tags tagSurvey
}

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

// VersionFiles returns the configured version files with absolute paths.
func (c *Computer) VersionFiles() []pyfile.File {
	files := make([]pyfile.File, 0, len(c.Cfg.VersionFiles))
	for _, vf := range c.Cfg.VersionFiles {
		path := vf.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.Cfg.Dir, path)
		}
		files = append(files, pyfile.File{Path: path, Pattern: vf.Pattern})
	}
	return files
}

func (c *Computer) warnOnce(msg string) {
	if c.WarnOnce != nil {
		c.WarnOnce(msg)
		return
	}
	c.Log.Warn(msg)
}

// versionTag reads a tag as the project's tag rules do; ok is false for a
// tag that is no version of the project (or carries a local segment).
func (c *Computer) versionTag(tag string) (pep440.Version, bool) {
	v, err := version.TagVersion(tag, c.Cfg.TagPattern, c.Cfg.VersionFormat)
	return v, err == nil && v.Local == nil
}

// Describe finds the nearest tag of HEAD that versions the project: tags
// matching tag-pattern (when set) that look like a version. Of several
// tags on the nearest tagged commit, one that reads as a version wins over
// one that does not (8.1.9 over 8.1.10-foo); when none does, the error
// names the tag. What the search saw of other tags is kept for warnings.
func (c *Computer) Describe(ctx context.Context, dirty bool) (version.Description, error) {
	var survey tagSurvey
	looks := func(tag string) bool {
		if !version.LooksLikeVersion(tag, c.Cfg.TagPattern) {
			if c.Cfg.TagPattern == "" && foreignTag.MatchString(tag) {
				survey.foreign = append(survey.foreign, tag)
			}
			return false
		}
		if v, ok := c.versionTag(tag); ok && (survey.highestTag == "" || v.Compare(survey.highest) > 0) {
			survey.highest, survey.highestTag = v, tag
		}
		return true
	}
	opts := version.Options{Dir: c.Cfg.Dir, Dirty: dirty, Candidate: looks}
	if c.Cfg.TagPattern != "" {
		opts.Match = []string{c.Cfg.TagPattern}
	}
	d, err := version.Describe(ctx, opts)
	if err != nil {
		return d, err
	}
	c.tags = survey
	if d.Tag == "" {
		return d, nil
	}
	_, tagErr := version.TagVersion(d.Tag, c.Cfg.TagPattern, c.Cfg.VersionFormat)
	if tagErr != nil {
		opts.Candidate = func(tag string) bool {
			_, ok := c.versionTag(tag)
			return ok && version.LooksLikeVersion(tag, c.Cfg.TagPattern)
		}
		valid, err := version.Describe(ctx, opts)
		if err == nil && valid.TagCommit == d.TagCommit {
			return valid, nil
		}
		var te *version.TagError
		if errors.As(tagErr, &te) {
			return d, fmt.Errorf("%w; it is the nearest version-like tag and no other tag on its commit is a version: set tag-pattern in [tool.pyrelease] of %s to a glob that only release tags match (for example \"v*\"), or delete the tag", tagErr, c.Cfg.File)
		}
		return d, tagErr
	}
	return d, nil
}

// Compute describes HEAD and computes its version in the configured
// scheme, warning about the tags it was counted from.
func (c *Computer) Compute(ctx context.Context) (Info, error) {
	d, err := c.Describe(ctx, true)
	if err != nil {
		return Info{}, err
	}
	if d.Tag == "" {
		what := "no tag"
		if c.Cfg.TagPattern != "" {
			what = fmt.Sprintf("no tag matching %q", c.Cfg.TagPattern)
		}
		commits := "commits"
		if d.Distance == 1 {
			commits = "commit"
		}
		c.Log.Warn(fmt.Sprintf("%s: counting %d %s from the root and versioning from 0.0", what, d.Distance, commits))
	}
	opts := version.SchemeOptions{
		Scheme:     c.Cfg.VersionScheme,
		Format:     c.Cfg.VersionFormat,
		TagPattern: c.Cfg.TagPattern,
		Now:        c.Now(),
	}
	if c.Cfg.VersionScheme == version.SchemeFile {
		files := c.VersionFiles()
		if len(files) == 0 {
			return Info{}, fmt.Errorf("config: %s: version-scheme = \"file\" needs version-file", c.Cfg.File)
		}
		if opts.FileVersion, err = pyfile.ReadFile(files[0]); err != nil {
			return Info{}, err
		}
		opts.FileName = files[0].Path
	}
	v, err := version.Compute(d, opts)
	if err != nil {
		return Info{}, err
	}
	c.warnAboutTags(d, v)
	ciInfo := ci.Detect(c.Getenv)
	branch := d.Branch
	if branch == "" {
		branch = ciInfo.Branch
	}
	if !v.Tagged {
		if fv := c.ReleaseBranchVersion(branch); fv != "" {
			v.Version, v.Release = fv, fv
		}
	}
	scheme := c.Cfg.VersionScheme
	if scheme == "" {
		scheme = version.SchemePEP440
	}
	return Info{
		Version: v.Version, Release: v.Release, Dev: v.Dev, Build: v.Build, Local: v.Local,
		Tagged: v.Tagged, Tag: d.Tag, TagVersion: v.TagVersion, Distance: d.Distance,
		Commit: d.Commit, CommitDate: d.Date, Short: d.Short, Dirty: d.Dirty, Branch: branch, Describe: d.String(),
		Scheme: scheme,
		CI:     ciInfo.Provider, PullRequest: ciInfo.PullRequest, JobURL: ciInfo.JobURL,
	}, nil
}

// warnAboutTags says what the user should know about the tags behind
// version v: none found although some look like another package's, or a
// version below the highest tag (release tags on another branch).
func (c *Computer) warnAboutTags(d version.Description, v version.Versions) {
	s := c.tags
	if d.Tag == "" && len(s.foreign) > 0 {
		m := foreignTag.FindStringSubmatch(s.foreign[0])
		c.Log.Warn(fmt.Sprintf("no tag reads as a version of this project, but %d look like another package's (such as %s): if this project is tagged so, set tag-pattern = %q in [tool.pyrelease] of %s",
			len(s.foreign), s.foreign[0], m[1]+m[2]+"*", c.Cfg.File))
	}
	if s.highestTag == "" || s.highestTag == d.Tag {
		return
	}
	if cur, err := pep440.Parse(v.Dev); err == nil && cur.Compare(s.highest) < 0 {
		from := "no tag"
		if d.Tag != "" {
			from = "tag " + d.Tag
		}
		c.Log.Warn(fmt.Sprintf("version %s, counted from %s, sorts below tag %s: HEAD does not descend from that release (are release tags made on another branch?); bump from here would not continue from %s",
			v.Dev, from, s.highestTag, s.highest))
	}
}

// ReleaseBranchVersion is the version builds on the release branch are
// made as, the one release will upload and tag there: the version file's,
// when it is a release version. It is "" off that branch, and when the
// file holds a development or local version (release refuses those, and
// says why).
func (c *Computer) ReleaseBranchVersion(branch string) string {
	files := c.VersionFiles()
	if c.Cfg.Release.Branch == "" || branch != c.Cfg.Release.Branch || len(files) == 0 {
		return ""
	}
	text, err := pyfile.ReadFile(files[0])
	if err != nil {
		return ""
	}
	v, err := pep440.Parse(strings.TrimSpace(text))
	if err != nil || len(v.Local) > 0 || v.IsDevrelease() {
		c.warnOnce(fmt.Sprintf("on the release branch %s the version file says %q, not a release version: builds are versioned from the tags", branch, text))
		return ""
	}
	return v.String()
}

// WriteGitHubOutput appends version=... to the file GITHUB_OUTPUT names,
// when it is set.
func WriteGitHubOutput(path string, i Info) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("version: GITHUB_OUTPUT: %w", err)
	}
	_, werr := fmt.Fprintf(f, "version=%s\nrelease=%s\ntagged=%t\n", i.Version, i.Release, i.Tagged)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("version: GITHUB_OUTPUT %s: %w", path, werr)
	}
	return nil
}

// Print writes i as the version target prints it in format: "text" (or
// "") the version, "json" every field, "describe" git describe's answer.
func Print(w io.Writer, i Info, format string) error {
	switch format {
	case "text", "":
		_, err := fmt.Fprintln(w, i.Version)
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(i)
	case "describe":
		_, err := fmt.Fprintln(w, i.Describe)
		return err
	}
	return fmt.Errorf("version: unknown -format=%s (expected text, json or describe)", format)
}
