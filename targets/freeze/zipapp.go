package freeze

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// zipappShebang is the archive's interpreter line: whatever python3 the
// user's PATH has, since a zipapp carries no interpreter.
const zipappShebang = "/usr/bin/env python3"

// siteDir is the work directory's copy of what every archive contains.
func (f *freezer) siteDir() string { return filepath.Join(f.o.WorkDir, "site") }

// prepareSite fills siteDir once: the wheel installed with its
// dependencies, or the project's import packages copied from the source.
// Dependencies come from where the user's pip gets them (or, offline, from
// FindLinks only), as for the smoke test of the wheel.
func (f *freezer) prepareSite(ctx context.Context) error {
	site := f.siteDir()
	if f.o.Wheel == "" {
		return f.copyPackages(site)
	}
	if _, err := os.Stat(f.o.Wheel); err != nil {
		return fmt.Errorf("freeze: wheel: %w", err)
	}
	args := []string{"-m", "pip", "install", "--no-compile", "--target", site}
	env := pyenv.InstallEnv(os.Environ())
	if f.o.Offline {
		args = append(args, "--no-index")
		env = pyenv.PipEnv(os.Environ())
	}
	for _, l := range f.o.FindLinks {
		args = append(args, "--find-links", l)
	}
	err := f.run(ctx, run.Cmd{
		Name: f.o.Python,
		Args: append(args, pyenv.WithExtras(f.o.Wheel, f.o.Extras)),
		Dir:  f.o.WorkDir,
		Env:  env,
		// pip's progress goes to the log only when verbose.
		Stdout: f.log(), Stderr: f.log(),
	})
	if err != nil {
		return fmt.Errorf("freeze: pip could not install %s with its dependencies into the zipapp: %w", filepath.Base(f.o.Wheel), err)
	}
	// Console-script wrappers point at pip's interpreter; the archive's
	// __main__.py replaces them.
	if err := os.RemoveAll(filepath.Join(site, "bin")); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	return pureSite(site)
}

// pureSite removes the extension modules that have a pure-Python twin
// beside them (charset-normalizer ships both: Python then uses the .py, as
// a zipapp must), and refuses the rest: a zipapp cannot load compiled code,
// and the tool would fail on the first import of it.
func pureSite(site string) error {
	var compiled []string
	err := filepath.WalkDir(site, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".so") && !strings.HasSuffix(name, ".pyd") {
			return nil
		}
		stem, _, _ := strings.Cut(name, ".")
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), stem+".py")); err == nil {
			return os.Remove(path)
		}
		rel, _ := filepath.Rel(site, path)
		compiled = append(compiled, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	if len(compiled) > 0 {
		return fmt.Errorf("freeze: zipapp: %s: compiled code without a pure-Python fallback, which a zipapp cannot load; freeze with freezer = \"pyinstaller\" in [tool.pyrelease.bdist]: %w", strings.Join(compiled, ", "), ErrFreezer)
	}
	return nil
}

// copyPackages copies the project's import packages, without bytecode.
func (f *freezer) copyPackages(site string) error {
	if len(f.packages) == 0 {
		return fmt.Errorf("freeze: %s has no import package (a directory with __init__.py, at the top or in src/) to put in the zipapp; give a wheel instead", f.o.Dir)
	}
	for _, p := range f.packages {
		src := filepath.Join(f.o.Dir, p)
		if _, err := os.Stat(filepath.Join(src, "__init__.py")); err != nil {
			src = filepath.Join(f.o.Dir, "src", p)
		}
		if err := copyTree(src, filepath.Join(site, p)); err != nil {
			return fmt.Errorf("freeze: copying package %s: %w", p, err)
		}
	}
	return nil
}

// freezeZipapp writes the archive for t and returns its path.
func (f *freezer) freezeZipapp(ctx context.Context, t Tool, e entry) (string, error) {
	app := filepath.Join(f.o.WorkDir, "tools", t.Name, "app")
	if err := copyTree(f.siteDir(), app); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
	}
	main := filepath.Join(app, "__main__.py")
	if e.Script != "" {
		if err := atomicfile.Copy(resolve(f.o.Dir, e.Script), main, 0o644); err != nil {
			return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
		}
	} else {
		if err := f.checkImport(ctx, t, e, app); err != nil {
			return "", err
		}
		if err := f.writeLauncher(main, t.Name, e); err != nil {
			return "", err
		}
	}
	if err := normalizeTree(app, f.o.Mtime); err != nil {
		return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
	}
	out := filepath.Join(f.o.OutDir, zipappName(f.o.GOOS, t.Name))
	err := f.run(ctx, run.Cmd{
		Name:   f.o.Python,
		Args:   []string{"-m", "zipapp", app, "-o", out, "-p", zipappShebang, "-c"},
		Dir:    f.o.WorkDir,
		Stdout: f.log(), Stderr: f.log(),
	})
	if err != nil {
		return "", fmt.Errorf("freeze: %s: zipapp failed: %w", t.Name, err)
	}
	if err := os.Chmod(out, 0o755); err != nil {
		return "", fmt.Errorf("freeze: %s: %w", t.Name, err)
	}
	return out, nil
}

// zipappName is the file name of a tool's zipapp on goos. Windows runs
// an archive by its extension, through the .pyz association of the Python
// launcher (py), where other systems read its #! line.
func zipappName(goos, tool string) string {
	if goos == "windows" {
		return tool + ".pyz"
	}
	return tool
}

// copyTree copies the regular files and directories under src to dst,
// leaving out bytecode caches.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && d.Name() == "__pycache__":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".pyc"):
			return nil
		}
		return atomicfile.Copy(path, target, 0o644)
	})
}

// normalizeTree makes a zipapp's input reproducible: zipapp stores entries
// in sorted order with their file times, so bytecode caches (written by the
// import check) are removed and, when mtime is set, every time is set to it.
func normalizeTree(root string, mtime time.Time) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			if err := os.RemoveAll(path); err != nil {
				return err
			}
			return filepath.SkipDir
		}
		if d.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		if mtime.IsZero() {
			return nil
		}
		return os.Chtimes(path, mtime, mtime)
	})
	if err != nil || mtime.IsZero() {
		return err
	}
	for _, d := range dirs {
		if err := os.Chtimes(d, mtime, mtime); err != nil {
			return err
		}
	}
	return nil
}
