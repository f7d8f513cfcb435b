package freeze

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// mainSuffix renames a build whose tool is named like one of the project's
// packages. mitmproxy did the same for its mitmproxy binary: PyInstaller
// keeps the name for its spec, work directory and output, and one that
// matches a package collides with it on import and on disk.
const mainSuffix = "_main"

// buildName is the name PyInstaller builds t under.
func buildName(t Tool, packageDirs []string) string {
	for _, p := range packageDirs {
		if strings.EqualFold(p, t.Name) {
			return t.Name + mainSuffix
		}
	}
	return t.Name
}

// launcherPath is where the generated main script for t goes. The "-"
// makes it impossible to import, so it can never shadow a package.
func launcherPath(work, name string) string {
	return filepath.Join(work, "launch", name+"-launcher.py")
}

// PyInstallerArgs is the interpreter's command line that freezes t:
// -m PyInstaller with a one-file, clean, non-interactive build whose work
// and spec files stay in o.WorkDir, and the launcher last: the generated
// one, or a copy of the tool's script, so that the directory PyInstaller
// adds to the search path is never the project's. Relative paths are taken
// from o.Dir and made absolute, since PyInstaller resolves them from the
// spec directory. packageDirs (see PackageDirs) decides whether t builds
// as NAME_main.
func PyInstallerArgs(t Tool, o Options, packageDirs []string) []string {
	name := buildName(t, packageDirs)
	args := []string{
		"-m", "PyInstaller",
		"--onefile", "--clean", "--noconfirm",
		"--name", name,
		"--distpath", resolve(o.Dir, o.OutDir),
		"--workpath", filepath.Join(o.WorkDir, "build"),
		"--specpath", filepath.Join(o.WorkDir, "spec"),
	}
	for _, m := range t.Excludes {
		args = append(args, "--exclude-module", m)
	}
	if t.HooksDir != "" {
		args = append(args, "--additional-hooks-dir", resolve(o.Dir, t.HooksDir))
	}
	if t.Icon != "" {
		args = append(args, "--icon", resolve(o.Dir, t.Icon))
	}
	for _, d := range t.Data {
		if src, dest, ok := splitData(d); ok {
			d = resolve(o.Dir, src) + ":" + dest
		}
		args = append(args, "--add-data", d)
	}
	args = append(args, t.Args...)
	return append(args, launcherPath(o.WorkDir, name))
}

// pyInstallerEnv is the environment PyInstaller runs in: nothing that adds
// to its search path, a configuration and cache directory of its own per
// build (--clean empties it, which would break a build running beside it),
// a fixed hash seed and, with Mtime set, SOURCE_DATE_EPOCH: with both, two
// builds of one wheel in one freeze environment give the same bytes.
func (f *freezer) pyInstallerEnv(name string) []string {
	env := append(cleanEnv(os.Environ()),
		"PYTHONHASHSEED=0",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYINSTALLER_CONFIG_DIR="+filepath.Join(f.o.WorkDir, "config", name),
	)
	if !f.o.Mtime.IsZero() {
		env = append(env, "SOURCE_DATE_EPOCH="+strconv.FormatInt(f.o.Mtime.Unix(), 10))
	}
	return env
}

// jobs is how many PyInstaller builds run at once.
func (f *freezer) jobs() int {
	n := f.o.Jobs
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return max(1, min(n, len(f.o.Tools)))
}

// freezeAllPyInstaller prepares the freeze environment, then builds and
// smoke-tests the tools, up to jobs() at once.
func (f *freezer) freezeAllPyInstaller(ctx context.Context) ([]Binary, error) {
	env, err := f.prepareEnv(ctx)
	if err != nil {
		return nil, err
	}
	defer env.unlock()
	// An entry point that does not import fails here, in a second, with
	// Python's message, rather than in a binary after a minute of building.
	for _, t := range f.o.Tools {
		if e, _ := parseEntryPoint(t.EntryPoint); e.Script == "" {
			if err := f.checkImportWith(ctx, env.python, t, e, ""); err != nil {
				return nil, err
			}
		}
	}
	// The builds share their spec, work and output directories, which
	// PyInstaller creates with a check and then os.makedirs: two builds
	// starting together race, and the loser fails with FileExistsError.
	// They exist before any starts.
	for _, d := range []string{filepath.Join(f.o.WorkDir, "spec"), filepath.Join(f.o.WorkDir, "build"), resolve(f.o.Dir, f.o.OutDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("freeze: %w", err)
		}
	}
	bins := make([]Binary, len(f.o.Tools))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(f.jobs())
	f.logger().Info("running PyInstaller", "tools", len(f.o.Tools), "jobs", f.jobs())
	for i, t := range f.o.Tools {
		g.Go(func() error {
			start := time.Now()
			path, err := f.freezePyInstaller(gctx, env, t)
			if err != nil {
				return err
			}
			if st, err := os.Stat(path); err == nil {
				f.logger().Info("frozen", "tool", t.Name, "bytes", st.Size(), "seconds", secondsSince(start))
			}
			if !t.SkipSmoke {
				if err := f.smoke(gctx, t, path); err != nil {
					return err
				}
			}
			bins[i] = Binary{Tool: t.Name, Path: path}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return bins, nil
}

// freezePyInstaller builds t into o.OutDir with env's PyInstaller and
// returns the binary's path.
func (f *freezer) freezePyInstaller(ctx context.Context, env *freezeEnv, t Tool) (string, error) {
	name := buildName(t, f.packages)
	launcher := launcherPath(f.o.WorkDir, name)
	if e, _ := parseEntryPoint(t.EntryPoint); e.Script != "" {
		if err := atomicfile.Copy(resolve(f.o.Dir, e.Script), launcher, 0o644); err != nil {
			return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
		}
	} else if err := f.writeLauncher(launcher, t.Name, e); err != nil {
		return "", err
	}
	// The current directory is on python -m's search path: an empty one.
	cwd := filepath.Join(f.o.WorkDir, "cwd", name)
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
	}
	out := f.log()
	if out != nil {
		out = &prefixWriter{w: f.o.Stderr, prefix: t.Name + ": "}
	}
	err := f.run(ctx, run.Cmd{Name: env.python, Args: PyInstallerArgs(t, f.o, f.packages), Dir: cwd, Env: f.pyInstallerEnv(name), Stdout: out, Stderr: out})
	if err != nil {
		return "", fmt.Errorf("freeze: %s: PyInstaller failed: %w", t.Name, err)
	}
	built := filepath.Join(f.o.OutDir, f.exe(name))
	final := filepath.Join(f.o.OutDir, f.exe(t.Name))
	if _, err := os.Stat(built); err != nil {
		return "", fmt.Errorf("freeze: %s: PyInstaller succeeded but wrote no %s: %w", t.Name, built, err)
	}
	if built != final {
		if err := os.Rename(built, final); err != nil {
			return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
		}
	}
	return final, nil
}

// prefixWriter writes each line with a prefix, so the output of builds
// running side by side can be told apart. Lines of one writer stay whole;
// writers that share w take turns by line.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	part   []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.part = append(p.part, b...)
	for {
		i := bytes.IndexByte(p.part, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(p.prefix), p.part[:i+1]...)
		p.part = p.part[i+1:]
		if _, err := p.w.Write(line); err != nil {
			return len(b), err
		}
	}
	return len(b), nil
}
