package targets

import (
	"runtime"
	"testing"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/freeze"
)

// The platform tag is this machine's unless config read another from
// PYRELEASE_PLATFORM (config tests what that variable may hold).
func TestPlatform(t *testing.T) {
	tests := map[string]struct {
		setting string
		want    string
	}{
		"unset is this machine's": {setting: "", want: archive.Platform(runtime.GOOS, runtime.GOARCH)},
		"override":                {setting: "linux-arm64", want: "linux-arm64"},
		"manylinux style":         {setting: "linux-musl_x86_64", want: "linux-musl_x86_64"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := &project{cfg: &config.Config{Platform: tc.setting}}
			if got, err := p.platform(); err != nil || got != tc.want {
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
