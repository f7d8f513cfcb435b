package freeze

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
)

// project is a tiny pure-Python project with a greet console script that
// prints its version.
type project struct {
	dir   string
	wheel string
}

func newProject(t *testing.T, version string) project {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"pyproject.toml": `[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "greet"
version = "` + version + `"

[project.scripts]
greet = "greet.cli:main"

[tool.setuptools.packages.find]
where = ["src"]
`,
		"src/greet/__init__.py": `__version__ = "` + version + `"` + "\n",
		"src/greet/cli.py": `import sys
from importlib.metadata import version


def main():
    if sys.argv[1:] == ["--version"]:
        print("greet", version("greet"))
        return 0
    print("hello")
    return 0


def broken():
    return 1


NOT_CALLABLE = 3
`,
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return project{dir: dir}
}

// buildWheel builds p's wheel offline with Debian's Python.
func (p *project) buildWheel(t *testing.T) {
	t.Helper()
	python := testenv.Python(t)
	if exec.Command(python, "-c", "import setuptools, wheel").Run() != nil {
		testenv.Missing(t, "%s cannot build wheels (needs setuptools and wheel)", python)
	}
	out := t.TempDir()
	cmd := exec.Command(python, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-w", out, p.dir)
	cmd.Env = pyenv.PipEnv(os.Environ())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pip wheel: %v\n%s", err, b)
	}
	wheels, _ := filepath.Glob(filepath.Join(out, "*.whl"))
	if len(wheels) != 1 {
		t.Fatalf("pip wheel made %q", wheels)
	}
	p.wheel = wheels[0]
	// The build leaves build/ and *.egg-info in the tree; the freeze
	// tests check what Freeze leaves, so start clean.
	os.RemoveAll(filepath.Join(p.dir, "build"))
	os.RemoveAll(filepath.Join(p.dir, "src", "greet.egg-info"))
}

func zipappOptions(t *testing.T, p project, version string, tools ...Tool) Options {
	return Options{Dir: p.dir, OutDir: "dist/bin", Python: testenv.Python(t), Freezer: Zipapp,
		Wheel: p.wheel, Version: version, Tools: tools, Stderr: testWriter{t}}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func TestZipappRunsAndPrintsVersion(t *testing.T) {
	testenv.Require(t, "python3") // the archive's shebang runs python3 from PATH
	p := newProject(t, "2.0")
	p.buildWheel(t)
	bins, err := Freeze(context.Background(), zipappOptions(t, p, "2.0", Tool{Name: "greet", EntryPoint: "greet.cli:main"}))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(p.dir, "dist", "bin", "greet")
	if len(bins) != 1 || bins[0].Path != want || bins[0].Tool != "greet" {
		t.Fatalf("Freeze = %+v, want one binary at %s", bins, want)
	}
	// Run it from elsewhere, as a user would: the archive carries the package.
	cmd := exec.Command(want)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello" {
		t.Errorf("greet = %q, %v; want hello", out, err)
	}
	st, err := os.Stat(want)
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, %v; want 0755", st.Mode(), err)
	}
	ents, _ := os.ReadDir(p.dir)
	for _, e := range ents {
		if e.Name() != "src" && e.Name() != "dist" && e.Name() != "pyproject.toml" {
			t.Errorf("the build left %s in the project", e.Name())
		}
	}
}

func TestZipappFromSourcePackages(t *testing.T) {
	testenv.Require(t, "python3")
	p := newProject(t, "2.0")
	// Without a wheel there is no dist-info, so importlib.metadata cannot
	// answer: use a tool whose version comes from the package itself.
	cli := "import sys\nfrom greet import __version__\n\ndef main():\n    print('greet ' + __version__)\n"
	if err := os.WriteFile(filepath.Join(p.dir, "src", "greet", "cli.py"), []byte(cli), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Freeze(context.Background(), zipappOptions(t, p, "2.0", Tool{Name: "greet", EntryPoint: "greet.cli:main"})); err != nil {
		t.Fatal(err)
	}
}

func TestZipappRejects(t *testing.T) {
	testenv.Require(t, "python3")
	p := newProject(t, "2.0")
	p.buildWheel(t)
	tests := map[string]struct {
		version string
		tool    Tool
		is      error
		want    []string
	}{
		"wrong version": {
			version: "2.1", tool: Tool{Name: "greet", EntryPoint: "greet.cli:main"}, is: ErrSmoke,
			want: []string{`freeze: greet: --version printed "greet 2.0", which does not contain the version 2.1`},
		},
		"prefix of the version": {
			version: "2", tool: Tool{Name: "greet", EntryPoint: "greet.cli:main"}, is: ErrSmoke,
			want: []string{"does not contain the version 2"},
		},
		"failing tool": {
			version: "2.0", tool: Tool{Name: "greet", EntryPoint: "greet.cli:broken"}, is: ErrSmoke,
			want: []string{"freeze: greet: --version exited 1"},
		},
		"missing module": {
			version: "2.0", tool: Tool{Name: "greet", EntryPoint: "greet.nope:main"}, is: ErrEntryPoint,
			want: []string{"freeze: greet: entry point greet.nope:main does not import", "No module named 'greet.nope'"},
		},
		"missing function": {
			version: "2.0", tool: Tool{Name: "greet", EntryPoint: "greet.cli:mian"}, is: ErrEntryPoint,
			want: []string{"entry point greet.cli:mian", "AttributeError", "mian"},
		},
		"not callable": {
			version: "2.0", tool: Tool{Name: "greet", EntryPoint: "greet.cli:NOT_CALLABLE"}, is: ErrEntryPoint,
			want: []string{"not a function"},
		},
		"bad tool up front": {
			version: "2.0", tool: Tool{Name: "greet", EntryPoint: "greet.cli:main", Icon: "missing.ico"}, is: ErrBadTool,
			want: []string{`tool greet: icon "missing.ico"`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Freeze(context.Background(), zipappOptions(t, p, tc.version, tc.tool))
			if !errors.Is(err, tc.is) {
				t.Fatalf("Freeze = %v, want %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestFreezeRejectsOptions(t *testing.T) {
	dir := t.TempDir()
	tool := []Tool{{Name: "greet", EntryPoint: "greet:main"}}
	tests := map[string]struct {
		opts Options
		is   error
		want string
	}{
		"unknown freezer": {opts: Options{Dir: dir, OutDir: "bin", Version: "1", Freezer: "nuitka", Tools: tool}, is: ErrFreezer, want: `freezer "nuitka"`},
		"no tools":        {opts: Options{Dir: dir, OutDir: "bin", Version: "1"}, is: ErrBadTool, want: "no tools"},
		"no version":      {opts: Options{Dir: dir, OutDir: "bin", Tools: tool}, want: "no version"},
		"work dir inside": {opts: Options{Dir: dir, OutDir: "bin", Version: "1", WorkDir: "build/freeze", Tools: tool}, want: "inside the project"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Freeze(context.Background(), tc.opts)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Freeze = %v, want %v containing %q", err, tc.is, tc.want)
			}
		})
	}
}

// depsCLI is a tool of the fixture project that uses its third-party
// dependencies, and says where each was imported from.
const depsCLI = `import sys
from importlib.metadata import version

import packaging.version
import requests


def main():
    if sys.argv[1:] == ["--version"]:
        print("greet", version("greet"))
        return 0
    print(requests.utils.requote_uri("http://example.invalid/a b"))
    print(packaging.version.Version("1.0rc1").is_prerelease)
    for mod in (requests, packaging, requests.packages.urllib3, requests.compat.chardet):
        print(mod.__name__, mod.__file__)
    return 0
`

// TestZipappCarriesItsDependencies freezes a tool whose wheel requires
// requests (with urllib3, idna, certifi and charset-normalizer, whose
// compiled modules have pure twins) and packaging, from the test
// wheelhouse, and runs the archive on interpreters that have none of them:
// Debian's python3 isolated from its dist-packages (-I -S), a fresh venv
// without system site packages, and the archive's own #! line with that
// venv first on PATH. Each dependency must come from inside the archive.
func TestZipappCarriesItsDependencies(t *testing.T) {
	wheelhouse := testenv.Wheelhouse(t)
	python := testenv.Python(t)
	p := newProject(t, "3.1")
	pyproject := `[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "greet"
version = "3.1"
dependencies = ["requests>=2", "packaging"]

[project.scripts]
greet = "greet.cli:main"

[tool.setuptools.packages.find]
where = ["src"]
`
	for name, body := range map[string]string{"pyproject.toml": pyproject, "src/greet/cli.py": depsCLI} {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.buildWheel(t)
	o := zipappOptions(t, p, "3.1", Tool{Name: "greet", EntryPoint: "greet.cli:main"})
	o.Offline, o.FindLinks = true, []string{wheelhouse}
	bins, err := Freeze(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	pyz := bins[0].Path

	venv := filepath.Join(t.TempDir(), "bare")
	if out, err := exec.Command(python, "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	venvPython := filepath.Join(venv, "bin", "python")
	tests := map[string]struct {
		argv []string // the command; the archive follows
		env  []string
	}{
		"debian python -I -S": {argv: []string{python, "-I", "-S"}},
		"fresh venv":          {argv: []string{venvPython}},
		"shebang":             {env: []string{"PATH=" + filepath.Join(venv, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := append(pyenv.PipEnv(os.Environ()), tc.env...)
			env = append(env, "PYTHONPATH=", "PYTHONNOUSERSITE=1")
			// First the proof that the interpreter has none of them.
			interp := tc.argv
			if interp == nil {
				interp = []string{venvPython}
			}
			for _, mod := range []string{"requests", "packaging", "urllib3", "idna", "certifi", "charset_normalizer"} {
				cmd := exec.Command(interp[0], append(interp[1:], "-c", "import "+mod)...)
				cmd.Env, cmd.Dir = env, t.TempDir()
				if cmd.Run() == nil {
					t.Fatalf("%v imports %s by itself: not an interpreter without the dependencies", interp, mod)
				}
			}
			run := func(args ...string) string {
				t.Helper()
				argv := append(append(slices.Clone(tc.argv), pyz), args...)
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Env, cmd.Dir = env, t.TempDir()
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
				}
				return string(out)
			}
			if out := run("--version"); strings.TrimSpace(out) != "greet 3.1" {
				t.Errorf("greet --version = %q, want greet 3.1", out)
			}
			out := run()
			t.Logf("greet printed:\n%s", out)
			if !strings.Contains(out, "http://example.invalid/a%20b\nTrue\n") {
				t.Errorf("greet printed %q, want the dependencies at work", out)
			}
			for _, mod := range []string{"requests", "packaging", "urllib3", "charset_normalizer"} {
				if !strings.Contains(out, mod+" "+pyz+string(filepath.Separator)) {
					t.Errorf("%s was not imported from the archive %s:\n%s", mod, pyz, out)
				}
			}
		})
	}
}

// TestBinaryNames: what each freezer names a tool on each system. The
// installers and archives go by these names (.exe and .pyz on Windows).
func TestBinaryNames(t *testing.T) {
	tests := map[string]struct {
		goos, freezer, want string
	}{
		"pyinstaller linux":   {goos: "linux", freezer: PyInstaller, want: "greet"},
		"pyinstaller darwin":  {goos: "darwin", freezer: PyInstaller, want: "greet"},
		"pyinstaller windows": {goos: "windows", freezer: PyInstaller, want: "greet.exe"},
		"pyinstaller freebsd": {goos: "freebsd", freezer: PyInstaller, want: "greet"},
		"zipapp linux":        {goos: "linux", freezer: Zipapp, want: "greet"},
		"zipapp darwin":       {goos: "darwin", freezer: Zipapp, want: "greet"},
		"zipapp windows":      {goos: "windows", freezer: Zipapp, want: "greet.pyz"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := &freezer{o: Options{GOOS: tc.goos, Freezer: tc.freezer}}
			got := f.exe("greet")
			if tc.freezer == Zipapp {
				got = zipappName(tc.goos, "greet")
			}
			if got != tc.want {
				t.Errorf("%s on %s names greet %q, want %q", tc.freezer, tc.goos, got, tc.want)
			}
		})
	}
}
