package installer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	tests := map[string]struct {
		name string
		head string
		want Format
	}{
		"pyinstaller on windows": {name: "greet.exe", head: heads[FormatPE], want: FormatPE},
		"pyinstaller on linux":   {name: "greet", head: heads[FormatELF], want: FormatELF},
		"pyinstaller on macos":   {name: "greet", head: heads[FormatMachO], want: FormatMachO},
		"universal2":             {name: "greet", head: "\xca\xfe\xba\xbe\x00\x00\x00\x02", want: FormatMachO},
		"big-endian mach-o":      {name: "greet", head: "\xfe\xed\xfa\xcf", want: FormatMachO},
		"zipapp with shebang":    {name: "greet", head: heads[FormatZipapp], want: FormatZipapp},
		"bare zipapp":            {name: "greet", head: "PK\x03\x04\x14\x00", want: FormatZipapp},
		"pyz by its name":        {name: "greet.pyz", head: "anything", want: FormatZipapp},
		"pyz upper case":         {name: "GREET.PYZ", head: heads[FormatPE], want: FormatZipapp},
		"shell script":           {name: "greet", head: heads[FormatScript], want: FormatScript},
		"shebang only":           {name: "greet", head: "#!/bin/sh", want: FormatScript},
		"text":                   {name: "README", head: heads[FormatUnknown], want: FormatUnknown},
		"empty":                  {name: "empty", head: "", want: FormatUnknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(p, []byte(tc.head), 0o755); err != nil {
				t.Fatal(err)
			}
			got, err := Sniff(p)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Sniff(%s %q) = %s, want %s", tc.name, tc.head, got, tc.want)
			}
		})
	}
}

// TestCheckBinaries: each kind takes the programs of its own platform; the
// .run and the .dmg take scripts and zipapps too, the .exe neither.
func TestCheckBinaries(t *testing.T) {
	tests := map[string]struct {
		kind    string
		format  Format
		wantErr string // "" = accepted
	}{
		"run elf":      {kind: KindRun, format: FormatELF},
		"run zipapp":   {kind: KindRun, format: FormatZipapp},
		"run script":   {kind: KindRun, format: FormatScript},
		"run pe":       {kind: KindRun, format: FormatPE, wantErr: "greet.bin is a Windows program, not a Linux program"},
		"run mach-o":   {kind: KindRun, format: FormatMachO, wantErr: "is a macOS (Mach-O) program, not a Linux program"},
		"run unknown":  {kind: KindRun, format: FormatUnknown, wantErr: "is not a program, not a Linux program"},
		"exe pe":       {kind: KindEXE, format: FormatPE},
		"exe elf":      {kind: KindEXE, format: FormatELF, wantErr: "greet.bin is a Linux (ELF) program, not a Windows program: a .exe installs the Windows build of each tool (its archive from a Windows runner)"},
		"exe mach-o":   {kind: KindEXE, format: FormatMachO, wantErr: "not a Windows program"},
		"exe zipapp":   {kind: KindEXE, format: FormatZipapp, wantErr: "greet.bin is a zipapp, which needs a Python that Windows does not have"},
		"exe script":   {kind: KindEXE, format: FormatScript, wantErr: "is a script, not a Windows program"},
		"dmg mach-o":   {kind: KindDMG, format: FormatMachO},
		"dmg zipapp":   {kind: KindDMG, format: FormatZipapp},
		"dmg script":   {kind: KindDMG, format: FormatScript},
		"dmg elf":      {kind: KindDMG, format: FormatELF, wantErr: "is a Linux (ELF) program, not a macOS program"},
		"dmg pe":       {kind: KindDMG, format: FormatPE, wantErr: "is a Windows program, not a macOS program"},
		"unknown kind": {kind: "msi", format: FormatPE, wantErr: "unknown installer kind"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			native := map[string]Format{KindRun: FormatELF, KindEXE: FormatPE, KindDMG: FormatMachO}
			ok := fakeProgram(t, dir, "ok.bin", native[tc.kind])
			bin := fakeProgram(t, dir, "greet.bin", tc.format)
			// The refused file is found among accepted ones.
			err := CheckBinaries(tc.kind, []string{ok, bin})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckBinaries(%s, %s) = %v, want nil", tc.kind, tc.format, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckBinaries(%s, %s) = %v, want an error containing %q", tc.kind, tc.format, err, tc.wantErr)
			}
			var pe *PlatformError
			if tc.kind != "msi" && (!errors.Is(err, ErrPlatform) || !errors.As(err, &pe) || pe.Format != tc.format) {
				t.Errorf("CheckBinaries error = %#v, want a *PlatformError of format %s", err, tc.format)
			}
		})
	}
	t.Run("pyz named", func(t *testing.T) {
		// Windows' zipapp freezer names its archives .pyz.
		bin := fakeProgram(t, t.TempDir(), "greet.pyz", FormatZipapp)
		err := CheckBinaries(KindEXE, []string{bin})
		if !errors.Is(err, ErrPlatform) || !strings.Contains(err.Error(), `greet.pyz is a zipapp`) || !strings.Contains(err.Error(), `freezer = "pyinstaller"`) {
			t.Errorf("CheckBinaries(exe, greet.pyz) = %v, want the zipapp refusal that says how", err)
		}
	})
}

func TestCheckPlatform(t *testing.T) {
	tests := map[string]struct {
		kind, platform string
		ok             bool
	}{
		"run linux":       {kind: KindRun, platform: "linux-x86_64", ok: true},
		"run manylinux":   {kind: KindRun, platform: "manylinux_2_28-aarch64", ok: true},
		"run freebsd":     {kind: KindRun, platform: "freebsd-amd64", ok: true},
		"run windows":     {kind: KindRun, platform: "windows-x86_64"},
		"run osx":         {kind: KindRun, platform: "osx-arm64"},
		"exe windows":     {kind: KindEXE, platform: "windows-x86_64", ok: true},
		"exe windows arm": {kind: KindEXE, platform: "windows-arm64", ok: true},
		"exe linux":       {kind: KindEXE, platform: "linux-x86_64"},
		"exe freebsd":     {kind: KindEXE, platform: "freebsd-amd64"},
		"dmg osx":         {kind: KindDMG, platform: "osx-arm64", ok: true},
		"dmg linux":       {kind: KindDMG, platform: "linux-x86_64"},
		"dmg windows":     {kind: KindDMG, platform: "windows-x86_64"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := checkPlatform(tc.kind, tc.platform)
			if tc.ok != (err == nil) {
				t.Fatalf("checkPlatform(%s, %s) = %v, want ok=%v", tc.kind, tc.platform, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrPlatform) {
				t.Errorf("checkPlatform error %v does not wrap ErrPlatform", err)
			}
		})
	}
}

// TestBuildRefusesOtherPlatforms: Build itself refuses what the checks
// refuse, before any tool runs, so the refusal needs neither makensis nor
// makeself.
func TestBuildRefusesOtherPlatforms(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]struct {
		kind, platform string
		bin            string
		want           string
	}{
		"exe of linux tools":        {kind: KindEXE, platform: "windows-x86_64", bin: fakeProgram(t, dir, "greet", FormatELF), want: "greet is a Linux (ELF) program, not a Windows program"},
		"exe named for linux":       {kind: KindEXE, platform: "linux-x86_64", bin: fakeProgram(t, dir, "greet.exe", FormatPE), want: `platform "linux-x86_64" is not a Windows platform`},
		"exe of a zipapp":           {kind: KindEXE, platform: "windows-x86_64", bin: fakeProgram(t, dir, "greet.pyz", FormatZipapp), want: "greet.pyz is a zipapp"},
		"run of windows tools":      {kind: KindRun, platform: "linux-x86_64", bin: fakeProgram(t, dir, "tool.exe", FormatPE), want: "tool.exe is a Windows program, not a Linux program"},
		"platform picks exe":        {kind: "", platform: "windows-x86_64", bin: fakeProgram(t, dir, "other", FormatELF), want: "other is a Linux (ELF) program"},
		"dmg of linux tools anyway": {kind: KindDMG, platform: "osx-arm64", bin: fakeProgram(t, dir, "elf", FormatELF), want: "elf is a Linux (ELF) program, not a macOS program"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Build(t.Context(), Options{Project: "greet", Version: "1.0", Platform: tc.platform, Kind: tc.kind,
				Binaries: []string{tc.bin}, OutDir: t.TempDir()})
			if !errors.Is(err, ErrPlatform) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build = %v, want a platform error containing %q", err, tc.want)
			}
		})
	}
}

// FuzzSniff: any first bytes get a known format, and a magic number
// decides whatever follows it.
func FuzzSniff(f *testing.F) {
	for _, h := range heads {
		f.Add([]byte(h))
	}
	f.Add([]byte("#!"))
	f.Add([]byte("#!\nPK\x03"))
	f.Fuzz(func(t *testing.T, head []byte) {
		if got := sniffBytes(head); got.describe() == "not a program" && got != FormatUnknown {
			t.Fatalf("sniffBytes(%q) = %q, not a known format", head, got)
		}
		for magic, want := range map[string]Format{"MZ": FormatPE, "\x7fELF": FormatELF, "PK\x03\x04": FormatZipapp, "\xcf\xfa\xed\xfe": FormatMachO} {
			if got := sniffBytes(append([]byte(magic), head...)); got != want {
				t.Fatalf("sniffBytes(%q + %q) = %s, want %s", magic, head, got, want)
			}
		}
	})
}
