package wheel

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestPipInstallArgs(t *testing.T) {
	tests := map[string]struct {
		offline   bool
		findLinks []string
		want      []string
	}{
		"configured index": {
			want: []string{"-m", "pip", "--python", "V/bin/python", "install", "req"},
		},
		"offline with local wheels": {
			offline: true, findLinks: []string{"/w1", "/w2"},
			want: []string{"-m", "pip", "--python", "V/bin/python", "install", "--no-index", "--find-links", "/w1", "--find-links", "/w2", "req"},
		},
		"offline without find-links": {
			offline: true,
			want:    []string{"-m", "pip", "--python", "V/bin/python", "install", "--no-index", "req"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := pipInstallArgs("V/bin/python", tc.offline, tc.findLinks, []string{"req"}); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVenvEnv(t *testing.T) {
	got := venvEnv([]string{"PATH=/usr/bin", "PYTHONPATH=/src", "PYTHONHOME=/h", "VIRTUAL_ENV=/old", "HOME=/root"}, "/v")
	sep := string(os.PathListSeparator)
	want := []string{"HOME=/root", "PATH=" + venvBinDir("/v") + sep + "/usr/bin", "VIRTUAL_ENV=/v"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestInterpreterErrorMessage(t *testing.T) {
	e := &InterpreterError{
		Backend: "hatchling.build",
		Tried: []Attempt{
			{Name: "python3", Path: "/root/.pyenv/shims/python3", Reason: "No module named 'hatchling'"},
			{Name: "python", Reason: "not found"},
		},
		Install: []string{"hatchling"},
	}
	want := `wheel: no Python can import the build backend "hatchling.build" (tried: python3 (/root/.pyenv/shims/python3): No module named 'hatchling'; python: not found); install it, e.g. apt-get install python3-hatchling or pip install hatchling, or set python in [tool.pyrelease]`
	if got := e.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	e.Install = []string{"flit_core >=3.2,<4", "wheel"}
	if got := e.Error(); !strings.Contains(got, "install them, e.g. apt-get install flit python3-wheel or pip install 'flit_core >=3.2,<4' wheel") {
		t.Errorf("got %s", got)
	}
	// No Debian package provides it: no apt advice.
	e.Install = []string{"pdm-backend"}
	if got := e.Error(); !strings.Contains(got, "; install it, e.g. pip install pdm-backend, or set python") || strings.Contains(got, "apt-get") {
		t.Errorf("got %s", got)
	}
	// Installed but too old: name the requirement and the version, and
	// advise an upgrade, not the package that is already there.
	e.Install = []string{"flit_core>=3.10"}
	e.Outdated = map[string]string{"flit_core>=3.10": "3.8.0"}
	if got := e.Error(); !strings.Contains(got, "; flit_core needs 'flit_core>=3.10', 3.8.0 is installed: upgrade with pip install --upgrade 'flit_core>=3.10'") || strings.Contains(got, "apt-get") {
		t.Errorf("got %s", got)
	}
}
