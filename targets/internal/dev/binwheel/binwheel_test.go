package binwheel_test

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/binwheel"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

func TestPlatform(t *testing.T) {
	tests := map[string]struct {
		goos, goarch string
		want         string
		wheel        string
		script       string
	}{
		"linux amd64": {goos: "linux", goarch: "amd64", want: "manylinux_2_17_x86_64.manylinux2014_x86_64",
			wheel: "pyrelease-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", script: "pyrelease"},
		"linux arm64": {goos: "linux", goarch: "arm64", want: "manylinux_2_17_aarch64.manylinux2014_aarch64",
			wheel: "pyrelease-1.0-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", script: "pyrelease"},
		"darwin amd64": {goos: "darwin", goarch: "amd64", want: "macosx_12_0_x86_64",
			wheel: "pyrelease-1.0-py3-none-macosx_12_0_x86_64.whl", script: "pyrelease"},
		"darwin arm64": {goos: "darwin", goarch: "arm64", want: "macosx_12_0_arm64",
			wheel: "pyrelease-1.0-py3-none-macosx_12_0_arm64.whl", script: "pyrelease"},
		"windows amd64": {goos: "windows", goarch: "amd64", want: "win_amd64",
			wheel: "pyrelease-1.0-py3-none-win_amd64.whl", script: "pyrelease.exe"},
		"windows arm64": {goos: "windows", goarch: "arm64", want: "win_arm64",
			wheel: "pyrelease-1.0-py3-none-win_arm64.whl", script: "pyrelease.exe"},
		"freebsd":    {goos: "freebsd", goarch: "amd64"},
		"linux 386":  {goos: "linux", goarch: "386"},
		"windows 32": {goos: "windows", goarch: "arm"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := binwheel.Platform(tc.goos, tc.goarch)
			if tc.want == "" {
				if !errors.Is(err, binwheel.ErrOptions) {
					t.Fatalf("Platform(%s, %s) = %q, %v; want ErrOptions", tc.goos, tc.goarch, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Platform(%s, %s) = %q, %v; want %q", tc.goos, tc.goarch, got, err, tc.want)
			}
			if n := binwheel.FileName("pyrelease", "1.0", got); n != tc.wheel {
				t.Errorf("FileName = %q; want %q", n, tc.wheel)
			}
			// The name must read back with the platform's tags.
			wn, err := wheel.ParseWheelName(tc.wheel)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(slices.Sorted(slices.Values(wn.Tags())), slices.Sorted(slices.Values(binwheel.Tags(got)))) {
				t.Errorf("Tags(%q) = %v; the file name has %v", got, binwheel.Tags(got), wn.Tags())
			}
			if s := binwheel.Script("pyrelease", tc.goos); s != tc.script {
				t.Errorf("Script = %q; want %q", s, tc.script)
			}
		})
	}
}

func TestRecordRow(t *testing.T) {
	tests := map[string]struct {
		data string
		want string
	}{
		// Digests from Python: base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").
		"empty": {data: "", want: "a,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"},
		"hello": {data: "hello\n", want: "a,sha256=WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM,6\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sum := sha256.Sum256([]byte(tc.data))
			if got := binwheel.RecordRow("a", sum[:], int64(len(tc.data))); got != tc.want {
				t.Errorf("RecordRow = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestMetadataAndWheelFile(t *testing.T) {
	md := string(binwheel.Metadata(binwheel.Options{Name: "pyrelease", Version: "1.2.0", Summary: "Release tools",
		License: "MIT", Description: "# pyrelease\n\ntext\n"}))
	want := "Metadata-Version: 2.1\nName: pyrelease\nVersion: 1.2.0\nSummary: Release tools\nLicense: MIT\n" +
		"Description-Content-Type: text/markdown\n\n# pyrelease\n\ntext\n"
	if md != want {
		t.Errorf("Metadata:\n%s\nwant:\n%s", md, want)
	}
	wf := string(binwheel.WheelFile("manylinux_2_17_x86_64.manylinux2014_x86_64"))
	want = "Wheel-Version: 1.0\nGenerator: pyrelease binwheel\nRoot-Is-Purelib: false\n" +
		"Tag: py3-none-manylinux_2_17_x86_64\nTag: py3-none-manylinux2014_x86_64\n"
	if wf != want {
		t.Errorf("WheelFile:\n%s\nwant:\n%s", wf, want)
	}
}

// TestWriteVerifies writes a wheel per platform around a fake program and
// has wheel.Verify, what `mage check` runs, judge each as an index would.
func TestWriteVerifies(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "prog")
	program := strings.Repeat("\x7fELF not really a program\n", 1000)
	if err := os.WriteFile(exe, []byte(program), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range []struct{ goos, goarch string }{
		{goos: "linux", goarch: "amd64"}, {goos: "linux", goarch: "arm64"},
		{goos: "darwin", goarch: "amd64"}, {goos: "darwin", goarch: "arm64"},
		{goos: "windows", goarch: "amd64"}, {goos: "windows", goarch: "arm64"},
	} {
		t.Run(p.goos+"-"+p.goarch, func(t *testing.T) {
			platform, err := binwheel.Platform(p.goos, p.goarch)
			if err != nil {
				t.Fatal(err)
			}
			o := binwheel.Options{Name: "pyrelease", Version: "1.2.0.dev3+g956f550", Executable: exe,
				Script: binwheel.Script("pyrelease", p.goos), Platform: platform, Summary: "Release tools",
				Description: "# pyrelease\n", OutDir: t.TempDir(), Mtime: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
			w, err := binwheel.Write(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			info, err := wheel.Verify(ctx, w.Path, wheel.VerifyOptions{ForIndex: true, ExpectName: "pyrelease", ExpectVersion: "1.2.0.dev3+g956f550"})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(info.Warnings) > 0 {
				t.Errorf("warnings: %v", info.Warnings)
			}
			if info.SHA256 != w.SHA256 || info.Size != w.Size {
				t.Errorf("Write says %s %d; the file is %s %d", w.SHA256, w.Size, info.SHA256, info.Size)
			}
			script := "pyrelease-1.2.0.dev3+g956f550.data/scripts/" + o.Script
			checkMember(t, w.Path, script, program, 0o755)

			again, err := binwheel.Write(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if again.SHA256 != w.SHA256 {
				t.Errorf("a second write differs: %s, then %s", w.SHA256, again.SHA256)
			}
		})
	}
}

// checkMember finds name in the wheel with content and mode: installers
// keep the executable bit of a script only if the zip entry has it.
func checkMember(t *testing.T, path, name, content string, mode os.FileMode) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name != name {
			continue
		}
		if f.Mode().Perm() != mode {
			t.Errorf("%s: mode %v; want %v", name, f.Mode().Perm(), mode)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(data) != content {
			t.Errorf("%s: %d bytes, %v; want the program's %d", name, len(data), err, len(content))
		}
	}
	want := []string{name, "pyrelease-1.2.0.dev3+g956f550.dist-info/METADATA",
		"pyrelease-1.2.0.dev3+g956f550.dist-info/WHEEL", "pyrelease-1.2.0.dev3+g956f550.dist-info/RECORD"}
	if !slices.Equal(names, want) {
		t.Errorf("members %v; want %v", names, want)
	}
}

func TestWriteRefuses(t *testing.T) {
	good := binwheel.Options{Name: "pyrelease", Version: "1.0", Executable: "x", Script: "pyrelease",
		Platform: "win_amd64", OutDir: t.TempDir()}
	tests := map[string]struct {
		edit func(*binwheel.Options)
		want string
	}{
		"bad name":      {edit: func(o *binwheel.Options) { o.Name = "-py" }, want: `name "-py"`},
		"bad version":   {edit: func(o *binwheel.Options) { o.Version = "1.0-banana" }, want: `version "1.0-banana"`},
		"script path":   {edit: func(o *binwheel.Options) { o.Script = "bin/pyrelease" }, want: `script "bin/pyrelease"`},
		"no platform":   {edit: func(o *binwheel.Options) { o.Platform = "" }, want: `platform tag ""`},
		"dash platform": {edit: func(o *binwheel.Options) { o.Platform = "linux-x86_64" }, want: `platform tag "linux-x86_64"`},
		"summary lines": {edit: func(o *binwheel.Options) { o.Summary = "a\nb" }, want: "summary must be one line"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			_, err := binwheel.Write(context.Background(), o)
			if !errors.Is(err, binwheel.ErrOptions) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write: %v; want ErrOptions mentioning %s", err, tc.want)
			}
		})
	}
	t.Run("missing program", func(t *testing.T) {
		o := good
		o.Executable = filepath.Join(t.TempDir(), "nothing")
		_, err := binwheel.Write(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), "nothing") {
			t.Errorf("Write: %v; want an error naming the program", err)
		}
		if left, _ := filepath.Glob(filepath.Join(o.OutDir, "*")); len(left) > 0 {
			t.Errorf("left behind: %s", fmt.Sprint(left))
		}
	})
}

// A wheel with a second program installs both, each recorded in RECORD
// with its own hash.
func TestWriteMorePrograms(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "launcher"), filepath.Join(dir, "targets")
	os.WriteFile(first, []byte("\x7fELF the launcher\n"), 0o755)
	os.WriteFile(second, []byte("\x7fELF every target\n"), 0o755)
	ctx := context.Background()
	w, err := binwheel.Write(ctx, binwheel.Options{Name: "pyrelease", Version: "1.2.0", Executable: first, Script: "pyrelease",
		More: []binwheel.Program{{Executable: second, Script: "pyrelease-targets"}}, Platform: "manylinux_2_17_x86_64", OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wheel.Verify(ctx, w.Path, wheel.VerifyOptions{ForIndex: true, ExpectName: "pyrelease", ExpectVersion: "1.2.0"}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	zr, err := zip.OpenReader(w.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]string{}
	for _, f := range zr.File {
		if f.Mode().Perm() != 0o755 {
			continue
		}
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(data)
	}
	want := map[string]string{"pyrelease-1.2.0.data/scripts/pyrelease": "\x7fELF the launcher\n", "pyrelease-1.2.0.data/scripts/pyrelease-targets": "\x7fELF every target\n"}
	if !maps.Equal(got, want) {
		t.Errorf("executable members %q; want %q", got, want)
	}
	if _, err := binwheel.Write(ctx, binwheel.Options{Name: "pyrelease", Version: "1.2.0", Executable: first, Script: "pyrelease",
		More: []binwheel.Program{{Executable: second, Script: "bin/x"}}, Platform: "manylinux_2_17_x86_64", OutDir: t.TempDir()}); !errors.Is(err, binwheel.ErrOptions) {
		t.Errorf("a script name with a path: %v", err)
	}
}
