package testenv_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestIndex installs a project with dependencies from the local index with
// pip and with uv, and checks that a project the wheelhouse lacks fails to
// install: the index never falls back to the public one, and the machine's
// pip settings (PIP_FIND_LINKS, pip.conf) do not leak in.
func TestIndex(t *testing.T) {
	ix := testenv.StartIndex(t)
	python := testenv.Python(t)
	name, module, version := present(t, ix.Wheelhouse)
	absent := missing(t, ix.Wheelhouse)
	env := ix.Env(os.Environ())

	installers := []struct {
		name    string
		install func(t *testing.T, venvPython, project string) []string
	}{
		{name: "pip", install: func(t *testing.T, venvPython, project string) []string {
			return []string{python, "-m", "pip", "--python", venvPython, "install", project}
		}},
		{name: "uv", install: func(t *testing.T, venvPython, project string) []string {
			return []string{testenv.UV(t), "pip", "install", "--python", venvPython, project}
		}},
	}
	for _, in := range installers {
		t.Run(in.name, func(t *testing.T) {
			venv := filepath.Join(t.TempDir(), "venv")
			if out, err := command(nil, python, "-m", "venv", "--without-pip", venv); err != nil {
				t.Fatalf("making a venv: %v\n%s", err, out)
			}
			venvPython := filepath.Join(venv, "bin", "python")

			out, err := command(env, in.install(t, venvPython, name)...)
			if err != nil {
				t.Fatalf("%s install %s from %s: %v\n%s\nindex log:\n%s", in.name, name, ix.SimpleURL, err, out, ix.Log())
			}
			got, err := command(nil, venvPython, "-c",
				"import importlib.metadata, "+module+"; print(importlib.metadata.version('"+name+"'))")
			if err != nil {
				t.Fatalf("importing %s after install: %v\n%s", module, err, got)
			}
			if strings.TrimSpace(got) != version {
				t.Errorf("installed %s %s, want the wheelhouse's %s", name, strings.TrimSpace(got), version)
			}

			out, err = command(env, in.install(t, venvPython, absent)...)
			if err == nil {
				t.Fatalf("%s installed %s, which the wheelhouse lacks: the index fell back to another\n%s", in.name, absent, out)
			}
			if !strings.Contains(strings.ToLower(out), absent) {
				t.Errorf("%s's failure does not name %s:\n%s", in.name, absent, out)
			}
			if !strings.Contains(ix.Log(), "/simple/"+absent+"/") {
				t.Errorf("the index was not asked for %s: pip or uv looked elsewhere\nindex log:\n%s", absent, ix.Log())
			}
		})
	}
}

// present picks a project with dependencies (or at least an importable
// one) from the wheelhouse, with its import name and version.
func present(t *testing.T, wheelhouse string) (name, module, version string) {
	t.Helper()
	for _, c := range []struct{ name, module string }{{"requests", "requests"}, {"click", "click"}} {
		wheels, _ := filepath.Glob(filepath.Join(wheelhouse, c.name+"-*.whl"))
		if len(wheels) > 0 {
			return c.name, c.module, strings.Split(filepath.Base(wheels[0]), "-")[1]
		}
	}
	t.Fatalf("the wheelhouse %s has neither requests nor click: requirements.txt should pin one", wheelhouse)
	return "", "", ""
}

// missing picks a project of the public index that the wheelhouse lacks,
// so an install would succeed if the index fell back to the public one.
func missing(t *testing.T, wheelhouse string) string {
	t.Helper()
	for _, name := range []string{"six", "toml", "attrs", "colorama"} {
		if wheels, _ := filepath.Glob(filepath.Join(wheelhouse, name+"-*")); len(wheels) == 0 {
			return name
		}
	}
	t.Fatalf("the wheelhouse %s has every project this test expects it to lack", wheelhouse)
	return ""
}

// command runs argv with env (nil: the test's own) and returns its output.
func command(env []string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
