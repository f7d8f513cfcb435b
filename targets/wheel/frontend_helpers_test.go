package wheel

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// buildPython is Debian's interpreter with every backend the tests use
// (FACTS: the pyenv python3 on PATH has none of them).
func buildPython(t testing.TB) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import setuptools.build_meta, wheel, hatchling.build, flit_core.buildapi, venv, pip").Run(); err != nil {
		testenv.Missing(t, "%s cannot import setuptools, wheel, hatchling, flit_core, venv and pip (apt-get install python3-build python3-venv python3-hatchling flit): %v", py, err)
	}
	return py
}

// writeTree writes files (slash-separated paths) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wheelMember returns a member of a wheel whose name ends with suffix.
func wheelMember(t testing.TB, path, suffix string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open wheel: %v", err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if strings.HasSuffix(f.Name, suffix) {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
	}
	t.Fatalf("%s has no member ending %q; members: %v", filepath.Base(path), suffix, names)
	return ""
}

// sdistMembers lists the member names of a .tar.gz sdist.
func sdistMembers(t testing.TB, path string) []string {
	t.Helper()
	var names []string
	for _, m := range readSdistMembers(t, path) {
		names = append(names, m.Name)
	}
	return names
}

// greetProject is a hatchling project with a console script that prints
// its version, fails with --fail, and imports a dependency when given one.
func greetProject(version string, deps ...string) map[string]string {
	quoted := make([]string, len(deps))
	imports := ""
	for i, d := range deps {
		quoted[i] = `"` + d + `"`
		imports += "import " + d + "\n"
	}
	return map[string]string{
		"pyproject.toml": `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "greet"
version = "` + version + `"
dependencies = [` + strings.Join(quoted, ", ") + `]

[project.scripts]
greet = "greet:main"
`,
		"greet/__init__.py": `import sys
` + imports + `
__version__ = "` + version + `"

def main():
    if "--fail" in sys.argv:
        print("boom: asked to fail")
        return 1
    print("greet ` + version + `")
    return 0
`,
	}
}

// wheelCache builds each fixture wheel once per test process (several tests
// need the same one and a build costs a second) and hands each test its own
// copy in its own temporary directory.
type wheelCache struct {
	mu     sync.Mutex
	wheels map[string]cachedWheel
}

type cachedWheel struct {
	name string
	data []byte
}

var fixtureWheels = &wheelCache{wheels: map[string]cachedWheel{}}

// get returns a copy of the wheel built from files, building it under key
// the first time.
func (c *wheelCache) get(t testing.TB, key string, files map[string]string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.wheels[key]
	if !ok {
		py := buildPython(t)
		dir := t.TempDir()
		writeTree(t, dir, files)
		built, err := Build(context.Background(), BuildOptions{Dir: dir, Python: py, Wheel: true})
		if err != nil {
			t.Fatalf("build fixture %s: %v", key, err)
		}
		data, err := os.ReadFile(built.Wheel)
		if err != nil {
			t.Fatal(err)
		}
		w = cachedWheel{name: filepath.Base(built.Wheel), data: data}
		c.wheels[key] = w
	}
	out := filepath.Join(t.TempDir(), w.name)
	if err := os.WriteFile(out, w.data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
