package installer

import (
	"flag"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.nsi golden files")

func TestNSISVersion(t *testing.T) {
	tests := map[string]struct {
		in, want string
		wantErr  bool
	}{
		"three parts":   {in: "1.2.0", want: "1.2.0.0"},
		"release cand":  {in: "1.2.0rc1", want: "1.2.0.0"},
		"one part":      {in: "2", want: "2.0.0.0"},
		"four parts":    {in: "1.2.3.4", want: "1.2.3.4"},
		"five parts":    {in: "1.2.3.4.5", want: "1.2.3.4"},
		"post dev":      {in: "1.0.post2.dev3", want: "1.0.0.0"},
		"epoch local":   {in: "1!3.1+ubuntu.1", want: "3.1.0.0"},
		"unnormalised":  {in: "v1.2-RC.1", want: "1.2.0.0"},
		"calendar":      {in: "2024.11.21", want: "2024.11.21.0"},
		"too large":     {in: "1.70000", wantErr: true},
		"not pep 440":   {in: "latest", wantErr: true},
		"empty version": {in: "", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := NSISVersion(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("NSISVersion(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("NSISVersion(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNSISQuote(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"plain":     {in: "greet", want: `"greet"`},
		"dollar":    {in: "$INSTDIR", want: `"$$INSTDIR"`},
		"quote":     {in: `say "hi"`, want: `"say $\"hi$\""`},
		"newline":   {in: "a\nb\r\tc", want: `"a$\nb$\r$\tc"`},
		"backslash": {in: `C:\x\`, want: `"C:\x\"`},
		"single":    {in: "it's `x`", want: "\"it's `x`\""},
		"escape":    {in: `$\"`, want: `"$$\$\""`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := nsisQuote(tc.in); got != tc.want {
				t.Errorf("nsisQuote(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestNSISScriptGolden(t *testing.T) {
	tests := map[string]nsisScript{
		"greet": {
			Project: "greet", Version: "1.2.0rc1", VIVersion: "1.2.0.0",
			OutFile:     "installer.exe",
			Files:       []nsisFile{{Src: "payload/0", Name: "greet.exe"}, {Src: "payload/1", Name: "greet-admin.exe"}},
			Description: "greet 1.2.0rc1 installer",
		},
		"escaping": {
			Project: `we$ird "name"`, Version: "2.0", VIVersion: "2.0.0.0",
			OutFile:     "installer.exe",
			Icon:        "icon.ico",
			Files:       []nsisFile{{Src: "payload/0", Name: `$PROGRAMFILES "x".exe`}},
			Description: "a\ndescription",
		},
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			got := s.String()
			golden := filepath.Join("testdata", name+".nsi")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("script differs from %s (run with -update after checking):\n%s", golden, got)
			}
		})
	}
}

// TestBuildEXE builds a real installer from names full of NSIS syntax, so
// a quoting mistake shows up as a compile error or a wrong payload name.
func TestBuildEXE(t *testing.T) {
	testenv.Require(t, "makensis")
	src := t.TempDir()
	greet := fakeProgram(t, src, "greet.exe", FormatPE)
	odd := fakeProgram(t, src, `$we"ird.exe`, FormatPE)
	o := Options{
		Project:  `greet $PROGRAMFILES "x"`,
		Version:  "1.2.0rc1",
		Platform: "windows-x86_64",
		Binaries: []string{greet, odd},
		OutDir:   t.TempDir(),
		WorkDir:  t.TempDir(),
	}
	exe, err := Build(t.Context(), o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if got, want := filepath.Base(exe), Name(o.Project, o.Version, o.Platform, ""); got != want || !strings.HasSuffix(got, ".exe") {
		t.Fatalf("Build = %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(o.WorkDir, "nsis", "installer.nsi")); err != nil {
		t.Errorf("the .nsi script is not in WorkDir: %v", err)
	}
	testenv.Require(t, "7z")
	names, err := ListEXE(t.Context(), exe)
	if err != nil {
		t.Fatalf("ListEXE: %v", err)
	}
	var bases []string
	for _, n := range names {
		bases = append(bases, path.Base(filepath.ToSlash(n)))
	}
	for _, want := range []string{"greet.exe", `$we"ird.exe`, "uninstall.exe"} {
		if !slices.Contains(bases, want) {
			t.Errorf("ListEXE = %q, want it to contain %s", names, want)
		}
	}
}
