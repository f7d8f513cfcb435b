package freeze

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/testenv"
)

func TestPyInstallerArgs(t *testing.T) {
	o := Options{Dir: "/src/proj", OutDir: "dist/bin", WorkDir: "/tmp/work"}
	base := func(name, script string, extra ...string) []string {
		args := []string{"-m", "PyInstaller", "--onefile", "--clean", "--noconfirm", "--name", name,
			"--distpath", "/src/proj/dist/bin", "--workpath", "/tmp/work/build", "--specpath", "/tmp/work/spec"}
		return append(append(args, extra...), script)
	}
	tests := map[string]struct {
		tool     Tool
		opts     *Options
		packages []string
		want     []string
	}{
		"plain": {
			tool: Tool{Name: "greet", EntryPoint: "greet.cli:main"},
			want: base("greet", "/tmp/work/launch/greet-launcher.py"),
		},
		"name clashes with a package": {
			tool:     Tool{Name: "mitmproxy", EntryPoint: "mitmproxy.tools.main:mitmproxy"},
			packages: []string{"examples", "mitmproxy"},
			want:     base("mitmproxy_main", "/tmp/work/launch/mitmproxy_main-launcher.py"),
		},
		"clash ignores case": {
			tool:     Tool{Name: "Greet", EntryPoint: "greet:main"},
			packages: []string{"greet"},
			want:     base("Greet_main", "/tmp/work/launch/Greet_main-launcher.py"),
		},
		"other packages do not rename": {
			tool:     Tool{Name: "mitmdump", EntryPoint: "mitmproxy.tools.main:mitmdump"},
			packages: []string{"mitmproxy"},
			want:     base("mitmdump", "/tmp/work/launch/mitmdump-launcher.py"),
		},
		"excludes hooks icon data args": {
			tool: Tool{Name: "greet", EntryPoint: "greet:main", Excludes: []string{"tkinter", "test"}, HooksDir: "hooks",
				Icon: "/abs/icon.ico", Data: []string{"assets:assets", "README.md:."}, Args: []string{"--strip", "--log-level=WARN"}},
			want: base("greet", "/tmp/work/launch/greet-launcher.py",
				"--exclude-module", "tkinter", "--exclude-module", "test",
				"--additional-hooks-dir", "/src/proj/hooks", "--icon", "/abs/icon.ico",
				"--add-data", "/src/proj/assets:assets", "--add-data", "/src/proj/README.md:.",
				"--strip", "--log-level=WARN"),
		},
		"script entry point": {
			tool: Tool{Name: "run", EntryPoint: "scripts/run.py"},
			want: base("run", "/src/proj/scripts/run.py"),
		},
		"absolute out dir": {
			tool: Tool{Name: "greet", EntryPoint: "greet:main"},
			opts: &Options{Dir: "/src/proj", OutDir: "/out", WorkDir: "/tmp/w2"},
			want: []string{"-m", "PyInstaller", "--onefile", "--clean", "--noconfirm", "--name", "greet",
				"--distpath", "/out", "--workpath", "/tmp/w2/build", "--specpath", "/tmp/w2/spec", "/tmp/w2/launch/greet-launcher.py"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			opts := o
			if tc.opts != nil {
				opts = *tc.opts
			}
			got := PyInstallerArgs(tc.tool, opts, tc.packages)
			if !slices.Equal(got, tc.want) {
				t.Errorf("PyInstallerArgs =\n%q\nwant\n%q", got, tc.want)
			}
			for i, a := range got {
				if (a == "--workpath" || a == "--specpath") && !inside(opts.WorkDir, got[i+1]) {
					t.Errorf("%s %s is outside the work directory", a, got[i+1])
				}
			}
		})
	}
}

// fakePyInstaller stands in for "python -m PyInstaller": it records the
// command and writes, as the built binary, a script printing greet 2.0.
type fakePyInstaller struct{ cmds [][]string }

func (f *fakePyInstaller) run(_ context.Context, c run.Cmd) error {
	f.cmds = append(f.cmds, c.Args)
	if len(c.Args) < 2 || c.Args[1] != "PyInstaller" {
		return nil // the import probes
	}
	name := c.Args[slices.Index(c.Args, "--name")+1]
	dist := c.Args[slices.Index(c.Args, "--distpath")+1]
	return os.WriteFile(filepath.Join(dist, name), []byte("#!/bin/sh\necho \"greet 2.0\"\n"), 0o755)
}

func TestFreezePyInstallerRenamesClashingBuild(t *testing.T) {
	testenv.Require(t, "sh")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src", "greet"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "greet", "__init__.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	fake := &fakePyInstaller{}
	bins, err := Freeze(context.Background(), Options{
		Dir: dir, OutDir: "dist/bin", Python: "python3", Version: "2.0", WorkDir: work,
		Tools:  []Tool{{Name: "greet", EntryPoint: "greet.cli:main"}, {Name: "helper", EntryPoint: "greet.cli:helper"}},
		runner: fake.run,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Binary{{Tool: "greet", Path: filepath.Join(dir, "dist/bin/greet")}, {Tool: "helper", Path: filepath.Join(dir, "dist/bin/helper")}}
	if !slices.Equal(bins, want) {
		t.Errorf("Freeze = %+v, want %+v", bins, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist/bin/greet_main")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("greet_main was not renamed: %v", err)
	}
	var names []string
	for _, c := range fake.cmds {
		if i := slices.Index(c, "--name"); i >= 0 {
			names = append(names, c[i+1])
		}
	}
	if !slices.Equal(names, []string{"greet_main", "helper"}) {
		t.Errorf("built names %q, want greet_main then helper", names)
	}
	src, err := os.ReadFile(filepath.Join(work, "launch", "greet_main-launcher.py"))
	if err != nil || !strings.Contains(string(src), "from greet.cli import main as _entry") {
		t.Errorf("launcher: %v\n%s", err, src)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "src" && e.Name() != "dist" {
			t.Errorf("the build left %s in the project", e.Name())
		}
	}
}

func TestFreezePyInstallerMissing(t *testing.T) {
	python := testenv.Python(t)
	if exec.Command(python, "-c", "import PyInstaller").Run() == nil {
		t.Skipf("%s has PyInstaller", python)
	}
	_, err := Freeze(context.Background(), Options{Dir: t.TempDir(), OutDir: "bin", Python: python, Version: "1.0",
		Tools: []Tool{{Name: "greet", EntryPoint: "greet:main"}}})
	if !errors.Is(err, ErrNoPyInstaller) || !strings.Contains(err.Error(), "zipapp") {
		t.Fatalf("Freeze = %v, want ErrNoPyInstaller suggesting zipapp", err)
	}
}

func TestFreezeRealPyInstaller(t *testing.T) {
	python := testenv.Python(t)
	if out, err := exec.Command(python, "-c", "import PyInstaller").CombinedOutput(); err != nil {
		// PyInstaller cannot be installed on these machines; this is the
		// one test allowed to skip under CI.
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Skipf("skipping the real PyInstaller build: %s cannot import PyInstaller: %s", python, lines[len(lines)-1])
	}
	p := newProject(t, "3.1")
	out := t.TempDir()
	bins, err := Freeze(context.Background(), Options{Dir: p.dir, OutDir: out, Python: python, Version: "3.1",
		Tools: []Tool{{Name: "greet", EntryPoint: "greet.cli:main"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bins) != 1 || bins[0].Path != filepath.Join(out, "greet") {
		t.Fatalf("Freeze = %+v", bins)
	}
}
