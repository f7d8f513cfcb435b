package freeze

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// DefaultPyInstaller is what pip installs into a freeze environment when
// the project pins no PyInstaller: the release pyrelease is tested with.
const DefaultPyInstaller = "pyinstaller==6.22.3"

// envMark is written last into a freeze environment: a directory without
// it is one whose creation did not finish, and is made again.
const envMark = ".complete"

// envProbe prints what a freeze environment's cache key is made of, and
// whether this interpreter's pip can install into another one (pip 22.3
// added --python).
const envProbe = `import json, os, sys
try:
    import pip
    v = tuple(int(x) for x in pip.__version__.split(".")[:2])
    outer = v >= (22, 3)
except Exception:
    outer = False
print(json.dumps({"executable": os.path.realpath(sys.executable), "version": sys.version, "outer_pip": outer}))
`

// interpreter is what envProbe reports.
type interpreter struct {
	Executable string `json:"executable"`
	Version    string `json:"version"`
	OuterPip   bool   `json:"outer_pip"`
}

// freezeEnv is the virtual environment PyInstaller runs in: PyInstaller
// and the project's wheel with its dependencies, and nothing of the build
// machine's interpreter or of the source tree.
type freezeEnv struct {
	dir    string // the venv
	python string // its interpreter
	// pip is the command line prefix that runs pip against the venv: the
	// build interpreter's pip with --python, or the venv's own.
	pip    []string
	pipCmd string
	unlock func() // ends this freeze's hold on it
}

// cacheRoot is where freeze environments are kept between runs.
func (f *freezer) cacheRoot() string {
	if f.o.CacheDir != "" {
		return f.o.CacheDir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "pyrelease", "freeze")
	}
	return filepath.Join(os.TempDir(), "pyrelease-cache", "freeze")
}

// venvPython is the interpreter of the venv in dir on this machine.
func venvPython(dir string) string { return venvPythonFor(runtime.GOOS, dir) }

// venvPythonFor is venvPython for a venv made on goos.
func venvPythonFor(goos, dir string) string {
	if goos == "windows" {
		return filepath.Join(dir, "Scripts", "python.exe")
	}
	return filepath.Join(dir, "bin", "python")
}

// envKey names the freeze environment of one interpreter (its real path
// and version), one PyInstaller requirement and one project, so that
// projects never see each other's dependencies and a new Python or
// PyInstaller gets a new environment.
func envKey(in interpreter, requirement, project string) string {
	h := sha256.Sum256([]byte(in.Executable + "\n" + in.Version + "\n" + requirement + "\n" + project))
	return project + "-" + hex.EncodeToString(h[:6])
}

// prepareEnv returns the freeze environment for this build: the cached one
// for the build interpreter, the PyInstaller requirement and the project,
// created when missing, with this build's wheel installed into it, and held
// until its unlock is called. A second freeze reuses it and reinstalls only
// the wheel, so PyInstaller and the dependencies are downloaded once. Where
// packages come from is the user's pip configuration (PIP_INDEX_URL,
// pip.conf, PIP_FIND_LINKS), or with Offline only FindLinks, as for the
// smoke test of the wheel.
func (f *freezer) prepareEnv(ctx context.Context) (*freezeEnv, error) {
	if f.o.Wheel == "" {
		return nil, errors.New("freeze: PyInstaller freezes the project's wheel: no wheel given")
	}
	if _, err := os.Stat(f.o.Wheel); err != nil {
		return nil, fmt.Errorf("freeze: wheel: %w", err)
	}
	var out bytes.Buffer
	if err := f.run(ctx, run.Cmd{Name: f.o.Python, Args: []string{"-c", envProbe}, Dir: f.o.WorkDir, Stdout: &out}); err != nil {
		return nil, fmt.Errorf("freeze: cannot run the build interpreter %s: %w", f.o.Python, err)
	}
	var in interpreter
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &in); err != nil || in.Executable == "" {
		return nil, fmt.Errorf("freeze: %s: unexpected answer to the interpreter probe: %q", f.o.Python, out.String())
	}
	root := f.cacheRoot()
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("freeze: freeze environment cache: %w", err)
	}
	project, _, _ := strings.Cut(filepath.Base(f.o.Wheel), "-")
	dir := filepath.Join(root, envKey(in, f.o.PyInstaller, strings.ToLower(project)))
	unlock, err := lockEnv(ctx, dir+".lock")
	if err != nil {
		return nil, err
	}
	env := &freezeEnv{dir: dir, python: venvPython(dir), unlock: unlock}
	ok := false
	defer func() {
		if !ok {
			unlock()
		}
	}()
	start := time.Now()
	if _, err := os.Stat(filepath.Join(dir, envMark)); err == nil {
		env.setPip(f.o.Python, in.OuterPip)
		f.logger().Info("reusing the freeze environment", "dir", dir, "pyinstaller", f.o.PyInstaller)
	} else if err := f.createEnv(ctx, env, in); err != nil {
		return nil, err
	} else {
		f.logger().Info("created the freeze environment", "dir", dir, "pyinstaller", f.o.PyInstaller, "seconds", secondsSince(start))
	}
	// This build's wheel replaces whatever build of the project the
	// environment had, even one with the same version; its dependencies are
	// installed only when missing.
	if err := f.pip(ctx, env, "--force-reinstall", "--no-deps", f.o.Wheel); err != nil {
		return nil, fmt.Errorf("freeze: pip could not install %s into the freeze environment %s: %w", filepath.Base(f.o.Wheel), dir, err)
	}
	if err := f.pip(ctx, env, pyenv.WithExtras(f.o.Wheel, f.o.Extras)); err != nil {
		return nil, fmt.Errorf("freeze: pip could not install the dependencies of %s into the freeze environment %s: %w", filepath.Base(f.o.Wheel), dir, err)
	}
	ok = true
	return env, nil
}

// createEnv builds env.dir beside its final place and renames it there once
// complete, so an interrupted creation leaves no environment that looks
// usable; a leftover without the mark is removed first, and so are the
// folders of creations that were killed: with the environment's lock held,
// no other creation of it is under way.
func (f *freezer) createEnv(ctx context.Context, env *freezeEnv, in interpreter) error {
	if _, err := os.Stat(env.dir); err == nil {
		if err := os.RemoveAll(env.dir); err != nil {
			return fmt.Errorf("freeze: removing an incomplete freeze environment: %w", err)
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(env.dir))
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), filepath.Base(env.dir)+".tmp-") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(filepath.Dir(env.dir), e.Name())); err != nil {
			return fmt.Errorf("freeze: removing what a killed creation of the freeze environment left: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(env.dir), filepath.Base(env.dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	args := []string{"-m", "venv", tmp}
	if in.OuterPip {
		args = []string{"-m", "venv", "--without-pip", tmp} // seeding pip takes seconds; the outer pip installs instead
	}
	if err := f.run(ctx, run.Cmd{Name: f.o.Python, Args: args, Dir: f.o.WorkDir, Stdout: f.log(), Stderr: f.log()}); err != nil {
		return fmt.Errorf("freeze: cannot create the freeze environment with %s: %w", f.o.Python, err)
	}
	building := &freezeEnv{dir: tmp, python: venvPython(tmp)}
	building.setPip(f.o.Python, in.OuterPip)
	if err := f.pip(ctx, building, f.o.PyInstaller); err != nil {
		return fmt.Errorf("freeze: pip could not install %s into the freeze environment (pin another with pyinstaller = \"VERSION\" in [tool.pyrelease.bdist], or use freezer = \"zipapp\" for a pure-Python project): %w: %w", f.o.PyInstaller, ErrNoPyInstaller, err)
	}
	mark := fmt.Sprintf("python %s\n%s\n%s\n", in.Executable, strings.ReplaceAll(in.Version, "\n", " "), f.o.PyInstaller)
	if err := os.WriteFile(filepath.Join(tmp, envMark), []byte(mark), 0o644); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	if err := os.Rename(tmp, env.dir); err != nil {
		// Another freeze of the same project made it meanwhile: use theirs.
		if _, serr := os.Stat(filepath.Join(env.dir, envMark)); serr != nil {
			return fmt.Errorf("freeze: %w", err)
		}
	}
	env.setPip(f.o.Python, in.OuterPip)
	return nil
}

// setPip chooses how pip runs against the environment.
func (e *freezeEnv) setPip(python string, outer bool) {
	if outer {
		e.pipCmd, e.pip = python, []string{"-m", "pip", "--python", e.python}
		return
	}
	e.pipCmd, e.pip = e.python, []string{"-m", "pip"}
}

// pip runs pip install what into env, from where the user's pip settings
// say (or, offline, FindLinks only).
func (f *freezer) pip(ctx context.Context, env *freezeEnv, what ...string) error {
	args := append(append([]string(nil), env.pip...), "install", "--no-warn-script-location")
	penv := pyenv.InstallEnv(os.Environ())
	if f.o.Offline {
		args = append(args, "--no-index")
		penv = pyenv.PipEnv(os.Environ())
	}
	for _, l := range f.o.FindLinks {
		args = append(args, "--find-links", l)
	}
	return f.run(ctx, run.Cmd{Name: env.pipCmd, Args: append(args, what...), Dir: f.o.WorkDir, Env: cleanEnv(penv),
		Stdout: f.log(), Stderr: f.log()})
}

func secondsSince(t time.Time) string {
	return fmt.Sprintf("%.1f", time.Since(t).Seconds())
}
