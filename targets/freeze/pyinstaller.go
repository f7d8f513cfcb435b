package freeze

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
// and spec files stay in o.WorkDir, and the generated launcher (or the
// tool's script) last. Relative paths are taken from o.Dir and made
// absolute, since PyInstaller resolves them from the spec directory.
// packageDirs (see PackageDirs) decides whether t builds as NAME_main.
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
	script := launcherPath(o.WorkDir, name)
	if e, err := parseEntryPoint(t.EntryPoint); err == nil && e.Script != "" {
		script = resolve(o.Dir, e.Script)
	}
	return append(args, script)
}

// freezePyInstaller builds t into o.OutDir and returns the binary's path.
func (f *freezer) freezePyInstaller(ctx context.Context, t Tool, e entry) (string, error) {
	name := buildName(t, f.packages)
	if e.Script == "" {
		if err := f.writeLauncher(launcherPath(f.o.WorkDir, name), t.Name, e); err != nil {
			return "", err
		}
	}
	if err := f.run(ctx, run.Cmd{Name: f.o.Python, Args: PyInstallerArgs(t, f.o, f.packages), Dir: f.o.WorkDir, Stdout: f.log(), Stderr: f.log()}); err != nil {
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

// havePyInstaller fails with ErrNoPyInstaller, and what to do, when the
// build interpreter cannot import PyInstaller.
func (f *freezer) havePyInstaller(ctx context.Context) error {
	err := f.run(ctx, run.Cmd{Name: f.o.Python, Args: []string{"-c", "import PyInstaller"}, Dir: f.o.WorkDir})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("freeze: %s cannot import PyInstaller (install it there with: %s -m pip install pyinstaller, or use the zipapp freezer for a pure-Python project): %w",
			f.o.Python, f.o.Python, ErrNoPyInstaller)
	}
	return err
}
