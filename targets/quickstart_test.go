package targets_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestQuickstart runs the README's Quickstart, line by line, on a
// setup.py-only project and on a hatchling project with a plugin, each
// with its [tool.pyrelease] table removed: the table the Quickstart adds
// is all a project needs. The pyrelease module is this tree; Python
// packages come from the local index.
func TestQuickstart(t *testing.T) {
	testenv.Require(t, "git")
	goBin := testenv.Require(t, "go")
	index := testenv.StartIndex(t)
	lines := quickstartLines(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	goEnv := map[string]string{}
	for _, k := range []string{"GOMODCACHE", "GOCACHE", "GOPATH"} {
		out, err := exec.Command(goBin, "env", k).Output()
		if err != nil {
			t.Fatal(err)
		}
		goEnv[k] = strings.TrimSpace(string(out))
	}
	for _, c := range []struct{ fixture, versionFile string }{
		{fixture: "setuppy", versionFile: "src/oldstyle_tool/__init__.py"},
		{fixture: "hatch", versionFile: "src/fancy_greeter/__about__.py"},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			proj := filepath.Join(work, "yourproject")
			if err := gitProject(filepath.Join("testdata", "projects", c.fixture), proj); err != nil {
				t.Fatal(err)
			}
			env := index.Env(testenv.GitEnv())
			for k, v := range goEnv {
				env = append(env, k+"="+v)
			}
			// Modules come from the module cache, and what it lacks (go.mod
			// files of the graph the new module selects) from the proxy.
			env = append(env, "HOME="+filepath.Join(work, "home"), "GOFLAGS=-mod=mod", "GOSUMDB=off", "GOTOOLCHAIN=local")
			sh := func(line string) string {
				t.Helper()
				cmd := exec.Command("sh", "-c", line)
				cmd.Dir, cmd.Env = proj, env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s", line, err, out)
				}
				return string(out)
			}
			sh("git tag v0.1.0 && git init -q --bare ../remote.git && git remote add origin ../remote.git && git push -q -u origin main")
			// The project as it was before pyrelease: no [tool.pyrelease].
			stripPyreleaseTables(t, filepath.Join(proj, "pyproject.toml"))
			sh("git commit -q -am 'Without pyrelease'")
			for _, line := range lines {
				switch {
				case strings.HasPrefix(line, "cd "):
					continue // the test runs in the project
				case strings.HasPrefix(line, "export "):
					// Each line runs in a shell of its own: the
					// variable goes into the environment of the next.
					kv := strings.TrimPrefix(line, "export ")
					if !strings.Contains(kv, "=") {
						t.Fatalf("README.md's Quickstart: %q sets no value", line)
					}
					env = append(env, kv)
					continue
				case strings.Contains(line, "go get github.com/pyrelease/pyrelease/targets@latest"):
					// This tree is the pyrelease module.
					line = "go mod edit -require=github.com/pyrelease/pyrelease@v0.0.0-00010101000000-000000000000 -replace=github.com/pyrelease/pyrelease=" + root +
						" && go mod tidy"
				}
				line = strings.ReplaceAll(line, "src/yourpkg/version.py", c.versionFile)
				out := sh(line)
				t.Logf("$ %s\n%s", line, out)
				switch {
				case strings.HasPrefix(line, "go tool mage version"):
					if !regexp.MustCompile(`(?m)^0\.1\.1\.dev[12]$`).MatchString(out) {
						t.Errorf("mage version printed %q, want 0.1.1.devN", out)
					}
				case strings.HasPrefix(line, "go tool mage wheel"):
					if !regexp.MustCompile(`(?m)^dist/\S+-0\.1\.1\.dev[12]-py3-none-any\.whl \d+ [0-9a-f]{64}$`).MatchString(out) {
						t.Errorf("mage wheel printed no wheel line:\n%s", out)
					}
				case strings.HasPrefix(line, "go tool mage bump"):
					if !strings.Contains(out, "0.2.0") {
						t.Errorf("mage bump minor printed %q, want 0.2.0", out)
					}
				}
			}
			if tags := sh("git --git-dir=../remote.git tag"); !strings.Contains(tags, "v0.2.0") {
				t.Errorf("the remote has tags %q, want v0.2.0 pushed", tags)
			}
		})
	}
}

// quickstartLines are the commands of the README's Quickstart block.
func quickstartLines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	state := 0 // 0 before the heading, 1 before the block, 2 in it
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0 && line == "## Quickstart":
			state = 1
		case state == 1 && line == "```sh":
			state = 2
		case state == 2 && line == "```":
			return lines
		case state == 2:
			if cmd, _, _ := strings.Cut(line, "  #"); strings.TrimSpace(cmd) != "" {
				lines = append(lines, strings.TrimSpace(cmd))
			}
		}
	}
	t.Fatal("README.md: no ```sh block under ## Quickstart")
	return nil
}

// stripPyreleaseTables removes the [tool.pyrelease] tables of a
// pyproject.toml.
func stripPyreleaseTables(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	skip := false
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "[") {
			skip = strings.HasPrefix(line, "[tool.pyrelease")
		}
		if !skip {
			out = append(out, line)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}
