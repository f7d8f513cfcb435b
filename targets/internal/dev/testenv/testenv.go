// Package testenv holds what pyrelease's tests share: finding the real tools
// a test needs (failing under CI=true when one is missing, skipping
// elsewhere) and running git with a fixed identity and no user config.
package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
)

// InCI reports whether the tests run in CI, where a missing tool is a
// failure rather than a reason to skip.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1" || v == "yes"
}

// Missing fails the test under CI and skips it elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true and "+format, args...)
	}
	t.Skipf(format, args...)
}

// Require returns the path of the named executable, or fails/skips.
func Require(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not found on PATH: %v", name, err)
	}
	return p
}

// GitEnv is the environment tests run git with: no system or global
// config and a fixed identity (the generator's), plus extra.
func GitEnv(extra ...string) []string {
	return append(gitgen.DefaultEnv(), extra...)
}

// Git runs git in dir and returns its trimmed stdout; a failure fails the test.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := GitE(dir, nil, args...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// GitE runs git in dir with extra environment and returns trimmed stdout.
func GitE(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = GitEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", &gitError{err: err, stderr: stderr.String()}
	}
	return strings.TrimSpace(stdout.String()), nil
}

type gitError struct {
	err    error
	stderr string
}

func (e *gitError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

// Python returns an interpreter whose pip vendors packaging, the oracle for
// PEP 440. Debian's /usr/bin/python3 is preferred; PYRELEASE_TEST_PYTHON
// overrides.
func Python(t testing.TB) string {
	t.Helper()
	cands := []string{os.Getenv("PYRELEASE_TEST_PYTHON"), "/usr/bin/python3", "python3"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import pip._vendor.packaging.version").Run() == nil {
			return p
		}
	}
	Missing(t, "no python3 with pip's vendored packaging (tried %v)", cands)
	return ""
}
