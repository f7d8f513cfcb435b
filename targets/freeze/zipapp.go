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

// prepareSite fills siteDir once: the wheel installed without
// dependencies, or the project's import packages copied from the source.
func (f *freezer) prepareSite(ctx context.Context) error {
	site := f.siteDir()
	if f.o.Wheel == "" {
		return f.copyPackages(site)
	}
	if _, err := os.Stat(f.o.Wheel); err != nil {
		return fmt.Errorf("freeze: wheel: %w", err)
	}
	err := f.run(ctx, run.Cmd{
		Name: f.o.Python,
		Args: []string{"-m", "pip", "install", "--no-deps", "--no-index", "--no-compile", "--target", site, f.o.Wheel},
		Dir:  f.o.WorkDir,
		Env:  pyenv.PipEnv(os.Environ()),
		// pip's progress goes to the log only when verbose.
		Stdout: f.log(), Stderr: f.log(),
	})
	if err != nil {
		return fmt.Errorf("freeze: pip could not install %s into the zipapp: %w", filepath.Base(f.o.Wheel), err)
	}
	// Console-script wrappers point at pip's interpreter; the archive's
	// __main__.py replaces them.
	return os.RemoveAll(filepath.Join(site, "bin"))
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
	name := t.Name
	if f.o.GOOS == "windows" {
		name += ".pyz" // Windows runs archives by extension, not shebang
	}
	out := filepath.Join(f.o.OutDir, name)
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
