package installer

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestMakeselfArgs(t *testing.T) {
	got := makeselfArgs("greet 1.0 installer", "payload", "greet.run", "help.txt", time.Unix(1700000000, 0))
	want := []string{
		"--quiet", "--nox11", "--nowait", "--noprogress",
		"--packaging-date", "Tue Nov 14 22:13:20 UTC 2023",
		"--help-header", "help.txt",
		"--tar-extra", "--mtime=@1700000000 --owner=0 --group=0 --numeric-owner --sort=name",
		"payload", "greet.run", "greet 1.0 installer", "./install.sh",
	}
	if !slices.Equal(got, want) {
		t.Errorf("makeselfArgs =\n%q\nwant\n%q", got, want)
	}
}

// TestInstallScript runs the generated script directly, without makeself,
// to check its argument handling and where it installs.
func TestInstallScript(t *testing.T) {
	testenv.Require(t, "sh")
	tests := map[string]struct {
		args    func(dir string) []string
		home    bool
		wantDir func(dir string) string // where bin/ should appear; "" = failure expected
	}{
		"prefix":          {args: func(d string) []string { return []string{"--prefix", d + "/p"} }, wantDir: func(d string) string { return d + "/p" }},
		"prefix equals":   {args: func(d string) []string { return []string{"--prefix=" + d + "/q"} }, wantDir: func(d string) string { return d + "/q" }},
		"default is home": {args: func(string) []string { return nil }, home: true, wantDir: func(d string) string { return d + "/home/.local" }},
		"relative prefix": {args: func(string) []string { return []string{"--prefix", "rel"} }, wantDir: func(d string) string { return d + "/user/rel" }},
		"no home":         {args: func(string) []string { return nil }, wantDir: func(string) string { return "" }},
		"unknown flag":    {args: func(string) []string { return []string{"--bogus"} }, wantDir: func(string) string { return "" }},
		"prefix no value": {args: func(string) []string { return []string{"--prefix"} }, wantDir: func(string) string { return "" }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			payload := filepath.Join(dir, "payload")
			os.MkdirAll(filepath.Join(payload, "bin"), 0o755)
			os.MkdirAll(filepath.Join(dir, "user"), 0o755)
			fakeTool(t, filepath.Join(payload, "bin"), "greet", "1.0")
			fakeTool(t, filepath.Join(payload, "bin"), "it's", "1.0")
			script := InstallScript(`gr"e$et`, "1.0", "greet-1.0-linux-x86_64-installer.run", []string{"greet", "it's"})
			if err := os.WriteFile(filepath.Join(payload, "install.sh"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", append([]string{"./install.sh"}, tc.args(dir)...)...)
			cmd.Dir = payload
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "USER_PWD=" + filepath.Join(dir, "user")}
			if tc.home {
				cmd.Env = append(cmd.Env, "HOME="+filepath.Join(dir, "home"))
			}
			out, err := cmd.CombinedOutput()
			want := tc.wantDir(dir)
			if want == "" {
				if err == nil {
					t.Fatalf("install.sh succeeded, want failure; output:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("install.sh: %v\n%s", err, out)
			}
			for _, tool := range []string{"greet", "it's"} {
				st, err := os.Stat(filepath.Join(want, "bin", tool))
				if err != nil {
					t.Fatalf("tool not installed: %v\n%s", err, out)
				}
				if st.Mode().Perm() != 0o755 {
					t.Errorf("%s mode = %v, want 0755", tool, st.Mode().Perm())
				}
			}
		})
	}
}

func buildRunFixture(t *testing.T, version string, epoch time.Time) (string, Options) {
	t.Helper()
	testenv.Require(t, "makeself")
	src := t.TempDir()
	o := Options{
		Project:  "greet",
		Version:  "1.2.0",
		Platform: "linux-x86_64",
		Binaries: []string{fakeTool(t, src, "greet", version), fakeTool(t, src, "greet-admin", version)},
		OutDir:   filepath.Join(t.TempDir(), "dist"),
		WorkDir:  t.TempDir(),
		Epoch:    epoch,
	}
	path, err := Build(t.Context(), o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return path, o
}

func TestBuildRunAndSmoke(t *testing.T) {
	path, o := buildRunFixture(t, "1.2.0", time.Unix(1700000000, 0))
	if want := filepath.Join(o.OutDir, "greet-1.2.0-linux-x86_64-installer.run"); path != want {
		t.Fatalf("Build = %s, want %s", path, want)
	}
	if err := SmokeRun(t.Context(), path, Checks("greet", "greet-admin"), "1.2.0"); err != nil {
		t.Fatalf("SmokeRun: %v", err)
	}
	// A tool that is not in the installer fails the smoke test too.
	err := SmokeRun(t.Context(), path, Checks("greet", "nope"), "1.2.0")
	var se *SmokeError
	if !errors.As(err, &se) || se.Tool != "nope" || se.Err == nil {
		t.Fatalf("SmokeRun with a missing tool = %v, want a SmokeError for nope", err)
	}
}

// TestRunInstallerHelp runs a real .run installer as its help tells a
// user to: --help must show how install options are passed (after --,
// which makeself needs), and each form it shows must work. Without the --,
// makeself itself refuses --prefix.
func TestRunInstallerHelp(t *testing.T) {
	path, _ := buildRunFixture(t, "1.2.0", time.Unix(1700000000, 0))
	name := filepath.Base(path)
	dir := filepath.Dir(path)
	run := func(args ...string) (string, error) {
		cmd := exec.Command("./"+name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	help, err := run("--help")
	if err != nil {
		t.Fatalf("%s --help: %v\n%s", name, err, help)
	}
	t.Logf("%s --help:\n%s", name, help)
	// Every line of the help that runs the installer with -- is a form a
	// user copies: run each with DIR filled in.
	var forms []string
	for l := range strings.SplitSeq(help, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "./"+name+" ") && strings.Contains(l, " -- ") {
			forms = append(forms, l)
		}
	}
	if !slices.Contains(forms, "./"+name+" -- --prefix DIR") {
		t.Fatalf("%s --help does not show ./%s -- --prefix DIR; it prints:\n%s", name, name, help)
	}
	for _, form := range forms {
		prefix := t.TempDir()
		args := strings.Fields(strings.ReplaceAll(form, "DIR", prefix))[1:]
		out, err := run(args...)
		if err != nil {
			t.Errorf("%s: %v\n%s", form, err, out)
			continue
		}
		if slices.Contains(args, "--help") {
			if !strings.Contains(out, "usage: ./"+name+" [--quiet] -- [--prefix DIR]") {
				t.Errorf("%s: the install script's usage does not show the form with --:\n%s", form, out)
			}
			continue
		}
		for _, tool := range []string{"greet", "greet-admin"} {
			if _, err := os.Stat(filepath.Join(prefix, "bin", tool)); err != nil {
				t.Errorf("%s: %s not installed into %s/bin: %v\n%s", form, tool, prefix, err, out)
			}
		}
	}
	// The form without -- is what makeself refuses.
	prefix := t.TempDir()
	out, err := run("--prefix", prefix)
	if err == nil || !strings.Contains(out, "Unrecognized flag : --prefix") {
		t.Errorf("./%s --prefix DIR: %v, want makeself's Unrecognized flag error\n%s", name, err, out)
	}
	if _, err := os.Stat(filepath.Join(prefix, "bin")); err == nil {
		t.Errorf("./%s --prefix DIR installed something", name)
	}
}

func TestSmokeRunWrongVersion(t *testing.T) {
	path, _ := buildRunFixture(t, "1.1.9", time.Unix(1700000000, 0))
	err := SmokeRun(t.Context(), path, Checks("greet"), "1.2.0")
	var se *SmokeError
	if !errors.Is(err, ErrSmoke) || !errors.As(err, &se) {
		t.Fatalf("SmokeRun = %v, want a SmokeError", err)
	}
	if se.Tool != "greet" || se.Err != nil || !strings.Contains(se.Output, "greet 1.1.9") {
		t.Errorf("SmokeError = %+v, want tool greet, no command error, output with greet 1.1.9", se)
	}
	if !strings.Contains(err.Error(), "greet 1.1.9") {
		t.Errorf("error %q does not show the tool's output", err)
	}
}

func TestBuildRunReproducible(t *testing.T) {
	a, _ := buildRunFixture(t, "1.2.0", time.Unix(1700000000, 0))
	b, _ := buildRunFixture(t, "1.2.0", time.Unix(1700000000, 0))
	c, _ := buildRunFixture(t, "1.2.0", time.Unix(1700000001, 0))
	read := func(p string) []byte {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if !bytes.Equal(read(a), read(b)) {
		t.Error("two builds of the same input at the same epoch differ")
	}
	if bytes.Equal(read(a), read(c)) {
		t.Error("builds at different epochs are identical: the epoch is not recorded")
	}
}
