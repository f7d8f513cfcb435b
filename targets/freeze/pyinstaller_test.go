package freeze

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
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
		"script entry point is copied beside the launchers": {
			tool: Tool{Name: "run", EntryPoint: "scripts/run.py"},
			want: base("run", "/tmp/work/launch/run-launcher.py"),
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

// fakePyInstaller stands in for the build interpreter, pip and "python -m
// PyInstaller": it records the commands, answers the interpreter probe and
// writes, as the built binary, a script printing greet 2.0.
type fakePyInstaller struct {
	mu   sync.Mutex
	cmds [][]string
}

func (f *fakePyInstaller) run(_ context.Context, c run.Cmd) error {
	f.mu.Lock()
	f.cmds = append(f.cmds, append([]string{c.Name}, c.Args...))
	f.mu.Unlock()
	switch {
	case len(c.Args) == 2 && c.Args[1] == envProbe:
		_, err := io.WriteString(c.Stdout, `{"executable": "/usr/bin/python3.11", "version": "3.11.2 (main)", "outer_pip": true}`+"\n")
		return err
	case len(c.Args) < 2 || c.Args[1] != "PyInstaller":
		return nil // venv, pip and the import checks
	}
	name := c.Args[slices.Index(c.Args, "--name")+1]
	dist := c.Args[slices.Index(c.Args, "--distpath")+1]
	return os.WriteFile(filepath.Join(dist, name), []byte("#!/bin/sh\necho \"greet 2.0\"\n"), 0o755)
}

// commands returns the recorded commands that contain arg.
func (f *fakePyInstaller) commands(arg string) [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]string
	for _, c := range f.cmds {
		if slices.Contains(c, arg) {
			out = append(out, c)
		}
	}
	return out
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
	whl := filepath.Join(t.TempDir(), "greet-2.0-py3-none-any.whl")
	if err := os.WriteFile(whl, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	fake := &fakePyInstaller{}
	bins, err := Freeze(context.Background(), Options{
		Dir: dir, OutDir: "dist/bin", Python: "python3", Version: "2.0", WorkDir: work, Wheel: whl, CacheDir: t.TempDir(),
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
	for _, c := range fake.commands("PyInstaller") {
		names = append(names, c[slices.Index(c, "--name")+1])
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"greet_main", "helper"}) {
		t.Errorf("built names %q, want greet_main and helper", names)
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

// The freeze environment is a venv of the build interpreter, with the
// PyInstaller asked for, made once per interpreter, PyInstaller and
// project; later freezes reinstall only the wheel. PyInstaller runs in it,
// outside the project, with a fixed hash seed and the commit's time.
func TestFreezeEnvironmentCommands(t *testing.T) {
	testenv.Require(t, "sh")
	dir := t.TempDir()
	whl := filepath.Join(t.TempDir(), "greet-2.0-py3-none-any.whl")
	if err := os.WriteFile(whl, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	freeze := func() *fakePyInstaller {
		fake := &fakePyInstaller{}
		_, err := Freeze(context.Background(), Options{
			Dir: dir, OutDir: t.TempDir(), Python: "/usr/bin/python3", Version: "2.0", Wheel: whl, CacheDir: cache,
			PyInstaller: "pyinstaller>=6.10,<7", FindLinks: []string{"/wheels"}, Mtime: time.Unix(1700000000, 0),
			Tools:  []Tool{{Name: "greet", EntryPoint: "greet.cli:main"}},
			runner: fake.run,
		})
		if err != nil {
			t.Fatal(err)
		}
		return fake
	}
	first := freeze()
	venvs := first.commands("venv")
	if len(venvs) != 1 || !slices.Equal(venvs[0][:4], []string{"/usr/bin/python3", "-m", "venv", "--without-pip"}) {
		t.Fatalf("venv commands %q, want one --without-pip venv of the build interpreter", venvs)
	}
	env := venvs[0][4]
	if !strings.HasPrefix(filepath.Base(env), "greet-") || filepath.Dir(env) != cache {
		t.Errorf("venv made in %s, want a greet-* directory beside its final place in %s", env, cache)
	}
	pips := first.commands("pip")
	if len(pips) != 3 {
		t.Fatalf("pip commands %q, want PyInstaller, then the wheel, then its dependencies", pips)
	}
	final := filepath.Join(cache, filepath.Base(strings.Split(filepath.Base(env), ".tmp-")[0]))
	wantPip := [][]string{
		{"/usr/bin/python3", "-m", "pip", "--python", venvPython(env), "install", "--no-warn-script-location", "--find-links", "/wheels", "pyinstaller>=6.10,<7"},
		{"/usr/bin/python3", "-m", "pip", "--python", venvPython(final), "install", "--no-warn-script-location", "--find-links", "/wheels", "--force-reinstall", "--no-deps", whl},
		{"/usr/bin/python3", "-m", "pip", "--python", venvPython(final), "install", "--no-warn-script-location", "--find-links", "/wheels", whl},
	}
	for i := range wantPip {
		if !slices.Equal(pips[i], wantPip[i]) {
			t.Errorf("pip command %d:\n%q\nwant\n%q", i, pips[i], wantPip[i])
		}
	}
	if _, err := os.Stat(filepath.Join(final, envMark)); err != nil {
		t.Errorf("the freeze environment is not marked complete: %v", err)
	}
	builds := first.commands("PyInstaller")
	if len(builds) != 1 || builds[0][0] != venvPython(final) {
		t.Errorf("PyInstaller commands %q, want one run by the freeze environment's python", builds)
	}

	second := freeze()
	if got := second.commands("venv"); len(got) != 0 {
		t.Errorf("the second freeze made a venv again: %q", got)
	}
	for _, c := range second.commands("pip") {
		if slices.Contains(c, "pyinstaller>=6.10,<7") {
			t.Errorf("the second freeze installed PyInstaller again: %q", c)
		}
	}
}

func TestPyInstallerEnv(t *testing.T) {
	t.Setenv("PYTHONPATH", "/src")
	f := &freezer{o: Options{WorkDir: "/w", Mtime: time.Unix(1700000000, 0)}}
	env := f.pyInstallerEnv("greet")
	for _, want := range []string{"PYTHONHASHSEED=0", "SOURCE_DATE_EPOCH=1700000000", "PYINSTALLER_CONFIG_DIR=/w/config/greet"} {
		if !slices.Contains(env, want) {
			t.Errorf("environment lacks %s", want)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "PYTHONPATH=") {
			t.Errorf("environment keeps %s", kv)
		}
	}
}

func TestFreezePyInstallerNotInstallable(t *testing.T) {
	python := testenv.Python(t)
	p := newProject(t, "1.0")
	whl := filepath.Join(t.TempDir(), "greet-1.0-py3-none-any.whl")
	if err := os.WriteFile(whl, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	_, err := Freeze(context.Background(), Options{Dir: p.dir, OutDir: "bin", Python: python, Version: "1.0", Wheel: whl, CacheDir: cache,
		Offline: true, FindLinks: []string{t.TempDir()}, Tools: []Tool{{Name: "greet", EntryPoint: "greet:main"}}})
	if !errors.Is(err, ErrNoPyInstaller) || !strings.Contains(err.Error(), "zipapp") || !strings.Contains(err.Error(), DefaultPyInstaller) {
		t.Fatalf("Freeze = %v, want ErrNoPyInstaller naming the requirement and suggesting zipapp", err)
	}
	ents, _ := os.ReadDir(cache)
	for _, e := range ents {
		if e.IsDir() {
			t.Errorf("a failed creation left %s in the cache", e.Name())
		}
	}
}

func TestFreezePyInstallerNeedsWheel(t *testing.T) {
	_, err := Freeze(context.Background(), Options{Dir: t.TempDir(), OutDir: "bin", Version: "1.0", Tools: []Tool{{Name: "greet", EntryPoint: "greet:main"}}})
	if err == nil || !strings.Contains(err.Error(), "no wheel given") {
		t.Fatalf("Freeze = %v, want an error asking for the wheel", err)
	}
}

func TestFreezeRealPyInstaller(t *testing.T) {
	python := testenv.Python(t)
	wheelhouse := testenv.Wheelhouse(t)
	p := newProject(t, "3.1")
	p.buildWheel(t)
	out := t.TempDir()
	bins, err := Freeze(context.Background(), Options{Dir: p.dir, OutDir: out, Python: python, Version: "3.1", Wheel: p.wheel,
		CacheDir: t.TempDir(), Offline: true, FindLinks: []string{wheelhouse}, Stderr: testWriter{t}, Verbose: testing.Verbose(),
		Tools: []Tool{{Name: "greet", EntryPoint: "greet.cli:main"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bins) != 1 || bins[0].Path != filepath.Join(out, "greet") {
		t.Fatalf("Freeze = %+v", bins)
	}
	cmd := exec.Command(bins[0].Path)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + t.TempDir(), "HOME=" + cmd.Dir}
	if b, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(b)) != "hello" {
		t.Errorf("greet with an empty environment = %q, %v; want hello", b, err)
	}
}

func TestLockEnvWaitsForTheHolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock on Windows")
	}
	path := filepath.Join(t.TempDir(), "env.lock")
	unlock, err := lockEnv(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := lockEnv(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while held = %v, want it to wait until the context ends", err)
	}
	unlock()
	again, err := lockEnv(context.Background(), path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again()
}
