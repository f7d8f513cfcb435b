package targets_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// projectFixture is one project of testdata/projects, modelled on a layout
// real projects have, and what its journey expects of it. The README's
// table of project shapes lists the same fixtures.
type projectFixture struct {
	Name      string // directory under testdata/projects
	Shape     string // what it is modelled on
	Backend   string
	Sub       string // the project's folder in the repository, "/packages/alpha"; "" at the top
	Tag       string
	Version   string
	Project   string // the distribution name as pip is asked for it
	Extra     string // the extra a user installs it with, if any
	Dist      string // the name in file names
	Tools     bool   // console scripts: bdist and installer run
	Archive   string // archive group
	Installer string // installer name prefix
	// SmokeTools and Imports are what the smoke test of mage wheel runs.
	SmokeTools string
	Imports    string
	Run        string // what the user runs from the installed release
	Want       string // a regexp of its output
	// Metadata25 is a backend that writes Metadata-Version 2.5
	// (hatchling 1.33), which twine 6.1 cannot read.
	Metadata25 bool
}

var projectFixtures = []projectFixture{
	{Name: "setuppy", Shape: "setup.py + setup.cfg, entry points in setup.cfg, no [project]", Backend: "setuptools", Tag: "v0.1.0", Version: "0.1.0",
		Project: "oldstyle-tool", Dist: "oldstyle_tool", Tools: true, Archive: "oldstyle-tool", Installer: "oldstyle-tool",
		SmokeTools: "1", Imports: "oldstyle_tool", Run: "oldstyle-tool --version", Want: `0\.1\.0`},
	{Name: "srcdeps", Shape: "[project], src/ layout, runtime dependencies (requests, packaging), version in __version__.py read by setuptools' attr (as requests does), no version-file", Backend: "setuptools", Tag: "v0.1.0", Version: "0.1.0",
		Project: "urlpeek", Dist: "urlpeek", Tools: true, Archive: "urlpeek", Installer: "urlpeek",
		SmokeTools: "1", Imports: "urlpeek", Run: "urlpeek --version", Want: `0\.1\.0`},
	{Name: "flit", Shape: "single package, __version__ in __init__.py, dependency attrs", Backend: "flit_core", Tag: "v0.1.0", Version: "0.1.0",
		Project: "pointy", Dist: "pointy", Tools: true, Archive: "pointy", Installer: "pointy",
		SmokeTools: "1", Imports: "pointy", Run: "pointy --version", Want: `0\.1\.0`},
	{Name: "hatch", Shape: "default sdist (every file git does not ignore), metadata hook plugin from the index", Backend: "hatchling + hatch-fancy-pypi-readme", Tag: "v0.1.0", Version: "0.1.0",
		Project: "fancy-greeter", Dist: "fancy_greeter", Tools: true, Archive: "fancy-greeter", Installer: "fancy-greeter",
		SmokeTools: "1", Imports: "fancy_greeter", Run: "fancy-greeter --version", Want: `0\.1\.0`, Metadata25: true},
	{Name: "pdm", Shape: "static version in pyproject.toml, src/ layout", Backend: "pdm-backend", Tag: "v0.1.0", Version: "0.1.0",
		Project: "verscmp", Dist: "verscmp", Tools: true, Archive: "verscmp", Installer: "verscmp",
		SmokeTools: "1", Imports: "verscmp", Run: "verscmp --version", Want: `0\.1\.0`},
	{Name: "pdmscm", Shape: "version from git by the backend's own setting ([tool.pdm.version] source = \"scm\"), a generated version file", Backend: "pdm-backend", Tag: "v0.1.0", Version: "0.1.0",
		Project: "tagview", Dist: "tagview", Tools: true, Archive: "tagview", Installer: "tagview",
		SmokeTools: "1", Imports: "tagview", Run: "tagview --version", Want: `^0\.1\.0$`},
	{Name: "poetry", Shape: "[tool.poetry] metadata and scripts, no [project]", Backend: "poetry-core", Tag: "v0.1.0", Version: "0.1.0",
		Project: "poetry-hello", Dist: "poetry_hello", Tools: true, Archive: "poetry-hello", Installer: "poetry-hello",
		SmokeTools: "1", Imports: "poetry_hello", Run: "poetry-hello --version", Want: `0\.1\.0`},
	{Name: "scm", Shape: "version from git with a generated, ignored version file", Backend: "setuptools + setuptools-scm", Tag: "v0.1.0", Version: "0.1.0",
		Project: "scmtool", Dist: "scmtool", Tools: true, Archive: "scmtool", Installer: "scmtool",
		SmokeTools: "1", Imports: "scmtool", Run: "scmtool --version", Want: `0\.1\.0`},
	{Name: "hatchvcs", Shape: "version from git through a build hook", Backend: "hatchling + hatch-vcs", Tag: "v0.1.0", Version: "0.1.0",
		Project: "specmatch", Dist: "specmatch", Tools: true, Archive: "specmatch", Installer: "specmatch",
		SmokeTools: "1", Imports: "specmatch", Run: "specmatch --version", Want: `0\.1\.0`, Metadata25: true},
	{Name: "library", Shape: "a library: no scripts, two top-level packages", Backend: "setuptools", Tag: "v0.1.0", Version: "0.1.0",
		Project: "recordkit", Dist: "recordkit",
		SmokeTools: "0", Imports: "recordkit,recordkit_testing", Run: "python -c 'import recordkit; print(recordkit.__version__)'", Want: `^0\.1\.0$`},
	{Name: "noversion", Shape: "a tool without --version and a daemon the smoke test must not start", Backend: "setuptools", Tag: "v0.1.0", Version: "0.1.0",
		Project: "taskq", Dist: "taskq", Tools: true, Archive: "taskq", Installer: "taskq",
		SmokeTools: "1", Imports: "taskq", Run: "taskq --help", Want: `usage`},
	{Name: "dotted", Shape: "a name with dots and dashes (Acme.Hello-Tools)", Backend: "setuptools", Tag: "v0.1.0", Version: "0.1.0",
		Project: "Acme.Hello-Tools", Dist: "acme_hello_tools", Tools: true, Archive: "acme-hello-tools", Installer: "acme-hello-tools",
		SmokeTools: "1", Imports: "acme_hello_tools", Run: "acme-hello --version", Want: `0\.1\.0`},
	{Name: "extras", Shape: "a library whose command line needs an extra (pip install 'jsonpeek[cli]'), as httpx's does", Backend: "hatchling", Tag: "v0.1.0", Version: "0.1.0",
		Project: "jsonpeek", Extra: "cli", Dist: "jsonpeek", Tools: true, Archive: "jsonpeek", Installer: "jsonpeek",
		SmokeTools: "1", Imports: "jsonpeek", Run: "jsonpeek --version", Want: `^0\.1\.0$`, Metadata25: true},
	{Name: "monorepo", Shape: "a project in a subfolder of a monorepo, prefixed tags (alpha-v0.1.0)", Backend: "hatchling", Sub: "/packages/alpha", Tag: "alpha-v0.1.0", Version: "0.1.0",
		Project: "mono-alpha", Dist: "mono_alpha", Tools: true, Archive: "mono-alpha", Installer: "mono-alpha",
		SmokeTools: "1", Imports: "mono_alpha", Run: "alpha --version", Want: `0\.1\.0`, Metadata25: true},
}

// VersionRe is the version as a regexp.
func (f projectFixture) VersionRe() string { return regexp.QuoteMeta(f.Version) }

// DevRe is, as a regexp, the version of the first commit after the tag:
// the next patch release's .dev1.
func (f projectFixture) DevRe() string {
	i := strings.LastIndexByte(f.Version, '.')
	patch, err := strconv.Atoi(f.Version[i+1:])
	if err != nil {
		panic("fixture version " + f.Version + " does not end in a number")
	}
	return regexp.QuoteMeta(f.Version[:i+1] + strconv.Itoa(patch+1) + ".dev1")
}

// Requirement is what a user asks pip for.
func (f projectFixture) Requirement() string {
	if f.Extra != "" {
		return f.Project + "[" + f.Extra + "]==" + f.Version
	}
	return f.Project + "==" + f.Version
}

// StoreSub is the project's folder in the default store's path.
func (f projectFixture) StoreSub() string {
	if f.Sub == "" {
		return ""
	}
	return strings.TrimPrefix(f.Sub, "/") + "/"
}

// TestProjects runs the release journey of testdata/projects/journey.tmpl
// on every project fixture: version, wheel with and without isolation
// (dependencies and build requirements from a real local index), check,
// twine check, bdist and installer where there are tools, snapshot, fetch
// in a fresh clone, release to Gitea, pip install from it and run.
func TestProjects(t *testing.T) {
	index := testenv.StartIndex(t)
	backends := testenv.BackendsPython(t)
	twine := testenv.Twine(t)
	twine6 := testenv.Twine6(t)
	uv := testenv.UV(t)
	tmpl := template.Must(template.New("journey.tmpl").Delims("[[", "]]").ParseFiles(filepath.Join("testdata", "projects", "journey.tmpl")))
	scripts := t.TempDir()
	for _, f := range projectFixtures {
		var b bytes.Buffer
		if err := tmpl.Execute(&b, f); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(scripts, f.Name+".txtar"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fixtures, err := filepath.Abs(filepath.Join("testdata", "projects"))
	if err != nil {
		t.Fatal(err)
	}
	runScripts(t, scripts, scriptOptions{
		secondUser: true,
		setup: func(env *testscript.Env) error {
			for _, kv := range index.PipEnv() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("INDEX_URL", index.SimpleURL)
			env.Setenv("BACKENDS_PYTHON", backends)
			env.Setenv("TWINE", twine)
			env.Setenv("TWINE6", twine6)
			env.Setenv("UV", uv)
			return nil
		},
		cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"project": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: project NAME")
				}
				ts.Check(gitProject(filepath.Join(fixtures, args[0]), ts.MkAbs("proj")))
			},
			"nopyrelease": noPyrelease,
			"samedist":    sameDist,
		},
	})
}

// noPyrelease fails when a wheel or sdist in dir holds anything of
// pyrelease's: its state directories, build directories or journal.
func noPyrelease(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: nopyrelease DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	n := 0
	for _, e := range entries {
		path := filepath.Join(ts.MkAbs(args[0]), e.Name())
		var names []string
		switch {
		case strings.HasSuffix(e.Name(), ".whl"):
			names = zipNames(ts, path)
		case strings.HasSuffix(e.Name(), ".tar.gz"):
			names = tarNames(ts, path)
		default:
			continue
		}
		n++
		for _, name := range names {
			if strings.Contains(strings.ToLower(name), "pyrelease") {
				ts.Fatalf("%s holds %s", e.Name(), name)
			}
		}
	}
	if n == 0 {
		ts.Fatalf("no wheel or sdist in %s", args[0])
	}
}

func zipNames(ts *testscript.TestScript, path string) []string {
	zr, err := zip.OpenReader(path)
	ts.Check(err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

func tarNames(ts *testscript.TestScript, path string) []string {
	f, err := os.Open(path)
	ts.Check(err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	ts.Check(err)
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		ts.Check(err)
		names = append(names, h.Name)
	}
}

// sameDist checks that every artifact the manifest of dist directory A
// records is in B with the same bytes and the same file mode.
func sameDist(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: samedist DIST_A DIST_B")
	}
	a, b := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	m, err := dist.Load(a)
	ts.Check(err)
	if len(m.Artifacts) == 0 {
		ts.Fatalf("%s records no artifacts", a)
	}
	for _, art := range m.Artifacts {
		pa, pb := filepath.Join(a, filepath.FromSlash(art.Path)), filepath.Join(b, filepath.FromSlash(art.Path))
		da, err := os.ReadFile(pa)
		ts.Check(err)
		db, err := os.ReadFile(pb)
		if err != nil {
			ts.Fatalf("%s: %v", art.Path, err)
		}
		if !bytes.Equal(da, db) {
			ts.Fatalf("%s differs between %s and %s", art.Path, a, b)
		}
		fa, err := os.Stat(pa)
		ts.Check(err)
		fb, err := os.Stat(pb)
		ts.Check(err)
		if fa.Mode() != fb.Mode() {
			ts.Fatalf("%s: mode %v in %s, %v in %s", art.Path, fa.Mode(), a, fb.Mode(), b)
		}
		ts.Logf("%s: same bytes and mode %v", art.Path, fb.Mode())
	}
}

// The README's table of project shapes is generated from projectFixtures
// (go test ./targets -run TestProjectShapesTable -update).
func TestProjectShapesTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| fixture | shape | backend | tools | release tag |\n|---|---|---|---|---|\n")
	for _, f := range projectFixtures {
		tools := "library (imports checked)"
		if f.Tools {
			tools = "`" + strings.Fields(f.Run)[0] + "`: wheel, zipapp, `.run` installer"
		}
		dir := f.Name
		if f.Sub != "" {
			dir += f.Sub
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | `%s` |\n", dir, f.Shape, f.Backend, tools, f.Tag)
	}
	updateBetween(t, filepath.Join("..", "README.md"), "<!-- project-shapes:begin -->\n", "<!-- project-shapes:end -->", b.String())
}
