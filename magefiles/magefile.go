//go:build mage

// pyrelease's own build: tests, integration tests, benchmarks and the
// standalone program's wheels.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Test runs go vet and the whole test suite (unit, fuzz seeds, end-to-end
// scripts) with the race detector; then the release journey and the
// crash-safety suite, with their logs: every step of the journey, and the
// seed of every kill.
func Test(ctx context.Context) error {
	if err := sh(ctx, "go", "vet", "./..."); err != nil {
		return err
	}
	if out, _ := exec.CommandContext(ctx, "gofmt", "-l", ".").Output(); len(strings.TrimSpace(string(out))) > 0 {
		return fmt.Errorf("gofmt would change:\n%s", out)
	}
	if err := sh(ctx, "go", "test", "-race", "-count=1", "-timeout=30m", "-skip", journeyAndCrash, "./..."); err != nil {
		return err
	}
	return sh(ctx, "go", "test", "-count=1", "-timeout=30m", "-v", "-run", journeyAndCrash, "./targets/")
}

// journeyAndCrash are the tests whose logs are the point: the journey on
// the example and on every project fixture, the CI templates run on
// fixtures (act for GitHub's, a runner of the test for GitLab's), and the
// crash suites (bump's kills syscalls under strace). They run on their
// own, verbosely (processes, not goroutines: no race detector).
const journeyAndCrash = "^(TestJourney|TestProjects|TestCrash|TestCrashBump|TestGitHubWorkflowRuns|TestGitLabPipelineRuns)$"

// Integration runs the end-to-end scripts only: the compiled example
// magefile driven as a user would drive it.
func Integration(ctx context.Context) error {
	return sh(ctx, "go", "test", "-count=1", "-run", "TestScript", "-v", "./targets/")
}

// Bench times pyrelease's commands against what users run instead (git
// describe, setuptools-scm, dunamai, uv build, python -m build, twine,
// uv publish, PyInstaller by hand, aws s3 cp) and prints a table of ratios.
func Bench(ctx context.Context) error {
	return sh(ctx, "go", "run", "./targets/internal/dev/bench")
}

// Standalone builds the standalone pyrelease program (every target, no Go
// needed to run it) for Linux, macOS and Windows on amd64 and arm64: a
// platform wheel each, which pip, pipx and uvx install, and an archive
// each with SHA256SUMS, into magefiles/pyrelease/dist/, recorded in its
// .pyrelease/artifacts.json: run check, snapshot, fetch and release in
// magefiles/pyrelease to publish them.
func Standalone(ctx context.Context) error {
	return sh(ctx, "go", "run", "./targets/internal/dev/binwheel/standalone")
}

func sh(ctx context.Context, name string, args ...string) error {
	fmt.Fprintln(os.Stderr, "+", name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
