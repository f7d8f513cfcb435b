package archive

import "testing"

func TestPlatform(t *testing.T) {
	tests := map[string]struct {
		goos, goarch, want string
	}{
		"linux amd64":   {goos: "linux", goarch: "amd64", want: "linux-x86_64"},
		"linux arm64":   {goos: "linux", goarch: "arm64", want: "linux-arm64"},
		"linux 386":     {goos: "linux", goarch: "386", want: "linux-i686"},
		"linux arm":     {goos: "linux", goarch: "arm", want: "linux-armv7l"},
		"darwin arm64":  {goos: "darwin", goarch: "arm64", want: "osx-arm64"},
		"darwin amd64":  {goos: "darwin", goarch: "amd64", want: "osx-x86_64"},
		"windows amd64": {goos: "windows", goarch: "amd64", want: "windows-x86_64"},
		"windows 386":   {goos: "windows", goarch: "386", want: "windows-i686"},
		"unknown kept":  {goos: "freebsd", goarch: "riscv64", want: "freebsd-riscv64"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Platform(tc.goos, tc.goarch); got != tc.want {
				t.Errorf("Platform(%q, %q) = %q, want %q", tc.goos, tc.goarch, got, tc.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	tests := map[string]struct {
		platform, want string
	}{
		"linux":   {platform: "linux-x86_64", want: "greet-1.2.0-linux-x86_64.tar.gz"},
		"osx":     {platform: "osx-arm64", want: "greet-1.2.0-osx-arm64.tar.gz"},
		"windows": {platform: "windows-x86_64", want: "greet-1.2.0-windows-x86_64.zip"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Name("greet", "1.2.0", tc.platform); got != tc.want {
				t.Errorf("Name = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNamePlatform(t *testing.T) {
	tests := map[string]struct {
		name, version string
		want          string // "" = not an archive of version
	}{
		"linux":             {name: "greet-1.2.0-linux-x86_64.tar.gz", version: "1.2.0", want: "linux-x86_64"},
		"windows":           {name: "greet-1.2.0-windows-x86_64.zip", version: "1.2.0", want: "windows-x86_64"},
		"osx":               {name: "greet-1.2.0-osx-arm64.tar.gz", version: "1.2.0", want: "osx-arm64"},
		"dashed group":      {name: "acme-hello-tools-0.1.0.dev3-linux-arm64.tar.gz", version: "0.1.0.dev3", want: "linux-arm64"},
		"dashed platform":   {name: "greet-1.0-manylinux_2_28-x86_64.tar.gz", version: "1.0", want: "manylinux_2_28-x86_64"},
		"version in group":  {name: "tool-1.0-1.0-linux-x86_64.tar.gz", version: "1.0", want: "linux-x86_64"},
		"zip off windows":   {name: "greet-1.2.0-linux-x86_64.zip", version: "1.2.0"},
		"tar.gz on windows": {name: "greet-1.2.0-windows-x86_64.tar.gz", version: "1.2.0"},
		"other version":     {name: "greet-1.2.0-linux-x86_64.tar.gz", version: "1.2.1"},
		"no group":          {name: "-1.2.0-linux-x86_64.tar.gz", version: "1.2.0"},
		"no platform":       {name: "greet-1.2.0-.tar.gz", version: "1.2.0"},
		"installer":         {name: "greet-1.2.0-windows-x86_64-installer.exe", version: "1.2.0"},
		"wheel":             {name: "greet-1.2.0-py3-none-any.whl", version: "1.2.0"},
		"empty version":     {name: "greet--linux-x86_64.tar.gz", version: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := NamePlatform(tc.name, tc.version)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("NamePlatform(%q, %q) = %q, %v, want %q", tc.name, tc.version, got, ok, tc.want)
			}
		})
	}
}
