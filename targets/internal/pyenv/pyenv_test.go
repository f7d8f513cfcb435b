package pyenv

import (
	"os"
	"slices"
	"testing"
)

func TestHasVersion(t *testing.T) {
	tests := map[string]struct {
		out, version string
		want         bool
	}{
		"plain":             {out: "greet 0.2.0\n", version: "0.2.0", want: true},
		"v prefix":          {out: "greet v0.2.0.", version: "0.2.0", want: true},
		"in parentheses":    {out: "greet, version 0.2.0 (Python 3.11)", version: "0.2.0", want: true},
		"dev of it":         {out: "greet 0.2.0.dev3", version: "0.2.0", want: false},
		"rc of it":          {out: "greet 0.2.0rc1", version: "0.2.0", want: false},
		"longer number":     {out: "greet 10.2.0", version: "0.2.0", want: false},
		"later patch":       {out: "greet 0.2.0.1", version: "0.2.0", want: false},
		"local":             {out: "greet 0.2.0+g1234567", version: "0.2.0", want: false},
		"second mention":    {out: "built 10.2.0; greet 0.2.0", version: "0.2.0", want: true},
		"empty version":     {out: "greet", version: "", want: false},
		"word prefix":       {out: "greetv0.2.0", version: "0.2.0", want: false},
		"full local wanted": {out: "greet 0.2.1.dev1+g1234567.d20261120", version: "0.2.1.dev1+g1234567.d20261120", want: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := HasVersion(tt.out, tt.version); got != tt.want {
				t.Errorf("HasVersion(%q, %q) = %v, want %v", tt.out, tt.version, got, tt.want)
			}
		})
	}
}

func TestPipEnvDropsEveryPipSetting(t *testing.T) {
	got := PipEnv([]string{"PATH=/bin", "PIP_FIND_LINKS=/opt/wheels", "pip_index_url=x", "PIPX_HOME=/p", "HOME=/root"})
	want := []string{"PATH=/bin", "PIPX_HOME=/p", "HOME=/root", "PIP_CONFIG_FILE=" + os.DevNull, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
