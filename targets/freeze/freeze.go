package freeze

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// Freezers Options.Freezer accepts.
const (
	PyInstaller = "pyinstaller"
	Zipapp      = "zipapp"
)

// Options says what to freeze, with what, and where the binaries go.
// Relative paths (OutDir, Wheel, and the tools' files) are taken from Dir.
type Options struct {
	Dir    string // project directory
	OutDir string // where binaries land (e.g. dist/bin); created
	// Python is the build interpreter: PyInstaller's freeze environment
	// is a venv made from it; zipapp runs its pip. Default python3.
	Python  string
	Freezer string // PyInstaller (default) or Zipapp
	Tools   []Tool
	Version string // must appear in each binary's --version output
	GOOS    string // target platform naming (".exe" on windows); default runtime.GOOS
	WorkDir string // temp work/spec dir, outside Dir; default a temp dir removed afterwards
	// Wheel is the project's wheel: what PyInstaller freezes, installed
	// with its dependencies into the freeze environment (required), and
	// what a zipapp holds, with its dependencies, which must all be pure
	// Python. For zipapp, empty means the project's import packages are
	// copied from Dir (or Dir/src) instead.
	Wheel string
	// Extras are optional extras of the wheel installed with it, for
	// tools behind one (httpx[cli]).
	Extras []string
	// PyInstaller is the requirement pip installs PyInstaller by into the
	// freeze environment; default DefaultPyInstaller.
	PyInstaller string
	// CacheDir keeps the freeze environments between runs; default
	// pyrelease/freeze in the user's cache directory.
	CacheDir string
	// Jobs is how many PyInstaller builds run at once; default one per
	// CPU, at most one per tool.
	Jobs int
	// Offline installs dependencies (and PyInstaller) only from
	// FindLinks; otherwise from the index pip is configured with, and
	// FindLinks.
	Offline   bool
	FindLinks []string
	// Mtime is the file time inside zipapp archives and PyInstaller's
	// SOURCE_DATE_EPOCH, so two freezes of one commit are identical; zero
	// keeps file times.
	Mtime   time.Time
	Verbose bool         // stream the freezer's output to Stderr
	Stderr  io.Writer    // default os.Stderr
	Log     *slog.Logger // progress; nil logs nothing

	// runner replaces run.Run for the build commands (not the smoke run),
	// so tests can check command lines without the freezer installed.
	runner func(context.Context, run.Cmd) error
}

// Binary is one frozen, smoke-tested tool.
type Binary struct {
	Tool string // Tool.Name
	Path string // absolute path in OutDir
}

// Freeze builds each tool into a one-file executable in o.OutDir, then runs
// it with --version and requires exit status 0 and o.Version in its output,
// so a binary that cannot start never reaches an archive. PyInstaller
// builds run in parallel, up to Jobs at once, in a freeze environment that
// holds the wheel and not the source tree; their binaries are run with an
// empty environment, as on a machine without Python. Binaries are returned
// in the order of o.Tools; the first failure stops the others.
func Freeze(ctx context.Context, o Options) ([]Binary, error) {
	f, cleanup, err := newFreezer(o)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if f.o.Freezer == PyInstaller {
		return f.freezeAllPyInstaller(ctx)
	}
	if err := f.prepareSite(ctx); err != nil {
		return nil, err
	}
	var bins []Binary
	for _, t := range f.o.Tools {
		e, _ := parseEntryPoint(t.EntryPoint) // CheckTools accepted it
		path, err := f.freezeZipapp(ctx, t, e)
		if err != nil {
			return bins, err
		}
		if !t.SkipSmoke {
			if err := f.smoke(ctx, t, path); err != nil {
				return bins, err
			}
		}
		bins = append(bins, Binary{Tool: t.Name, Path: path})
	}
	return bins, nil
}

// freezer is one Freeze call with its options completed.
type freezer struct {
	o        Options
	packages []string // the project's import packages
}

// newFreezer checks o, fills defaults and creates the work and output
// directories; cleanup removes a work directory Freeze created.
func newFreezer(o Options) (*freezer, func(), error) {
	nop := func() {}
	var err error
	if o.Dir, err = filepath.Abs(o.Dir); err != nil {
		return nil, nop, fmt.Errorf("freeze: %w", err)
	}
	switch o.Freezer {
	case "":
		o.Freezer = PyInstaller
	case PyInstaller, Zipapp:
	default:
		return nil, nop, fmt.Errorf("freeze: freezer %q: want %q or %q: %w", o.Freezer, PyInstaller, Zipapp, ErrFreezer)
	}
	if len(o.Tools) == 0 {
		return nil, nop, fmt.Errorf("freeze: no tools to freeze: %w", ErrBadTool)
	}
	if o.Version == "" {
		return nil, nop, errors.New("freeze: no version given to check the binaries' --version output against")
	}
	if o.OutDir == "" {
		return nil, nop, errors.New("freeze: no output directory given")
	}
	if err := CheckTools(o.Dir, o.Tools); err != nil {
		return nil, nop, err
	}
	if o.Python == "" {
		o.Python = "python3"
	}
	if o.PyInstaller == "" {
		o.PyInstaller = DefaultPyInstaller
	}
	if o.GOOS == "" {
		o.GOOS = runtime.GOOS
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.runner == nil {
		o.runner = run.Run
	}
	o.OutDir = resolve(o.Dir, o.OutDir)
	if o.Wheel != "" {
		o.Wheel = resolve(o.Dir, o.Wheel)
	}
	f := &freezer{o: o}
	if f.packages, err = PackageDirs(o.Dir); err != nil {
		return nil, nop, err
	}
	cleanup := nop
	if o.WorkDir == "" {
		owned, err := statedir.TempDir("pyrelease-freeze-")
		if err != nil {
			return nil, nop, fmt.Errorf("freeze: %w", err)
		}
		f.o.WorkDir = owned.Path
		cleanup = func() { owned.Remove() }
	} else {
		f.o.WorkDir = resolve(o.Dir, o.WorkDir)
		if inside(o.Dir, f.o.WorkDir) {
			return nil, nop, fmt.Errorf("freeze: work directory %s is inside the project %s: want one outside, so the build leaves the tree untouched", f.o.WorkDir, o.Dir)
		}
	}
	for _, d := range []string{o.OutDir, filepath.Join(f.o.WorkDir, "launch")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			cleanup()
			return nil, nop, fmt.Errorf("freeze: %w", err)
		}
	}
	return f, cleanup, nil
}

// inside reports whether path is dir or below it.
func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// exe is the file name of a binary called name on the target platform.
func (f *freezer) exe(name string) string {
	if f.o.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// log is where build commands' output goes besides errors: Stderr when
// verbose, nowhere otherwise.
func (f *freezer) log() io.Writer {
	if f.o.Verbose {
		return f.o.Stderr
	}
	return nil
}

func (f *freezer) run(ctx context.Context, c run.Cmd) error { return f.o.runner(ctx, c) }

// logger is Options.Log, or one that discards.
func (f *freezer) logger() *slog.Logger {
	if f.o.Log != nil {
		return f.o.Log
	}
	return slog.New(slog.DiscardHandler)
}

// writeLauncher writes the main script for a module:function entry point.
func (f *freezer) writeLauncher(path, tool string, e entry) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("freeze: %s: %w", tool, err)
	}
	if err := os.WriteFile(path, []byte(launcherSource(tool, e)), 0o644); err != nil {
		return fmt.Errorf("freeze: %s: %w", tool, err)
	}
	return nil
}

// checkImport makes the build interpreter import e (app first on sys.path
// when set) and fails with an EntryPointError carrying Python's message.
func (f *freezer) checkImport(ctx context.Context, t Tool, e entry, app string) error {
	return f.checkImportWith(ctx, f.o.Python, t, e, app)
}

// checkImportWith is checkImport with another interpreter: the freeze
// environment's, for PyInstaller.
func (f *freezer) checkImportWith(ctx context.Context, python string, t Tool, e entry, app string) error {
	err := f.run(ctx, run.Cmd{
		Name: python,
		Args: []string{"-c", importCheck, app, e.Module, e.Attr},
		Dir:  filepath.Join(f.o.WorkDir, "launch"), // nothing importable there
	})
	if err == nil || ctx.Err() != nil {
		return err
	}
	out := err.Error()
	var re *run.Error
	if errors.As(err, &re) && re.ExitCode == 3 {
		out = re.Stderr
	}
	return &EntryPointError{Tool: t.Name, EntryPoint: t.EntryPoint, Python: python, Output: out}
}
