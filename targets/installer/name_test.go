package installer

import (
	"errors"
	"runtime"
	"testing"
)

func TestName(t *testing.T) {
	tests := map[string]struct {
		project, version, platform, kind string
		want                             string
	}{
		"linux default":   {project: "greet", version: "1.0", platform: "linux-x86_64", want: "greet-1.0-linux-x86_64-installer.run"},
		"windows default": {project: "greet", version: "1.2.0rc1", platform: "windows-x86_64", want: "greet-1.2.0rc1-windows-x86_64-installer.exe"},
		"osx default":     {project: "greet", version: "2.0", platform: "osx-arm64", want: "greet-2.0-osx-arm64-installer.dmg"},
		"explicit kind":   {project: "greet", version: "1.0", platform: "linux-x86_64", kind: "exe", want: "greet-1.0-linux-x86_64-installer.exe"},
		"unknown os":      {project: "greet", version: "1.0", platform: "plan9-386", want: "greet-1.0-plan9-386-installer"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Name(tc.project, tc.version, tc.platform, tc.kind); got != tc.want {
				t.Errorf("Name = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKindFor(t *testing.T) {
	tests := map[string]struct {
		platform, want string
	}{
		"linux":     {platform: "linux-x86_64", want: KindRun},
		"linux arm": {platform: "linux-aarch64", want: KindRun},
		"windows":   {platform: "windows-x86_64", want: KindEXE},
		"win32":     {platform: "win32", want: KindEXE},
		"osx":       {platform: "osx-arm64", want: KindDMG},
		"macos":     {platform: "macos-universal2", want: KindDMG},
		"upper":     {platform: "Linux-x86_64", want: KindRun},
		"unknown":   {platform: "freebsd-amd64", want: ""},
		"empty":     {platform: "", want: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := KindFor(tc.platform); got != tc.want {
				t.Errorf("KindFor(%q) = %q, want %q", tc.platform, got, tc.want)
			}
		})
	}
}

func TestSkipReasonDMG(t *testing.T) {
	got := SkipReason(KindDMG)
	if runtime.GOOS != "darwin" && got != "dmg needs macOS" {
		t.Errorf("SkipReason(dmg) on %s = %q, want %q", runtime.GOOS, got, "dmg needs macOS")
	}
	if SkipReason("zip") == "" {
		t.Error("SkipReason(zip) is empty, want a reason for an unknown kind")
	}
}

func TestBuildDMGOffMacOS(t *testing.T) {
	if runtime.GOOS == "darwin" {
		t.Skip("this checks the skip that happens off macOS")
	}
	dir := t.TempDir()
	_, err := Build(t.Context(), Options{
		Project: "greet", Version: "1.0", Platform: "osx-arm64",
		Binaries: []string{fakeTool(t, dir, "greet", "1.0")}, OutDir: dir,
	})
	var skip *SkipError
	if !errors.Is(err, ErrUnsupported) || !errors.As(err, &skip) || skip.Kind != KindDMG {
		t.Fatalf("Build(dmg) error = %v, want a SkipError for dmg", err)
	}
}

func TestBuildBadOptions(t *testing.T) {
	dir := t.TempDir()
	bin := fakeTool(t, dir, "greet", "1.0")
	other := t.TempDir()
	dup := fakeTool(t, other, "greet", "1.0")
	good := Options{Project: "greet", Version: "1.0", Platform: "linux-x86_64", Binaries: []string{bin}, OutDir: dir, Kind: KindRun}
	tests := map[string]struct {
		edit func(*Options)
		want error
	}{
		"no binaries":      {edit: func(o *Options) { o.Binaries = nil }, want: ErrBadOptions},
		"missing binary":   {edit: func(o *Options) { o.Binaries = []string{dir + "/nope"} }, want: ErrBadOptions},
		"binary is a dir":  {edit: func(o *Options) { o.Binaries = []string{dir} }, want: ErrBadOptions},
		"duplicate names":  {edit: func(o *Options) { o.Binaries = []string{bin, dup} }, want: ErrBadOptions},
		"empty project":    {edit: func(o *Options) { o.Project = "" }, want: ErrBadOptions},
		"slash in version": {edit: func(o *Options) { o.Version = "1/0" }, want: ErrBadOptions},
		"no out dir":       {edit: func(o *Options) { o.OutDir = "" }, want: ErrBadOptions},
		"unknown kind":     {edit: func(o *Options) { o.Kind = "zip" }, want: ErrUnknownKind},
		"unknown platform": {edit: func(o *Options) { o.Kind, o.Platform = "", "plan9-386" }, want: ErrUnknownKind},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			if _, err := Build(t.Context(), o); !errors.Is(err, tc.want) {
				t.Fatalf("Build error = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSkipReasonPerGOOS: which kinds each system builds, given its tools.
// makeself and makensis run wherever they are installed (makensis on Linux
// too); hdiutil only on macOS.
func TestSkipReasonPerGOOS(t *testing.T) {
	all := func(string) (string, error) { return "/bin/tool", nil }
	none := func(name string) (string, error) { return "", errors.New(name + ": not found") }
	tests := map[string]struct {
		goos, kind string
		tools      func(string) (string, error)
		want       string
	}{
		"run on linux":         {goos: "linux", kind: KindRun, tools: all},
		"run on darwin":        {goos: "darwin", kind: KindRun, tools: all},
		"run without makeself": {goos: "linux", kind: KindRun, tools: none, want: "makeself not found on PATH (Debian package makeself)"},
		"exe on linux":         {goos: "linux", kind: KindEXE, tools: all},
		"exe on windows":       {goos: "windows", kind: KindEXE, tools: all},
		"exe without makensis": {goos: "windows", kind: KindEXE, tools: none, want: "makensis not found on PATH (Debian package nsis)"},
		"dmg on darwin":        {goos: "darwin", kind: KindDMG, tools: all},
		"dmg without hdiutil":  {goos: "darwin", kind: KindDMG, tools: none, want: "hdiutil not found on PATH"},
		"dmg on linux":         {goos: "linux", kind: KindDMG, tools: all, want: "dmg needs macOS"},
		"dmg on windows":       {goos: "windows", kind: KindDMG, tools: all, want: "dmg needs macOS"},
		"unknown kind":         {goos: "linux", kind: "msi", tools: all, want: `unknown installer kind "msi" (want run, exe or dmg)`},
		"run on windows":       {goos: "windows", kind: KindRun, tools: none, want: "makeself not found on PATH (Debian package makeself)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := skipReason(tc.goos, tc.kind, tc.tools); got != tc.want {
				t.Errorf("skipReason(%s, %s) = %q, want %q", tc.goos, tc.kind, got, tc.want)
			}
		})
	}
}
