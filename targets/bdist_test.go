package targets

import (
	"runtime"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/freeze"
)

func TestPlatform(t *testing.T) {
	tests := map[string]struct {
		env     string
		want    string
		wantErr string
	}{
		"unset is this machine's": {env: "", want: archive.Platform(runtime.GOOS, runtime.GOARCH)},
		"blank is this machine's": {env: "  ", want: archive.Platform(runtime.GOOS, runtime.GOARCH)},
		"override":                {env: "linux-arm64", want: "linux-arm64"},
		"trimmed":                 {env: " osx-arm64\n", want: "osx-arm64"},
		"manylinux style":         {env: "linux-musl_x86_64", want: "linux-musl_x86_64"},
		"a slash":                 {env: "linux/arm64", wantErr: `PYRELEASE_PLATFORM="linux/arm64": want an {os}-{machine} tag`},
		"no machine":              {env: "linux", wantErr: `PYRELEASE_PLATFORM="linux"`},
		"a path":                  {env: "../x-y", wantErr: `PYRELEASE_PLATFORM="../x-y"`},
		"a space":                 {env: "linux x86-64", wantErr: `PYRELEASE_PLATFORM="linux x86-64"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := &project{getenv: func(k string) string {
				if k == envPlatform {
					return tc.env
				}
				return ""
			}}
			got, err := p.platform()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("platform() = %q, %v; want an error containing %q", got, err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "bdist: ") {
					t.Errorf("error %q lacks the bdist: prefix", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("platform() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// The documented default PyInstaller is the one a freeze installs.
func TestBdistDefaultPyInstallerDocumented(t *testing.T) {
	for _, k := range config.BdistKeys {
		if k.Name == "pyinstaller" && "pyinstaller=="+k.Default != freeze.DefaultPyInstaller {
			t.Errorf("[tool.pyrelease.bdist] pyinstaller is documented with default %q; freeze installs %q", k.Default, freeze.DefaultPyInstaller)
		}
	}
}
