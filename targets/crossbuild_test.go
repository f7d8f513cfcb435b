package targets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/installer"
)

// crossTargets are the systems the CI templates run bdist jobs on besides
// Linux: GitHub's and GitLab's Windows and macOS runners, on both
// architectures each ships.
var crossTargets = []struct{ goos, goarch string }{
	{goos: "windows", goarch: "amd64"},
	{goos: "windows", goarch: "arm64"},
	{goos: "darwin", goarch: "amd64"},
	{goos: "darwin", goarch: "arm64"},
}

// TestCrossBuild vets every package of the module, tests and test helpers
// included (vet type-checks them), and this repository's magefile, for
// Windows and macOS: a Unix-only call outside a build-tagged file breaks a
// user's Windows or macOS job at `go tool mage`, which compiles there. It
// runs `go vet`, which needs no C toolchain with cgo off.
func TestCrossBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("vets the module four times")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// One after another: each vet already uses every core.
	for _, tc := range crossTargets {
		t.Run(tc.goos+"-"+tc.goarch, func(t *testing.T) {
			for _, args := range [][]string{
				{"vet", "./..."},
				{"vet", "-tags", "mage", "./magefiles"},
			} {
				cmd := exec.Command(goBin, args...)
				cmd.Dir = root
				cmd.Env = append(os.Environ(), "GOOS="+tc.goos, "GOARCH="+tc.goarch, "CGO_ENABLED=0", "GOFLAGS=")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("GOOS=%s GOARCH=%s go %v: %v\n%s", tc.goos, tc.goarch, args, err, out)
				}
			}
		})
	}
}

// TestNamesPerGOOS: what a job on each system names its files and which
// installer it makes by default. Windows gets .zip archives (what Explorer
// opens) and an .exe; macOS "osx" platforms, .tar.gz and a .dmg; Linux
// .tar.gz and a .run. Each archive name gives its platform back, which is
// how a release job tells fetched archives apart.
func TestNamesPerGOOS(t *testing.T) {
	tests := map[string]struct {
		goos, goarch string
		platform     string
		archive      string
		kind         string
		installer    string
	}{
		"linux amd64": {goos: "linux", goarch: "amd64", platform: "linux-x86_64",
			archive: "greet-1.2.0-linux-x86_64.tar.gz", kind: installer.KindRun, installer: "greet-1.2.0-linux-x86_64-installer.run"},
		"linux arm64": {goos: "linux", goarch: "arm64", platform: "linux-arm64",
			archive: "greet-1.2.0-linux-arm64.tar.gz", kind: installer.KindRun, installer: "greet-1.2.0-linux-arm64-installer.run"},
		"windows amd64": {goos: "windows", goarch: "amd64", platform: "windows-x86_64",
			archive: "greet-1.2.0-windows-x86_64.zip", kind: installer.KindEXE, installer: "greet-1.2.0-windows-x86_64-installer.exe"},
		"windows arm64": {goos: "windows", goarch: "arm64", platform: "windows-arm64",
			archive: "greet-1.2.0-windows-arm64.zip", kind: installer.KindEXE, installer: "greet-1.2.0-windows-arm64-installer.exe"},
		"darwin amd64": {goos: "darwin", goarch: "amd64", platform: "osx-x86_64",
			archive: "greet-1.2.0-osx-x86_64.tar.gz", kind: installer.KindDMG, installer: "greet-1.2.0-osx-x86_64-installer.dmg"},
		"darwin arm64": {goos: "darwin", goarch: "arm64", platform: "osx-arm64",
			archive: "greet-1.2.0-osx-arm64.tar.gz", kind: installer.KindDMG, installer: "greet-1.2.0-osx-arm64-installer.dmg"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			platform := archive.Platform(tc.goos, tc.goarch)
			if platform != tc.platform {
				t.Fatalf("Platform(%s, %s) = %q, want %q", tc.goos, tc.goarch, platform, tc.platform)
			}
			if got := archive.Name("greet", "1.2.0", platform); got != tc.archive {
				t.Errorf("archive.Name = %q, want %q", got, tc.archive)
			}
			if got, ok := archive.NamePlatform(tc.archive, "1.2.0"); !ok || got != platform {
				t.Errorf("NamePlatform(%q) = %q, %v, want %q", tc.archive, got, ok, platform)
			}
			if got := installer.KindFor(platform); got != tc.kind {
				t.Errorf("KindFor(%q) = %q, want %q", platform, got, tc.kind)
			}
			if got := installer.Name("greet", "1.2.0", platform, ""); got != tc.installer {
				t.Errorf("installer.Name = %q, want %q", got, tc.installer)
			}
		})
	}
}
