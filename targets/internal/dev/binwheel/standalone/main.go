// Command standalone builds the standalone pyrelease executable for each
// platform (`mage -compile` of magefiles/pyrelease, cross-compiled with
// cgo off) and ships each as a platform wheel and as an archive, recorded
// in dist/.pyrelease/artifacts.json with a SHA256SUMS beside the archives,
// so that snapshot, fetch, check and release publish them as they publish
// any project's files. The version is the repository's own, from its tags.
//
// Run from the repository's root (`go tool mage standalone` does):
//
//	go run ./targets/internal/dev/binwheel/standalone [-dist magefiles/pyrelease/dist] [-platforms linux/amd64,...]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/binwheel"
	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/version"
)

// allPlatforms are the systems GitHub's and GitLab's runners offer, on
// both architectures each ships.
const allPlatforms = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

const (
	project        = "pyrelease"
	targetsProgram = "pyrelease-targets" // the launcher's Targets
	summary        = "Release Python projects from git tags to a package index: pyrelease's targets as a program, no Go needed"
	license        = "MIT"
)

const description = `# pyrelease

The standalone pyrelease program: every target of pyrelease (version,
describe, bump, wheel, check, bdist, snapshot, fetch, release, ...) in one
executable, for CI jobs without a Go toolchain. pyrelease answers
version itself; pyrelease-targets, installed beside it, runs the rest.

    pipx run pyrelease version
    pyrelease -l
`

// options are the command's flags.
type options struct {
	root      string // the repository: version, LICENSE, magefiles/pyrelease
	distDir   string
	platforms []string // goos/goarch
}

func main() {
	var o options
	var platforms string
	flag.StringVar(&o.root, "root", ".", "the repository's root")
	flag.StringVar(&o.distDir, "dist", "magefiles/pyrelease/dist", "where wheels go (archives and the manifest into its .pyrelease/): by default the dist/ of magefiles/pyrelease, the folder pyrelease releases itself from")
	flag.StringVar(&platforms, "platforms", allPlatforms, "comma-separated goos/goarch list")
	flag.Parse()
	o.platforms = strings.Split(platforms, ",")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := build(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "standalone:", err)
		os.Exit(1)
	}
}

// build compiles, wraps and records every platform, one after another:
// each compile already uses every core.
func build(ctx context.Context, o options) error {
	// A wrong platform fails before minutes of compiling the others.
	for _, p := range o.platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		if _, err := binwheel.Platform(goos, goarch); err != nil {
			return fmt.Errorf("-platforms %s: %w", p, err)
		}
	}
	d, err := version.Describe(ctx, version.Options{Dir: o.root, Dirty: true,
		Candidate: func(tag string) bool { return version.LooksLikeVersion(tag, "") }})
	if err != nil {
		return err
	}
	v, err := version.Compute(d, version.SchemeOptions{})
	if err != nil {
		return err
	}
	root, err := filepath.Abs(o.root)
	if err != nil {
		return err
	}
	distDir, err := filepath.Abs(o.distDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(distDir, dist.Sub), 0o755); err != nil {
		return err
	}
	bins, err := os.MkdirTemp("", "pyrelease-standalone-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bins)
	slog.Info("building", "version", v.Version, "platforms", len(o.platforms))
	for _, p := range o.platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		b := platformBuild{root: root, distDir: distDir, bins: bins, goos: goos, goarch: goarch,
			version: v.Version, commit: d.Commit, date: d.Date}
		arts, err := b.run(ctx)
		if err != nil {
			return err
		}
		if err := dist.Record(ctx, distDir, arts...); err != nil {
			return err
		}
		for _, a := range arts {
			fmt.Printf("%s %d %s\n", filepath.Join(o.distDir, filepath.FromSlash(a.Path)), a.Size, a.SHA256)
		}
	}
	return checksums(ctx, distDir)
}

// platformBuild is one platform's executable, wheel and archive.
type platformBuild struct {
	root, distDir, bins string
	goos, goarch        string
	version, commit     string
	date                time.Time
}

func (b platformBuild) run(ctx context.Context) ([]dist.Artifact, error) {
	tag, err := binwheel.Platform(b.goos, b.goarch)
	if err != nil {
		return nil, err
	}
	// Two programs: pyrelease, the launcher users run, which answers
	// `version` itself and hands the rest to pyrelease-targets, every
	// target compiled by mage.
	script := binwheel.Script(project, b.goos)
	targets := binwheel.Script(targetsProgram, b.goos)
	exe := filepath.Join(b.bins, b.goos+"-"+b.goarch, script)
	full := filepath.Join(b.bins, b.goos+"-"+b.goarch, targets)
	start := time.Now()
	// mage names no .exe itself; cgo off makes a static program that any
	// glibc or musl Linux runs, and lets every platform cross-compile.
	env := run.Environ("CGO_ENABLED=0", "GOOS="+b.goos, "GOARCH="+b.goarch)
	if err := run.Run(ctx, run.Cmd{Name: "go", Args: []string{"tool", "mage", "-compile", full, "-goos", b.goos, "-goarch", b.goarch},
		Dir: filepath.Join(b.root, "magefiles", "pyrelease"), Env: run.Environ("CGO_ENABLED=0"), Stderr: os.Stderr}); err != nil {
		return nil, fmt.Errorf("compiling %s for %s/%s: %w", targetsProgram, b.goos, b.goarch, err)
	}
	if err := run.Run(ctx, run.Cmd{Name: "go", Args: []string{"build", "-trimpath", "-o", exe, "./targets/internal/launcher"},
		Dir: b.root, Env: env, Stderr: os.Stderr}); err != nil {
		return nil, fmt.Errorf("compiling pyrelease for %s/%s: %w", b.goos, b.goarch, err)
	}
	slog.Info("compiled", "platform", b.goos+"/"+b.goarch, "seconds", time.Since(start).Round(100*time.Millisecond).Seconds())
	w, err := binwheel.Write(ctx, binwheel.Options{Name: project, Version: b.version, Executable: exe, Script: script,
		More:     []binwheel.Program{{Executable: full, Script: targets}},
		Platform: tag, Summary: summary, License: license, Description: description, OutDir: b.distDir, Mtime: b.date})
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	arts := []dist.Artifact{{Name: w.Name, Path: dist.PathFor(dist.KindWheel, w.Name), Kind: dist.KindWheel, Version: b.version, Tags: w.Tags,
		SHA256: w.SHA256, Size: w.Size, Commit: b.commit, BuiltAt: now, Project: project}}

	platform := archive.Platform(b.goos, b.goarch)
	name := archive.Name(project, b.version, platform)
	rel := dist.PathFor(dist.KindArchive, name)
	out := filepath.Join(b.distDir, filepath.FromSlash(rel))
	if err := archive.Create(ctx, archive.Options{Out: out, Mtime: b.date, Entries: []archive.Entry{
		{Path: script, Source: exe, Mode: 0o755},
		{Path: targets, Source: full, Mode: 0o755},
		{Path: "LICENSE", Source: filepath.Join(b.root, "LICENSE"), Mode: 0o644},
	}}); err != nil {
		return nil, err
	}
	sum, size, err := dist.Hash(out)
	if err != nil {
		return nil, err
	}
	return append(arts, dist.Artifact{Name: name, Path: rel, Kind: dist.KindArchive, Version: b.version,
		Tags: []string{platform}, SHA256: sum, Size: size, Commit: b.commit, BuiltAt: now, Project: project}), nil
}

// checksums writes dist/.pyrelease/SHA256SUMS for every file the manifest
// holds there, as bdist does for frozen tools.
func checksums(ctx context.Context, distDir string) error {
	m, err := dist.Load(distDir)
	if err != nil {
		return err
	}
	var files []string
	for _, a := range m.Artifacts {
		if rest, ok := strings.CutPrefix(a.Path, dist.Sub+"/"); ok {
			files = append(files, rest)
		}
	}
	path, err := archive.Checksums(ctx, filepath.Join(distDir, dist.Sub), "SHA256SUMS", files)
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
