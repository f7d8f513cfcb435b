package targets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestWheelInstallsWithUV builds a project with runtime dependencies
// (srcdeps: requests, packaging) as a user with uv on PATH would, isolated,
// with the package index in PIP_INDEX_URL, or in a pip.conf: uv makes the
// build's venv and installs setuptools into it, then makes the smoke
// test's venv and installs the wheel with its dependencies from that
// index, where the wheel's tool and imports run.
func TestWheelInstallsWithUV(t *testing.T) {
	for _, where := range []string{"variables", "pip.conf"} {
		t.Run(where, func(t *testing.T) { wheelInstallsWithUV(t, where == "pip.conf") })
	}
}

func wheelInstallsWithUV(t *testing.T, pipConf bool) {
	testenv.Require(t, "git")
	uv := testenv.UV(t)
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Missing(t, "Debian's /usr/bin/python3: %v", err)
	}
	mage := compileExample(t)
	index := testenv.StartIndex(t)
	dir := filepath.Join(t.TempDir(), "srcdeps")
	if err := gitProject(filepath.Join("testdata", "projects", "srcdeps"), dir); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "tag", "-a", "v0.3.0", "-m", "Release 0.3.0")
	env := index.Env(os.Environ())
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			env[i] = "PATH=" + filepath.Dir(uv) + string(os.PathListSeparator) + v
		}
	}
	if pipConf {
		// Where pip finds the index is only in its configuration file,
		// which uv does not read: pyrelease tells uv.
		conf := filepath.Join(t.TempDir(), "pip.conf")
		if err := os.WriteFile(conf, []byte("[global]\nindex-url = "+index.SimpleURL+"\n\n[install]\nno-cache-dir = true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env = slices.DeleteFunc(env, func(kv string) bool {
			k, _, _ := strings.Cut(kv, "=")
			return slices.Contains([]string{"PIP_INDEX_URL", "PIP_CONFIG_FILE", "UV_DEFAULT_INDEX", "UV_INDEX_URL"}, k)
		})
		env = append(env, "PIP_CONFIG_FILE="+conf)
	}
	// Any index but the local one is out of reach: a uv not told where
	// pip looks fails instead of installing from elsewhere.
	env = append(env, "HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost")
	env = append(env, "PYRELEASE_PYTHON=/usr/bin/python3", "PYRELEASE_ISOLATION=true", "PYRELEASE_INSTALLER=uv", "CI=", "GITHUB_ACTIONS=")
	cmd := exec.Command(mage, "wheel", "-v")
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("mage wheel: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !regexp.MustCompile(`(?m)^dist/urlpeek-0\.3\.0-py3-none-any\.whl \d+ [0-9a-f]{64}$`).MatchString(stdout.String()) {
		t.Errorf("mage wheel printed no wheel line:\n%s", stdout.String())
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`installing with uv uv=` + regexp.QuoteMeta(uv)),
		regexp.MustCompile(`(?m)^ \+ setuptools==`), // uv's report of the isolated build's install
	} {
		if !want.MatchString(stderr.String()) {
			t.Errorf("stderr does not match %s:\n%s", want, stderr.String())
		}
	}
}
