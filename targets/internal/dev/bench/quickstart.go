package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
)

// The groups -only selects by these words: a reviewer runs one with
// `go run ./targets/internal/dev/bench -only version`.
const (
	versionScenario = "version: Quickstart project (examples/), 2 commits after v1.0.0"
	wheelScenario   = "wheel: Quickstart project (examples/, setuptools), isolated builds from a local index"
)

// command is one side of a group: a name for the table and its argv.
type command struct {
	name string
	argv []string
}

// group is a set of our commands and a set of peers, timed in one
// hyperfine run, so that every ratio in its rows comes from the same
// minutes of the same machine.
type group struct {
	scenario    string
	ours, peers []command
	prepare     string // run before every timed run
	runs        int    // minimum runs; 0 means the -runs flag
}

// ourBinaries are what a user runs: the Quickstart project's compiled
// magefile and the standalone pyrelease executable, both built once by
// quickstartRepo.
type ourBinaries struct {
	magefile, standalone string
}

// versionGroup times the version in every form the README's "What each
// form costs" lists: `go tool mage version`, the same with
// MAGEFILE_HASHFAST=1 (which the Quickstart exports), the compiled
// magefile and the standalone executable, against setuptools-scm, dunamai
// and git describe.
func versionGroup(p peers, b ourBinaries) group {
	return group{
		scenario: versionScenario,
		ours: []command{
			{name: "go tool mage version", argv: []string{"go", "tool", "mage", "version"}},
			{name: "MAGEFILE_HASHFAST=1 go tool mage version (the Quickstart's form)", argv: []string{"env", "MAGEFILE_HASHFAST=1", "go", "tool", "mage", "version"}},
			{name: "compiled magefile (go tool mage -compile) version", argv: []string{b.magefile, "version"}},
			{name: "standalone pyrelease version", argv: []string{b.standalone, "version"}},
		},
		peers: []command{
			{name: p.named("setuptools-scm", "(python -m setuptools_scm)"), argv: []string{p.bin("python"), "-m", "setuptools_scm"}},
			{name: p.named("dunamai", "from git"), argv: []string{p.bin("dunamai"), "from", "git"}},
			{name: "git describe --tags --long", argv: []string{"git", "describe", "--tags", "--long"}},
		},
	}
}

// wheelGroup times mage wheel (as the Quickstart runs it, and compiled),
// isolated as uv build and python -m build
// are by default, against each of them followed by the checks mage wheel
// makes: twine check, a fresh venv, the wheel installed with its
// dependencies, the console script run with --version. Every side installs
// its build requirements and dependencies from the same local index
// (useLocalIndex), without caches.
func wheelGroup(p peers, b ourBinaries) group {
	venv := " && /usr/bin/python3 -m venv --without-pip venv"
	check := " && " + p.bin("twine") + " check --strict dist/* >/dev/null" + venv
	byUV := p.bin("uv") + " build -q --out-dir dist ." + check +
		" && " + p.bin("uv") + " pip install -q --python venv/bin/python dist/*.whl && venv/bin/greet --version"
	byBuild := p.bin("python") + " -m build -q --outdir dist . >/dev/null" + check +
		" && " + p.bin("python") + " -m pip -q --python venv/bin/python install dist/*.whl && venv/bin/greet --version"
	isolated := []string{"env", "PYRELEASE_ISOLATION=true"}
	// With uv on PATH (and no pip.conf: the bench's pip reads none),
	// installer = "auto" has uv make the venvs and install.
	withUV := []string{"env", "PYRELEASE_ISOLATION=true", "PATH=" + filepath.Dir(p.bin("uv")) + string(os.PathListSeparator) + os.Getenv("PATH")}
	return group{
		scenario: wheelScenario,
		ours: []command{
			{name: "MAGEFILE_HASHFAST=1 go tool mage wheel (the Quickstart's form), pip", argv: append(isolated[:2:2], "PYRELEASE_INSTALLER=pip", "MAGEFILE_HASHFAST=1", "go", "tool", "mage", "wheel")},
			{name: "compiled magefile (go tool mage -compile) wheel, pip", argv: append(isolated[:2:2], "PYRELEASE_INSTALLER=pip", b.magefile, "wheel")},
			{name: "MAGEFILE_HASHFAST=1 go tool mage wheel (the Quickstart's form), uv on PATH", argv: append(withUV[:3:3], "MAGEFILE_HASHFAST=1", "go", "tool", "mage", "wheel")},
			{name: "compiled magefile (go tool mage -compile) wheel, uv on PATH", argv: append(withUV[:3:3], b.magefile, "wheel")},
		},
		peers: []command{
			{name: p.named("uv", "build") + ", " + p.named("twine", "check") + ", venv, uv pip install, greet --version", argv: []string{"sh", "-c", byUV}},
			{name: "python -m " + p.named("build", "") + ", " + p.named("twine", "check") + ", venv, " + p.named("pip", "install") + ", greet --version", argv: []string{"sh", "-c", byBuild}},
		},
		prepare: "rm -rf dist venv build src/greet.egg-info",
		runs:    5,
	}
}

// quickstartRepo makes the project the README's Quickstart makes, from the
// example project: a git repository with a go.mod that has mage as a tool
// and requires this checkout (a replace), the example's magefile, a
// .gitignore for what builds write, and a history: v0.9.0, v1.0.0, then
// two commits. It compiles the magefile (mage -compile) and the standalone
// executable (as `mage standalone` does for this platform) into work.
func quickstartRepo(ctx context.Context, dir, work string) (ourBinaries, error) {
	root, err := os.Getwd()
	if err != nil {
		return ourBinaries{}, err
	}
	if out, err := exec.CommandContext(ctx, "cp", "-r", "examples", dir).CombinedOutput(); err != nil {
		return ourBinaries{}, fmt.Errorf("copying examples: %v: %s", err, out)
	}
	for _, junk := range []string{"dist", "build", "src/greet.egg-info", ".pyrelease", ".github", ".gitlab-ci.yml"} {
		if err := os.RemoveAll(filepath.Join(dir, junk)); err != nil {
			return ourBinaries{}, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("/dist/\n/build/\n/venv/\n*.egg-info/\n"), 0o644); err != nil {
		return ourBinaries{}, err
	}
	// Modules from the module cache, and what it lacks from the proxy,
	// as TestQuickstart does.
	goEnv := append(os.Environ(), "GOFLAGS=-mod=mod", "GOSUMDB=off", "GOTOOLCHAIN=local")
	for _, line := range []string{
		"go mod init example.com/greet/build",
		"go get -tool github.com/magefile/mage@v1.17.2",
		"go mod edit -require=github.com/pyrelease/pyrelease@v0.0.0-00010101000000-000000000000 -replace=github.com/pyrelease/pyrelease=" + root,
		"go mod tidy",
	} {
		cmd := exec.CommandContext(ctx, "sh", "-c", line)
		cmd.Dir, cmd.Env = dir, goEnv
		if out, err := cmd.CombinedOutput(); err != nil {
			return ourBinaries{}, fmt.Errorf("%s: %v: %s", line, err, out)
		}
	}
	env := gitgen.DefaultEnv()
	steps := [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "Release with pyrelease"}, {"tag", "v0.9.0"},
		{"commit", "-q", "--allow-empty", "-m", "Fix"}, {"tag", "-a", "-m", "1.0.0", "v1.0.0"},
		{"commit", "-q", "--allow-empty", "-m", "More"}, {"commit", "-q", "--allow-empty", "-m", "And more"}}
	for _, args := range steps {
		if _, err := gitgen.Git(ctx, dir, env, nil, args...); err != nil {
			return ourBinaries{}, err
		}
	}
	// A mage cache of this run's own: with MAGEFILE_HASHFAST, mage reuses
	// a binary compiled from the same magefile whatever the targets
	// package (this checkout, a replace) has become since, so a cache
	// from an earlier run would time older code.
	if err := os.Setenv("MAGEFILE_CACHE", filepath.Join(work, "magefile-cache")); err != nil {
		return ourBinaries{}, err
	}
	// The standalone program as its wheel installs it: pyrelease, which
	// answers version itself, beside pyrelease-targets.
	if err := os.MkdirAll(filepath.Join(work, "standalone"), 0o755); err != nil {
		return ourBinaries{}, err
	}
	b := ourBinaries{magefile: filepath.Join(work, "quickstart-mage"), standalone: filepath.Join(work, "standalone", "pyrelease")}
	compile := exec.CommandContext(ctx, "go", "tool", "mage", "-compile", b.magefile)
	compile.Dir = dir
	if out, err := compile.CombinedOutput(); err != nil {
		return ourBinaries{}, fmt.Errorf("mage -compile in the Quickstart project: %v\n%s", err, out)
	}
	standalone := exec.CommandContext(ctx, "go", "tool", "mage", "-compile", filepath.Join(work, "standalone", "pyrelease-targets"))
	standalone.Dir, standalone.Env = filepath.Join(root, "magefiles", "pyrelease"), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := standalone.CombinedOutput(); err != nil {
		return ourBinaries{}, fmt.Errorf("mage -compile of magefiles/pyrelease: %v\n%s", err, out)
	}
	launcher := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", b.standalone, "./targets/internal/launcher")
	launcher.Dir, launcher.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := launcher.CombinedOutput(); err != nil {
		return ourBinaries{}, fmt.Errorf("go build of the standalone launcher: %v\n%s", err, out)
	}
	return b, nil
}

// measureGroup times every command of g in one hyperfine run in dir, then
// each one's peak memory once, and returns a row for each of ours against
// each peer.
func measureGroup(ctx context.Context, dir string, g group, runs int, work string) ([]row, error) {
	if g.runs > 0 {
		runs = g.runs
	}
	all := append(append([]command{}, g.ours...), g.peers...)
	out := filepath.Join(work, "hyperfine.json")
	warmup := "3"
	if g.prepare != "" {
		warmup = "1"
	}
	args := []string{"-N", "--warmup", warmup, "--min-runs", fmt.Sprint(runs), "--export-json", out}
	if g.prepare != "" {
		args = append(args, "--prepare", g.prepare)
	}
	for _, c := range all {
		args = append(args, "--command-name", c.name, shellJoin(c.argv))
	}
	cmd := exec.CommandContext(ctx, "hyperfine", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: hyperfine: %w", g.scenario, err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var res struct {
		Results []struct {
			Mean   float64 `json:"mean"`
			Stddev float64 `json:"stddev"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Results) != len(all) {
		return nil, fmt.Errorf("reading %s: %v (%d results for %d commands)", out, err, len(res.Results), len(all))
	}
	// Peak memory after the timed runs, in the state they leave (the
	// magefile compiled and cached, as a user's second run finds it).
	rss := make([]int64, len(all))
	for i, c := range all {
		if g.prepare != "" {
			if _, _, err := once(ctx, dir, []string{"sh", "-c", g.prepare}); err != nil {
				return nil, err
			}
		}
		out, kib, err := once(ctx, dir, c.argv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.scenario, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %s: %s printed %q\n", g.scenario, c.name, tail(out, 200))
		rss[i] = kib
	}
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	var rows []row
	for i, o := range g.ours {
		for j, p := range g.peers {
			k := len(g.ours) + j
			rows = append(rows, row{scenario: g.scenario, what: o.name, peerName: p.name,
				oursMean: sec(res.Results[i].Mean), oursStd: sec(res.Results[i].Stddev),
				peerMean: sec(res.Results[k].Mean), peerStd: sec(res.Results[k].Stddev),
				oursRSS: rss[i], peerRSS: rss[k]})
		}
	}
	return rows, nil
}

// quickstartBench makes a Quickstart project for each selected group and
// measures it there; the wheel group runs against a local index.
func quickstartBench(ctx context.Context, p peers, work string, runs int, only selector) ([]row, error) {
	var rows []row
	for i, mk := range []func(peers, ourBinaries) group{versionGroup, wheelGroup} {
		if !only.selects(mk(p, ourBinaries{}).scenario) {
			continue
		}
		dir := filepath.Join(work, fmt.Sprintf("quickstart%d", i))
		start := time.Now()
		b, err := quickstartRepo(ctx, dir, work)
		if err != nil {
			return nil, err
		}
		g := mk(p, b)
		if g.prepare != "" {
			if err := useLocalIndex(ctx); err != nil {
				return nil, err
			}
		}
		fmt.Fprintf(os.Stderr, "bench: %s made in %s\n", g.scenario, time.Since(start).Round(time.Millisecond))
		r, err := measureGroup(ctx, dir, g, runs, work)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}
