package targets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// Wheel builds a wheel and an sdist of this commit, stamped with its
// version, checks both as an index would and smoke-tests the wheel.
//
// The build calls the project's PEP 517 backend with the interpreter from
// python (config), $PYRELEASE_PYTHON or the first that can import the
// backend (in an isolated venv when none can, or with isolation = true);
// the version files are restored afterwards. A linux_* wheel (C
// extensions) is repaired into a manylinux one with auditwheel, from PATH
// or installed once from your package index; repair-command repairs
// platform wheels with another tool, repair = false not at all. The wheel
// is installed into a fresh venv with its dependencies from your package
// index, its packages
// are imported and each console script is run with --version, or with its
// command from [tool.pyrelease.smoke]. One line per artifact (path, size,
// sha256) goes to stdout, and both are recorded in
// dist/.pyrelease/artifacts.json. -v shows the backend's output.
func Wheel(ctx context.Context, v *bool) (err error) {
	defer scrub(&err)
	p, info, err := loadVersion(ctx)
	if err != nil {
		return err
	}
	arts, err := p.buildWheel(ctx, info, deref(v, false))
	if err != nil {
		return err
	}
	printArtifacts(arts)
	return nil
}

func (p *project) buildWheel(ctx context.Context, v buildVersion, verbose bool) ([]dist.Artifact, error) {
	system, err := wheel.ReadBuildSystem(p.cfg.Dir)
	if err != nil {
		return nil, err
	}
	files, err := p.stampFiles(system)
	if err != nil {
		return nil, err
	}
	python, isolation, err := p.buildPython(ctx, system)
	if err != nil {
		return nil, err
	}
	uv, err := p.installerUV(os.Environ())
	if err != nil {
		return nil, err
	}
	outDir := filepath.Join(p.cfg.Dir, "dist")
	p.log.Info("building", "version", v.Version, "backend", system.Backend, "python", python)
	// Identical inputs give identical wheels where the backend honours
	// SOURCE_DATE_EPOCH (setuptools, hatchling and flit do); backends that
	// version from git are handed the version instead of computing one.
	env := append([]string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(v.CommitDate.Unix(), 10)},
		wheel.PretendVersionEnv(p.cfg.Project.Name, system.VCSPlugin(), v.Version)...)
	var built wheel.Built
	cleanup, err := p.markBuild(v.Version)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	// The files are built, repaired, verified and smoke-tested in a
	// staging folder inside dist/, and moved in only when every check has
	// passed: a failed or interrupted build never replaces a good one.
	// A killed run's staging folder is removed by the next build.
	staging, err := wheel.StagingDir(outDir)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	err = pyfile.Stamp(ctx, pyfile.StampOptions{Dir: p.cfg.Dir, Files: files, Version: v.Version, Logf: p.logf},
		func(ctx context.Context) error {
			built, err = wheel.Build(ctx, wheel.BuildOptions{
				Dir: p.cfg.Dir, OutDir: staging, Python: python, System: system,
				Sdist: true, Wheel: true, Isolation: isolation, UV: uv, Verbose: verbose, Stderr: stderr, Env: env,
			})
			return err
		})
	if err != nil {
		return nil, err
	}
	unrepaired := filepath.Base(built.Wheel)
	if built.Wheel, err = p.repairWheel(ctx, built.Wheel, python, env, verbose); err != nil {
		return nil, err
	}
	var arts []dist.Artifact
	var whl *wheel.Info
	for _, path := range []string{built.Sdist, built.Wheel} {
		info, err := wheel.Verify(ctx, path, wheel.VerifyOptions{ExpectVersion: v.Version, ExpectName: p.cfg.Project.Name})
		if err != nil {
			return nil, err
		}
		if info.Kind == dist.KindWheel {
			whl = info
		}
		arts = append(arts, dist.Artifact{
			Name: filepath.Base(path), Path: dist.PathFor(info.Kind, filepath.Base(path)), Kind: info.Kind, Version: info.Version,
			Tags: info.Tags, SHA256: info.SHA256, Size: info.Size, Commit: v.Commit,
			BuiltAt: time.Now().UTC(), Project: info.Name,
		})
	}
	// What the wheel declares is the truth about the project, whatever
	// pyproject.toml says or does not say (setup.py projects).
	tools, err := p.smokeTools(whl.Scripts)
	if err != nil {
		return nil, err
	}
	imports := p.cfg.Smoke.Imports
	if imports == nil {
		imports = wheel.DefaultImports(whl.TopLevel)
	}
	available, err := p.checkExtras(whl)
	if err != nil {
		return nil, err
	}
	findLinks := p.findLinks(outDir)
	p.log.Info("smoke test", "tools", len(tools), "imports", strings.Join(imports, ","), "offline", p.cfg.Smoke.Offline)
	if err := wheel.Smoke(ctx, wheel.SmokeOptions{
		Python: python, Wheel: built.Wheel, Extras: p.cfg.Extras, Available: available, Offline: p.cfg.Smoke.Offline, FindLinks: findLinks,
		Tools: tools, Imports: imports, Version: v.Version, UV: uv,
	}); err != nil {
		return nil, err
	}
	for _, path := range []string{built.Sdist, built.Wheel} {
		if err := os.Rename(path, filepath.Join(outDir, filepath.Base(path))); err != nil {
			return nil, fmt.Errorf("wheel: moving the checked %s into %s: %w", filepath.Base(path), outDir, err)
		}
	}
	// The repaired wheel replaces the unrepaired one of an earlier build
	// of this version (repair = false then), as it replaced this build's.
	if unrepaired != filepath.Base(built.Wheel) {
		if err := os.Remove(filepath.Join(outDir, unrepaired)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("wheel: %w", err)
		}
	}
	if err := dist.Record(ctx, outDir, arts...); err != nil {
		return nil, err
	}
	return arts, nil
}

// repairWheel makes a platform wheel fit for the index before anything
// checks it: a linux_* wheel becomes a manylinux one with auditwheel, or
// every platform wheel goes through repair-command. The repaired wheel
// replaces the one built, so only it is verified, smoke-tested and
// recorded.
func (p *project) repairWheel(ctx context.Context, path, python string, env []string, verbose bool) (string, error) {
	if !p.cfg.Repair {
		if n, err := wheel.ParseWheelName(filepath.Base(path)); err == nil && wheel.LinuxTag(n) != "" {
			p.warnOnce(fmt.Sprintf("%s is a %s wheel, which PyPI, check and release refuse: repair = false in [tool.pyrelease] leaves it as built (auditwheel repairs it, or name a command in repair-command)",
				filepath.Base(path), wheel.LinuxTag(n)))
		}
		return path, nil
	}
	r, err := wheel.Repair(ctx, path, wheel.RepairOptions{
		Command: p.cfg.RepairCommand, Python: python, Env: env, Verbose: verbose, Stderr: stderr, Log: p.log,
	})
	if err != nil {
		return "", err
	}
	if r.By != "" {
		p.log.Info("repaired", "wheel", filepath.Base(r.Wheel), "from", filepath.Base(path))
	}
	return r.Wheel, nil
}

// findLinks are where pip looks for wheels besides the index: dist/ and
// find-links of [tool.pyrelease.smoke], relative to the project.
func (p *project) findLinks(outDir string) []string {
	links := []string{outDir}
	for _, l := range p.cfg.Smoke.FindLinks {
		if !strings.Contains(l, "://") && !filepath.IsAbs(l) {
			l = filepath.Join(p.cfg.Dir, l)
		}
		links = append(links, l)
	}
	return links
}

// checkExtras refuses an extras setting that names an extra the wheel does
// not provide, as pip would only warn and install without it. It returns
// the extras the wheel provides.
func (p *project) checkExtras(whl *wheel.Info) ([]string, error) {
	var available []string
	if whl.Metadata != nil {
		available = whl.Metadata.All("Provides-Extra")
	}
	for _, e := range p.cfg.Extras {
		if !slices.ContainsFunc(available, func(a string) bool { return wheel.NormalizeExtra(a) == wheel.NormalizeExtra(e) }) {
			where := p.cfg.EnvSource("extras")
			if where == "" {
				where = p.cfg.File + ": [tool.pyrelease] extras"
			}
			return nil, fmt.Errorf("config: %s: %q is not an extra of %s (it provides %s)", where, e, filepath.Base(whl.Path), quotedList(available))
		}
	}
	return available, nil
}

// stampFiles are the files a build stamps: the configured version files,
// else the static version of pyproject.toml ([project] or [tool.poetry]),
// else the file the backend's settings say it reads the version from
// (setuptools' attr:, hatch's path, ...), else the conventional module
// files that hold a version. A backend that versions from git
// (setuptools-scm, hatch-vcs) needs none: it is handed the version.
func (p *project) stampFiles(system wheel.BuildSystem) ([]pyfile.File, error) {
	if files := p.versionFiles(); len(files) > 0 {
		return files, nil
	}
	if f := (pyfile.File{Path: p.cfg.File}); p.cfg.Project.NameFrom != config.NameFromProject || p.cfg.Project.Version != "" {
		if _, err := pyfile.ReadFile(f); err == nil {
			return []pyfile.File{f}, nil
		}
	}
	if d, ok := p.cfg.DeclaredVersionFile(); ok {
		f := pyfile.File{Path: filepath.Join(p.cfg.Dir, d.Path)}
		if d.Plain {
			f.Pattern = plainVersion
		}
		if _, err := pyfile.ReadFile(f); err == nil {
			p.log.Info("stamping the version file the backend reads", "file", d.Path, "from", d.From)
			return []pyfile.File{f}, nil
		}
	}
	for _, rel := range p.cfg.DefaultVersionFiles() {
		f := pyfile.File{Path: filepath.Join(p.cfg.Dir, rel)}
		if _, err := pyfile.ReadFile(f); err == nil {
			return []pyfile.File{f}, nil
		}
	}
	if plugin := system.VCSPlugin(); plugin != "" {
		p.log.Info("the backend versions from git; handing it the version", "plugin", plugin)
		return nil, nil
	}
	return nil, fmt.Errorf("wheel: no file to stamp the version into: set version-file in [tool.pyrelease] of %s (the version is dynamic and no %s holds one)",
		p.cfg.File, strings.Join(append(p.cfg.DefaultVersionFiles(), "setup.cfg [metadata] version"), ", "))
}

// plainVersion is a file that holds only the version (setuptools'
// version = file: VERSION), around blank space.
var plainVersion = regexp.MustCompile(`\A\s*(\S+)\s*\z`)

// smokeTools are the tools the smoke test runs, from the console scripts
// the wheel declares: those named by tools (all when unset, none when
// empty), each with its command from [tool.pyrelease.smoke] commands, or
// smoke-command with the version check.
func (p *project) smokeTools(scripts map[string]string) ([]wheel.SmokeTool, error) {
	for name := range p.cfg.Smoke.Commands {
		if _, ok := scripts[name]; !ok {
			return nil, fmt.Errorf("config: %s: [tool.pyrelease.smoke] commands.%s: the wheel has no console script %q (it has %s)",
				p.cfg.File, name, name, quotedList(slices.Sorted(maps.Keys(scripts))))
		}
	}
	names := p.cfg.Tools
	if names == nil {
		names = slices.Sorted(maps.Keys(scripts))
	}
	var tools []wheel.SmokeTool
	for _, name := range names {
		args, own := p.cfg.Smoke.Commands[name]
		switch {
		case own && args == nil:
			p.log.Info("smoke test: not running "+name, "reason", "commands."+name+" = false")
		case own:
			tools = append(tools, wheel.SmokeTool{Name: name, Args: args})
		default:
			tools = append(tools, wheel.SmokeTool{Name: name, Args: p.cfg.SmokeCommand, CheckVersion: true})
		}
	}
	return tools, nil
}

func quotedList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// printArtifacts writes what a target built to stdout, a line each: the
// path, the size and the sha256, for scripts to read.
func printArtifacts(arts []dist.Artifact) {
	for _, a := range arts {
		fmt.Fprintf(stdout, "%s %d %s\n", filepath.Join("dist", filepath.FromSlash(a.Path)), a.Size, a.SHA256)
	}
}

// buildPython is the Python that builds, and whether it builds in an
// isolated venv: as configured, or, when isolation is not set and no
// Python here can import the backend, isolated, with the requirements from
// the user's index, as pip and python -m build always do.
func (p *project) buildPython(ctx context.Context, system wheel.BuildSystem) (string, bool, error) {
	o := p.interpreterOptions(system)
	python, err := wheel.Interpreter(ctx, o)
	var ie *wheel.InterpreterError
	switch {
	case p.cfg.IsolationSet || o.Isolation:
		return python, o.Isolation, err
	case err == nil && o.Python == "":
		old := p.oldSdistNames(ctx, system, python)
		if old == "" {
			return python, false, nil
		}
		// A system setuptools (Debian 12 has 66) would name the sdist of
		// a dashed project in a way PyPI refuses.
		p.warnOnce(fmt.Sprintf("%s has setuptools %s, which names the sdist of %s in a way PyPI refuses: building in an isolated venv with a current setuptools from your package index (isolation = false in [tool.pyrelease] keeps it)",
			python, old, p.cfg.Project.Name))
	case !errors.As(err, &ie) || ie.Explicit != "":
		return python, false, err
	default:
		p.warnOnce(fmt.Sprintf("no Python here can import the build backend %q: building in an isolated venv with the build requirements from your package index (isolation = false in [tool.pyrelease] refuses instead)", system.Backend))
	}
	o.Isolation = true
	python, err = wheel.Interpreter(ctx, o)
	return python, true, err
}

// oldSdistNames returns the version of python's setuptools when it
// predates PEP 625 sdist names (69.3) and the project's name would be
// spelled differently by it, else "".
func (p *project) oldSdistNames(ctx context.Context, system wheel.BuildSystem, python string) string {
	name := p.cfg.Project.Name
	if !strings.HasPrefix(system.Backend, "setuptools.build_meta") || name == "" || wheel.EscapeName(name) == name {
		return ""
	}
	installed := wheel.InstalledVersion(ctx, python, "setuptools")
	v, err := pep440.Parse(installed)
	if err != nil {
		return ""
	}
	if min, _ := pep440.Parse("69.3"); pep440.Compare(v, min) >= 0 {
		return ""
	}
	return installed
}

// interpreterOptions says which Python builds: the configured one, naming
// PYRELEASE_PYTHON rather than the file in advice when that is where it
// came from.
func (p *project) interpreterOptions(system wheel.BuildSystem) wheel.InterpreterOptions {
	return wheel.InterpreterOptions{Dir: p.cfg.Dir, Python: p.cfg.Python, PythonFrom: p.cfg.EnvSource("python"),
		Backend: system, Isolation: p.cfg.Isolation}
}
