package wheel

import (
	"fmt"
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

func TestPipEnvDropsEveryPipSetting(t *testing.T) {
	got := pipEnv([]string{"PATH=/bin", "PIP_FIND_LINKS=/opt/wheels", "pip_index_url=x", "PIPX_HOME=/p", "HOME=/root"})
	want := []string{"PATH=/bin", "PIPX_HOME=/p", "HOME=/root", "PIP_CONFIG_FILE=" + os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
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

func TestContainsVersion(t *testing.T) {
	tests := map[string]struct {
		out, version string
		want         bool
	}{
		"plain":                  {out: "greet 0.2.0\n", version: "0.2.0", want: true},
		"v prefix":               {out: "greet v0.2.0", version: "0.2.0", want: true},
		"sentence end":           {out: "This is greet 0.2.0.", version: "0.2.0", want: true},
		"in parentheses":         {out: "greet (0.2.0)", version: "0.2.0", want: true},
		"prefix of a dev":        {out: "greet 0.2.0.dev3", version: "0.2.0", want: false},
		"prefix of a local":      {out: "greet 0.2.0+abc", version: "0.2.0", want: false},
		"suffix of a longer one": {out: "greet 10.2.0", version: "0.2.0", want: false},
		"later exact mention":    {out: "greet 0.2.0.dev3 (from 0.2.0)", version: "0.2.0", want: true},
		"absent":                 {out: "greet 0.1.0", version: "0.2.0", want: false},
		"empty version":          {out: "x", version: "", want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := containsVersion(tc.out, tc.version); got != tc.want {
				t.Errorf("containsVersion(%q, %q) = %v", tc.out, tc.version, got)
			}
		})
	}
}

func TestLineTailKeepsTheLastLines(t *testing.T) {
	tail := &lineTail{max: 3}
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(tail, "line %d\n", i)
	}
	fmt.Fprint(tail, "partial")
	if got, want := tail.String(), "line 9\nline 10\npartial"; got != want {
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
	if got := e.Error(); !strings.Contains(got, "install them, e.g. apt-get install python3-flit-core python3-wheel or pip install 'flit_core >=3.2,<4' wheel") {
		t.Errorf("got %s", got)
	}
}
