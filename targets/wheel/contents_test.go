package wheel

import (
	"reflect"
	"testing"
)

func TestTopLevelNames(t *testing.T) {
	got := topLevelNames([]string{
		"recordkit/__init__.py", "recordkit/sub/x.py", "recordkit_testing/__init__.py",
		"six.py", "_cffi_backend.cpython-311-x86_64-linux-gnu.so", "ns/inner/mod.py",
		"recordkit-1.0.dist-info/METADATA", "recordkit-1.0.data/scripts/run", "README.txt", "data/file.json",
		"not-a-name/x.py",
	})
	want := []string{"_cffi_backend", "ns", "recordkit", "recordkit_testing", "six"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("topLevelNames = %q, want %q", got, want)
	}
	if got := DefaultImports([]string{"docs", "mypkg", "tests", "testing"}); !reflect.DeepEqual(got, []string{"mypkg"}) {
		t.Errorf("DefaultImports = %q", got)
	}
}

func TestParseEntryPoints(t *testing.T) {
	got := parseEntryPoints([]byte("[console_scripts]\noldstyle-tool = oldstyle_tool.cli:main\n# a comment\n\n[gui_scripts]\nviewer=pkg.gui:run [gui]\n[pytest11]\nplug = pkg.plugin\n"))
	want := map[string]map[string]string{
		"console_scripts": {"oldstyle-tool": "oldstyle_tool.cli:main"},
		"gui_scripts":     {"viewer": "pkg.gui:run [gui]"},
		"pytest11":        {"plug": "pkg.plugin"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseEntryPoints = %v, want %v", got, want)
	}
}

func TestVCSPluginAndPretendVersion(t *testing.T) {
	for req, want := range map[string]string{
		"setuptools_scm[toml]>=6.2": "setuptools-scm",
		"setuptools-scm>=8":         "setuptools-scm",
		"hatch-vcs":                 "hatch-vcs",
		"Hatch_VCS >= 0.3":          "hatch-vcs",
		"hatchling":                 "",
		"pdm-backend":               "",
	} {
		if got := (BuildSystem{Requires: []string{"setuptools>=64", req}}).VCSPlugin(); got != want {
			t.Errorf("VCSPlugin(%q) = %q, want %q", req, got, want)
		}
	}
	if got := (BuildSystem{Requires: []string{"pdm-backend"}, SCMSource: "pdm-backend"}).VCSPlugin(); got != "pdm-backend" {
		t.Errorf("VCSPlugin of [tool.pdm.version] source = \"scm\" = %q, want pdm-backend", got)
	}
	got := PretendVersionEnv("Acme.Hello-Tools", "setuptools-scm", "1.2.0.dev3")
	want := []string{"SETUPTOOLS_SCM_PRETEND_VERSION_FOR_ACME_HELLO_TOOLS=1.2.0.dev3", "PDM_BUILD_SCM_VERSION=1.2.0.dev3", "POETRY_DYNAMIC_VERSIONING_BYPASS=1.2.0.dev3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PretendVersionEnv = %q, want %q", got, want)
	}
	// hatch-vcs calls setuptools-scm without the distribution's name,
	// which reads only the general variable then.
	got = PretendVersionEnv("specmatch", "hatch-vcs", "1.0.dev1")
	want = []string{"SETUPTOOLS_SCM_PRETEND_VERSION_FOR_SPECMATCH=1.0.dev1", "SETUPTOOLS_SCM_PRETEND_VERSION=1.0.dev1", "PDM_BUILD_SCM_VERSION=1.0.dev1", "POETRY_DYNAMIC_VERSIONING_BYPASS=1.0.dev1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PretendVersionEnv with hatch-vcs = %q, want %q", got, want)
	}
	if got := PretendVersionEnv("", "", "1.0")[0]; got != "SETUPTOOLS_SCM_PRETEND_VERSION=1.0" {
		t.Errorf("without a name: %q", got)
	}
}
