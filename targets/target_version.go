package targets

import (
	"context"

	"fmt"
	"os"

	"github.com/pyrelease/pyrelease/targets/internal/buildver"
	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/version"
)

// Version prints the version builds of this commit are stamped with.
//
// -format=json prints every form of it (release, dev, build, local), the
// describe fields and what CI says about the build, as one JSON object;
// -format=describe prints what `git describe --tags --long` would. In GitHub
// Actions the version is also written to $GITHUB_OUTPUT.
func Version(ctx context.Context, format *string) (err error) {
	defer scrub(&err)
	_, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	if err := buildver.WriteGitHubOutput(os.Getenv("GITHUB_OUTPUT"), info); err != nil {
		return err
	}
	return buildver.Print(stdout, info, deref(format, "text"))
}

// Stamped runs a shell command with the version files stamped with the
// build version, and restores their exact bytes afterwards.
//
// The files are restored when the command fails and on Ctrl-C too; after a
// kill -9 the next pyrelease run restores them and says so. Example:
// mage stamped "python3 -m build --no-isolation".
func Stamped(ctx context.Context, command string) (err error) {
	defer scrub(&err)
	p, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	files := p.versionFiles()
	if len(files) == 0 {
		return fmt.Errorf("stamped: no version files to stamp: set version-file in [tool.pyrelease] of %s", p.cfg.File)
	}
	p.log.Info("stamping", "version", info.Version, "files", len(files))
	return pyfile.Stamp(ctx, pyfile.StampOptions{Dir: p.cfg.Dir, Files: files, Version: info.Version, Logf: p.logf},
		func(ctx context.Context) error {
			return run.Shell(ctx, run.Cmd{Dir: p.cfg.Dir, Stdout: stdout, Stderr: stderr,
				Env: run.Environ("PYRELEASE_BUILD_VERSION=" + info.Version)}, command)
		})
}

// Restore puts back version files left stamped by an interrupted build,
// and finishes or undoes a bump that was killed.
//
// Every pyrelease target restores stamped files first anyway; an
// interrupted bump is finished (its commit is on the branch) or undone
// (it is not) only by Restore and Bump, which say which.
func Restore(ctx context.Context) (err error) {
	defer scrub(&err)
	p, err := loadProject(ctx)
	if err != nil {
		return err
	}
	_, err = p.recoverInterruptedBump(ctx)
	return err
}

// Describe prints what `git describe --tags --long` prints, computed
// in-process: no git binary needed.
//
// Like git, it considers every tag and fails when none describes HEAD.
// -always prints the abbreviated commit instead of failing; -match=GLOB
// considers only tags matching the glob (git's --match); -versions
// considers only the tags versions are computed from (tag-pattern, and
// tags that read as versions); -dirty appends "-dirty" when tracked files
// are modified, as git's --dirty does.
func Describe(ctx context.Context, dirty, always *bool, match *string, versions *bool) (err error) {
	defer scrub(&err)
	p, err := load(ctx)
	if err != nil {
		return err
	}
	if deref(versions, false) {
		if m := deref(match, ""); m != "" {
			return fmt.Errorf("describe: -match=%s and -versions both choose the tags; give one (-versions uses tag-pattern of %s)", m, p.cfg.File)
		}
		d, err := p.describe(ctx, deref(dirty, false))
		if err != nil {
			return err
		}
		if d.Tag == "" && !deref(always, false) {
			return fmt.Errorf("describe: no version tag describes %s; try -always, or create a tag such as v0.1.0", d.Commit)
		}
		fmt.Fprintln(stdout, d.String())
		return nil
	}
	opts := version.Options{Dir: p.cfg.Dir, Dirty: deref(dirty, false), RequireTag: !deref(always, false)}
	if m := deref(match, ""); m != "" {
		opts.Match = []string{m}
	}
	d, err := version.Describe(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, d.String())
	return nil
}
