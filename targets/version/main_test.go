package version

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// fixtureRoot holds repositories generated once per test process and
// shared by tests and benchmarks.
var fixtureRoot string

func TestMain(m *testing.M) {
	// Describe reads git config like git does; pin it the way the oracle
	// runs (testenv.GitEnv) so both see the same core.abbrev.
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	dir, err := os.MkdirTemp("", "version-fixtures-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

type fixture struct {
	once sync.Once
	dir  string
	err  error
}

// repoFixture generates (once per process) the repository named name.
func repoFixture(t testing.TB, name string, opts gitgen.Options) string {
	t.Helper()
	testenv.Require(t, "git")
	fixturesMu.Lock()
	f := fixtures[name]
	if f == nil {
		f = &fixture{dir: filepath.Join(fixtureRoot, name)}
		fixtures[name] = f
	}
	fixturesMu.Unlock()
	f.once.Do(func() {
		opts.Env = testenv.GitEnv()
		f.err = gitgen.Repo(context.Background(), f.dir, opts)
	})
	if f.err != nil {
		t.Fatalf("generate %s: %v", name, f.err)
	}
	return f.dir
}

// gitLines runs git and splits its output into lines.
func gitLines(t testing.TB, dir string, args ...string) []string {
	t.Helper()
	out := testenv.Git(t, dir, args...)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// oracleDescribe asks git describe about many commits at once (one
// process per chunk keeps the comparison fast).
func oracleDescribe(t testing.TB, dir string, match []string, commits []string) []string {
	t.Helper()
	var out []string
	for len(commits) > 0 {
		n := min(len(commits), 2000)
		args := []string{"describe", "--tags", "--long", "--always"}
		for _, m := range match {
			args = append(args, "--match", m)
		}
		out = append(out, gitLines(t, dir, append(args, commits[:n]...)...)...)
		commits = commits[n:]
	}
	return out
}

// testenvGitStdin runs git with stdin, for fast-import streams.
func testenvGitStdin(dir, stdin string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = testenv.GitEnv()
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
