package targets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pyrelease/pyrelease/targets/ci"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
	"github.com/pyrelease/pyrelease/targets/version"
)

// project is what every target starts from: the loaded config, a logger,
// and the environment (injected so tests can set it).
type project struct {
	cfg    *config.Config
	log    *slog.Logger
	getenv func(string) string
	now    func() time.Time
	// tags is what the last describe saw of the repository's tags.
	tags tagSurvey
}

// load reads the project in the working directory and restores version
// files an interrupted build left stamped. A bump that was killed is only
// reported: bump and restore finish or undo it, since another target may
// run while a bump is still at work.
func load(ctx context.Context) (*project, error) {
	p, err := loadProject(ctx)
	if err != nil {
		return nil, err
	}
	if rec, err := vcs.PendingRelease(p.cfg.Dir); err == nil && rec.Action != "" {
		what := map[string]string{"finished": "finish", "undone": "undo"}[rec.Action]
		p.log.Warn(fmt.Sprintf("a bump to %s was interrupted (or is still running): `mage bump` or `mage restore` will %s it", rec.Tag, what))
	}
	return p, nil
}

// loadVersion is load, and the version this run builds.
func loadVersion(ctx context.Context) (*project, buildVersion, error) {
	p, err := load(ctx)
	if err != nil {
		return nil, buildVersion{}, err
	}
	info, err := p.versionInfo(ctx)
	return p, info, err
}

// loadProject is load without looking for an interrupted bump.
func loadProject(ctx context.Context) (*project, error) {
	forwardTermination()
	if err := checkBuild("."); err != nil {
		return nil, err
	}
	cfg, err := config.Load(".")
	if err != nil {
		return nil, err
	}
	p := &project{cfg: cfg, log: newLogger(), getenv: os.Getenv, now: time.Now}
	if err := cfg.CheckVersionFiles(); err != nil {
		return nil, err
	}
	restored, err := pyfile.Recover(ctx, cfg.Dir)
	for _, f := range restored {
		p.log.Warn("restored a version file left stamped by an interrupted build", "file", f)
	}
	// The version files of a build still running elsewhere are stamped on
	// purpose; that run restores them.
	var busy *pyfile.BusyError
	if errors.As(err, &busy) {
		p.log.Warn("a build of this project is in progress in another run: its version files stay stamped until it ends", "pid", busy.PID)
		err = nil
	}
	if err != nil {
		return nil, err
	}
	for _, d := range p.recoverBuild() {
		p.log.Warn("removed the sdist staging folder an interrupted build left", "folder", d)
	}
	return p, nil
}

func newLogger() *slog.Logger {
	return clilog.New(stderr, slog.LevelInfo)
}

// warned holds the warnings already given in this process: `mage wheel
// bdist` looks for the Python that builds twice, and the user needs to
// read a warning about it once.
var warned sync.Map

// warnOnce logs a warning unless this process already did.
func (p *project) warnOnce(msg string) {
	if _, dup := warned.LoadOrStore(msg, true); !dup {
		p.log.Warn(msg)
	}
}

// logf adapts the logger to the printf-style hooks of the packages.
func (p *project) logf(format string, args ...any) {
	p.log.Info(fmt.Sprintf(format, args...))
}

// versionFiles returns the configured version files with absolute paths.
func (p *project) versionFiles() []pyfile.File {
	files := make([]pyfile.File, 0, len(p.cfg.VersionFiles))
	for _, vf := range p.cfg.VersionFiles {
		path := vf.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.cfg.Dir, path)
		}
		files = append(files, pyfile.File{Path: path, Pattern: vf.Pattern})
	}
	return files
}

// buildVersion is what `mage version -format=json` prints, and what the
// build targets stamp and name their artifacts with.
type buildVersion struct {
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

// versions holds, per project directory, the version this process
// computed: the targets of one run (`mage wheel snapshot`) build the same
// commit, so HEAD is described, and its warnings given, once. A bump
// forgets it, since it moves HEAD.
var versions sync.Map // project directory -> *versionMemo

// versionMemo is a computed version; a failed computation is not kept.
type versionMemo struct {
	mu   sync.Mutex
	done bool
	info buildVersion
}

// versionInfo is the version builds of HEAD get, computed once per
// process and project.
func (p *project) versionInfo(ctx context.Context) (buildVersion, error) {
	m, _ := versions.LoadOrStore(p.cfg.Dir, &versionMemo{})
	memo := m.(*versionMemo)
	memo.mu.Lock()
	defer memo.mu.Unlock()
	if memo.done {
		return memo.info, nil
	}
	info, err := p.computeVersion(ctx)
	if err != nil {
		return buildVersion{}, err
	}
	memo.info, memo.done = info, true
	return info, nil
}

// forgetVersion drops the memoised version of the project, after a
// change of HEAD.
func (p *project) forgetVersion() {
	versions.Delete(p.cfg.Dir)
}

// computeVersion describes HEAD and computes its version in the
// configured scheme, warning about the tags it was counted from.
func (p *project) computeVersion(ctx context.Context) (buildVersion, error) {
	d, err := p.describe(ctx, true)
	if err != nil {
		return buildVersion{}, err
	}
	if d.Tag == "" {
		what := "no tag"
		if p.cfg.TagPattern != "" {
			what = fmt.Sprintf("no tag matching %q", p.cfg.TagPattern)
		}
		commits := "commits"
		if d.Distance == 1 {
			commits = "commit"
		}
		p.log.Warn(fmt.Sprintf("%s: counting %d %s from the root and versioning from 0.0", what, d.Distance, commits))
	}
	opts := version.SchemeOptions{
		Scheme:     p.cfg.VersionScheme,
		Format:     p.cfg.VersionFormat,
		TagPattern: p.cfg.TagPattern,
		Now:        p.now(),
	}
	if p.cfg.VersionScheme == version.SchemeFile {
		files := p.versionFiles()
		if len(files) == 0 {
			return buildVersion{}, fmt.Errorf("config: %s: version-scheme = \"file\" needs version-file", p.cfg.File)
		}
		if opts.FileVersion, err = pyfile.ReadFile(files[0]); err != nil {
			return buildVersion{}, err
		}
		opts.FileName = files[0].Path
	}
	v, err := version.Compute(d, opts)
	if err != nil {
		return buildVersion{}, err
	}
	p.warnAboutTags(d, v)
	c := ci.Detect(p.getenv)
	branch := d.Branch
	if branch == "" {
		branch = c.Branch
	}
	if !v.Tagged {
		if fv := p.releaseBranchVersion(branch); fv != "" {
			v.Version, v.Release = fv, fv
		}
	}
	return buildVersion{
		Version: v.Version, Release: v.Release, Dev: v.Dev, Build: v.Build, Local: v.Local,
		Tagged: v.Tagged, Tag: d.Tag, TagVersion: v.TagVersion, Distance: d.Distance,
		Commit: d.Commit, CommitDate: d.Date, Short: d.Short, Dirty: d.Dirty, Branch: branch, Describe: d.String(),
		Scheme: firstNonEmpty(p.cfg.VersionScheme, version.SchemePEP440),
		CI:     c.Provider, PullRequest: c.PullRequest, JobURL: c.JobURL,
	}, nil
}

// writeGitHubOutput appends version=... to $GITHUB_OUTPUT when set.
func writeGitHubOutput(path string, i buildVersion) error {
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

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// releaseBranchVersion is the version builds on the release branch are
// made as, the one release will upload and tag there: the version file's,
// when it is a release version. It is "" off that branch, and when the
// file holds a development or local version (release refuses those, and
// says why).
func (p *project) releaseBranchVersion(branch string) string {
	files := p.versionFiles()
	if p.cfg.Release.Branch == "" || branch != p.cfg.Release.Branch || len(files) == 0 {
		return ""
	}
	text, err := pyfile.ReadFile(files[0])
	if err != nil {
		return ""
	}
	v, err := pep440.Parse(strings.TrimSpace(text))
	if err != nil || len(v.Local) > 0 || v.IsDevrelease() {
		p.warnOnce(fmt.Sprintf("on the release branch %s the version file says %q, not a release version: builds are versioned from the tags", branch, text))
		return ""
	}
	return v.String()
}
