package targets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/buildver"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
)

// project is what every target starts from: the loaded config, a logger,
// and the environment (injected so tests can set it).
type project struct {
	cfg    *config.Config
	log    *slog.Logger
	getenv func(string) string
	now    func() time.Time
	// ver computes the version; see computer.
	ver *buildver.Computer
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
	return p.computer().VersionFiles()
}

// buildVersion is what `mage version -format=json` prints, and what the
// build targets stamp and name their artifacts with.
type buildVersion = buildver.Info

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
	return p.computer().Compute(ctx)
}

// computer is the project's version computer.
func (p *project) computer() *buildver.Computer {
	if p.ver == nil {
		p.ver = &buildver.Computer{Cfg: p.cfg, Log: p.log, Getenv: p.getenv, Now: p.now, WarnOnce: p.warnOnce}
	}
	return p.ver
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
// made as (see buildver.Computer.ReleaseBranchVersion).
func (p *project) releaseBranchVersion(branch string) string {
	return p.computer().ReleaseBranchVersion(branch)
}
