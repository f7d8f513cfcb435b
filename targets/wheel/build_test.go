package wheel

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBuildRealBackends(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	tests := map[string]struct {
		files   map[string]string
		name    string // distribution name in METADATA
		version string
		member  string // a file the wheel must contain
	}{
		"setuptools with [project]": {
			files: map[string]string{
				"pyproject.toml": `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "stpkg"
version = "1.2.3"
`,
				"stpkg/__init__.py": "X = 1\n",
			},
			name: "stpkg", version: "1.2.3", member: "stpkg/__init__.py",
		},
		"setuptools setup.py only": {
			files: map[string]string{
				"setup.py":  "from setuptools import setup\nsetup(name='legacy', version='0.9', py_modules=['legacy'])\n",
				"legacy.py": "Y = 2\n",
			},
			name: "legacy", version: "0.9", member: "legacy.py",
		},
		"hatchling": {
			files: map[string]string{
				"pyproject.toml": `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "hatchpkg"
version = "2.0.0rc1"
`,
				"hatchpkg/__init__.py": "Z = 3\n",
			},
			name: "hatchpkg", version: "2.0.0rc1", member: "hatchpkg/__init__.py",
		},
		"flit_core": {
			files: map[string]string{
				"pyproject.toml": `[build-system]
requires = ["flit_core >=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "flitpkg"
version = "0.3.0"
description = "a flit fixture"
`,
				"flitpkg/__init__.py": "\"\"\"A fixture.\"\"\"\n",
			},
			name: "flitpkg", version: "0.3.0", member: "flitpkg/__init__.py",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			out := filepath.Join(t.TempDir(), "out")
			built, err := Build(context.Background(), BuildOptions{
				Dir: dir, OutDir: out, Python: py, Sdist: true, Wheel: true,
				Env: []string{"SOURCE_DATE_EPOCH=1700000000"},
			})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			for _, p := range []string{built.Wheel, built.Sdist} {
				if !filepath.IsAbs(p) || filepath.Dir(p) != out {
					t.Errorf("built file %q is not an absolute path in %s", p, out)
				}
			}
			if !strings.HasSuffix(built.Wheel, ".whl") || !strings.HasSuffix(built.Sdist, ".tar.gz") {
				t.Fatalf("Built = %+v", built)
			}
			meta := wheelMember(t, built.Wheel, ".dist-info/METADATA")
			if !strings.Contains(meta, "\nName: "+tc.name+"\n") || !strings.Contains(meta, "\nVersion: "+tc.version+"\n") {
				t.Errorf("METADATA lacks Name %s / Version %s:\n%s", tc.name, tc.version, meta)
			}
			wheelMember(t, built.Wheel, tc.member)
			members := sdistMembers(t, built.Sdist)
			if !slices.ContainsFunc(members, func(m string) bool { return strings.HasSuffix(m, "/PKG-INFO") }) {
				t.Errorf("sdist has no PKG-INFO: %v", members)
			}
			entries, err := os.ReadDir(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 2 {
				t.Errorf("OutDir holds %d entries, want the wheel and the sdist only: %v", len(entries), entries)
			}
		})
	}
}

func TestBuildDefaultsOutDirToDist(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"setup.py":  "from setuptools import setup\nsetup(name='d', version='1', py_modules=['d'])\n",
		"d.py":      "",
		"README.md": "",
	})
	built, err := Build(context.Background(), BuildOptions{Dir: dir, Python: py, Sdist: true})
	if err != nil {
		t.Fatal(err)
	}
	if built.Wheel != "" || filepath.Dir(built.Sdist) != filepath.Join(dir, "dist") {
		t.Errorf("Built = %+v, want only an sdist in %s", built, filepath.Join(dir, "dist"))
	}
}

func TestBuildBackendErrorCarriesOutput(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"setup.py": "from setuptools import setup\nsetup(name='broken', version='1'\n"})
	out := t.TempDir()
	_, err := Build(context.Background(), BuildOptions{Dir: dir, OutDir: out, Python: py, Sdist: true, Wheel: true})
	var be *BackendError
	if !errors.As(err, &be) || !errors.Is(err, ErrBackend) {
		t.Fatalf("err = %v, want a *BackendError", err)
	}
	// The failure shows up in the first hook run, whatever it is.
	if be.Hook == "" || !strings.Contains(be.Message, "SyntaxError") || !strings.Contains(be.Output, "setup(name='broken'") {
		t.Errorf("BackendError = %+v, want the hook, the SyntaxError and the backend's traceback", be)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, `wheel: build backend "setuptools.build_meta:__legacy__" failed in `) {
		t.Errorf("message %q", msg)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed build left %v in OutDir", entries)
	}
}

func TestBuildReportsMissingRequirementsUpFront(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"pyproject.toml": `[build-system]
requires = ["setuptools>=61", "pyrelease-no-such-dist>=1.0", "wheel>=999"]
build-backend = "setuptools.build_meta"

[project]
name = "needy"
version = "1"
`,
		"needy.py": "",
	})
	out := t.TempDir()
	_, err := Build(context.Background(), BuildOptions{Dir: dir, OutDir: out, Python: py, Sdist: true, Wheel: true})
	var re *RequirementsError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *RequirementsError", err)
	}
	got := map[string]string{}
	for _, m := range re.Missing {
		got[m.Requirement] = m.Reason
	}
	if got["pyrelease-no-such-dist>=1.0"] != "not installed" || !strings.HasPrefix(got["wheel>=999"], "version ") || len(got) != 2 {
		t.Errorf("Missing = %+v", re.Missing)
	}
	if msg := err.Error(); !strings.Contains(msg, `needs "pyrelease-no-such-dist>=1.0" (not installed)`) || !strings.Contains(msg, "which "+py+" cannot import") {
		t.Errorf("message %q", msg)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("nothing should be built, OutDir has %v", entries)
	}
}

// inTreeBackend is a backend kept in the project (backend-path) that builds
// a minimal wheel by hand, asks for setuptools at wheel time, imports it
// when building, and records the interpreter's prefix in the wheel.
const inTreeBackend = `import base64, hashlib, os, sys, tarfile, zipfile

NAME, VERSION = "intree", "0.1.0"

def get_requires_for_build_wheel(config_settings=None):
    return ["setuptools"]

def get_requires_for_build_sdist(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import setuptools  # proves the dynamic requirement is importable
    files = {
        "intree.py": "X = 1\n",
        "intree_prefix.txt": sys.prefix + "\n" + str(sys.prefix != sys.base_prefix) + "\n",
        NAME + "-" + VERSION + ".dist-info/METADATA": "Metadata-Version: 2.1\nName: intree\nVersion: 0.1.0\n",
        NAME + "-" + VERSION + ".dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: intree\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    name = NAME + "-" + VERSION + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
            z.writestr(path, data)
        rec = NAME + "-" + VERSION + ".dist-info/RECORD"
        z.writestr(rec, "\n".join(record + [rec + ",,"]) + "\n")
    return name

def build_sdist(sdist_directory, config_settings=None):
    name = NAME + "-" + VERSION + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        t.add("pyproject.toml", arcname=NAME + "-" + VERSION + "/pyproject.toml")
    return name
`

func inTreeProject(requires string) map[string]string {
	return map[string]string{
		"pyproject.toml": `[build-system]
requires = [` + requires + `]
build-backend = "intree_backend"
backend-path = ["_build"]
`,
		"_build/intree_backend.py": inTreeBackend,
	}
}

func TestBuildInTreeBackend(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, inTreeProject(""))
	built, err := Build(context.Background(), BuildOptions{Dir: dir, OutDir: t.TempDir(), Python: py, Sdist: true, Wheel: true})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(built.Wheel) != "intree-0.1.0-py3-none-any.whl" || filepath.Base(built.Sdist) != "intree-0.1.0.tar.gz" {
		t.Errorf("Built = %+v", built)
	}
}

func TestBuildIsolatedOffline(t *testing.T) {
	py := buildPython(t)
	const wheels = "/usr/share/python-wheels"
	matches, _ := filepath.Glob(filepath.Join(wheels, "setuptools-*.whl"))
	if len(matches) == 0 {
		t.Skipf("no setuptools wheel in %s (Debian's python3-setuptools-whl) to install offline", wheels)
	}
	// The machine's pip settings must not leak into an offline build.
	t.Setenv("PIP_FIND_LINKS", filepath.Join(t.TempDir(), "nowhere"))
	t.Setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
	dir := t.TempDir()
	// pip is a static requirement here only to prove requires get
	// installed into the venv; setuptools comes from get_requires.
	writeTree(t, dir, inTreeProject(`"pip"`))
	built, err := Build(context.Background(), BuildOptions{
		Dir: dir, OutDir: t.TempDir(), Python: py, Wheel: true,
		Isolation: true, FindLinks: []string{wheels},
	})
	if err != nil {
		t.Fatalf("isolated build: %v", err)
	}
	prefix := wheelMember(t, built.Wheel, "intree_prefix.txt")
	lines := strings.Split(strings.TrimSpace(prefix), "\n")
	if len(lines) != 2 || lines[1] != "True" || !strings.Contains(lines[0], "pyrelease-isolated-") {
		t.Errorf("the backend ran in %q, want a pyrelease venv", prefix)
	}
	if _, err := os.Stat(lines[0]); !os.IsNotExist(err) {
		t.Errorf("the isolated venv %s was not removed: %v", lines[0], err)
	}
}

func TestBuildIsolatedMissingFromFindLinks(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, inTreeProject(`"pyrelease-no-such-dist"`))
	_, err := Build(context.Background(), BuildOptions{
		Dir: dir, OutDir: t.TempDir(), Python: py, Wheel: true,
		Isolation: true, FindLinks: []string{t.TempDir()},
	})
	if err == nil || !strings.Contains(err.Error(), "cannot install the build requirements") || !strings.Contains(err.Error(), "--no-index") {
		t.Fatalf("err = %v, want pip's failure to install from the empty find-links directory", err)
	}
}

func TestBuildNothingRequested(t *testing.T) {
	if _, err := Build(context.Background(), BuildOptions{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "nothing to build") {
		t.Fatalf("err = %v", err)
	}
}
