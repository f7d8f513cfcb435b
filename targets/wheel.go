package targets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/pyfile"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// Wheel builds a wheel and an sdist of this commit, stamped with its
// version, checks both as an index would and smoke-tests the wheel.
//
// The build calls the project's PEP 517 backend with the interpreter from
// python (config), $PYRELEASE_PYTHON or the first that can import the
// backend; the version files are restored afterwards. The wheel is
// installed into a fresh venv and each tool is run with --version. One line
// per artifact (path, size, sha256) goes to stdout, and both are recorded
// in dist/artifacts.json. -v shows the backend's output.
func Wheel(ctx context.Context, v *bool) error {
	p, err := load(ctx)
	if err != nil {
		return err
	}
	info, err := p.versionInfo(ctx)
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
	files, err := p.stampFiles()
	if err != nil {
		return nil, err
	}
	system, err := wheel.ReadBuildSystem(p.cfg.Dir)
	if err != nil {
		return nil, err
	}
	python, err := wheel.Interpreter(ctx, p.interpreterOptions(system))
	if err != nil {
		return nil, err
	}
	outDir := filepath.Join(p.cfg.Dir, "dist")
	p.log.Info("building", "version", v.Version, "backend", system.Backend, "python", python)
	var built wheel.Built
	err = pyfile.Stamp(ctx, pyfile.StampOptions{Dir: p.cfg.Dir, Files: files, Version: v.Version, Logf: p.logf},
		func(ctx context.Context) error {
			built, err = wheel.Build(ctx, wheel.BuildOptions{
				Dir: p.cfg.Dir, OutDir: outDir, Python: python, System: system,
				Sdist: true, Wheel: true, Isolation: p.cfg.Isolation, Verbose: verbose, Stderr: os.Stderr,
				// Identical inputs give identical wheels where the backend
				// honours it (setuptools, hatchling and flit do).
				Env: []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(v.CommitDate.Unix(), 10)},
			})
			return err
		})
	if err != nil {
		return nil, err
	}
	var arts []dist.Artifact
	for _, path := range []string{built.Sdist, built.Wheel} {
		info, err := wheel.Verify(ctx, path, wheel.VerifyOptions{ExpectVersion: v.Version, ExpectName: p.cfg.Project.Name})
		if err != nil {
			return nil, err
		}
		arts = append(arts, dist.Artifact{
			Name: filepath.Base(path), Path: filepath.Base(path), Kind: info.Kind, Version: info.Version,
			Tags: info.Tags, SHA256: info.SHA256, Size: info.Size, Commit: v.Commit,
			BuiltAt: time.Now().UTC(), Project: info.Name,
		})
	}
	if err := wheel.Smoke(ctx, wheel.SmokeOptions{
		Python: python, Wheel: built.Wheel, FindLinks: []string{outDir},
		Tools: p.smokeTools(), Command: p.cfg.SmokeCommand, Version: v.Version,
	}); err != nil {
		return nil, err
	}
	if err := dist.Record(ctx, outDir, arts...); err != nil {
		return nil, err
	}
	return arts, nil
}

// stampFiles are the files a build stamps: the configured version files,
// else [project].version of pyproject.toml when it is static, else the
// conventional module files that hold a version.
func (p *project) stampFiles() ([]pyfile.File, error) {
	if files := p.versionFiles(); len(files) > 0 {
		return files, nil
	}
	if p.cfg.Project.Version != "" {
		return []pyfile.File{{Path: p.cfg.File}}, nil
	}
	for _, rel := range p.cfg.DefaultVersionFiles() {
		f := pyfile.File{Path: filepath.Join(p.cfg.Dir, rel)}
		if _, err := pyfile.ReadFile(f); err == nil {
			return []pyfile.File{f}, nil
		}
	}
	return nil, fmt.Errorf("wheel: no file to stamp the version into: set version-file in [tool.pyrelease] of %s (the version is dynamic and no %s holds one)",
		p.cfg.File, strings.Join(p.cfg.DefaultVersionFiles(), ", "))
}

// smokeTools are the configured tools, else every console script.
func (p *project) smokeTools() []string {
	if len(p.cfg.Tools) > 0 {
		return p.cfg.Tools
	}
	tools := make([]string, 0, len(p.cfg.Project.Scripts))
	for name := range p.cfg.Project.Scripts {
		tools = append(tools, name)
	}
	slices.Sort(tools)
	return tools
}

// printArtifacts writes what a target built to stdout, a line each: the
// path, the size and the sha256, for scripts to read.
func printArtifacts(arts []dist.Artifact) {
	for _, a := range arts {
		fmt.Printf("%s %d %s\n", filepath.Join("dist", a.Name), a.Size, a.SHA256)
	}
}

// interpreterOptions says which Python builds: the configured one, naming
// PYRELEASE_PYTHON rather than the file in advice when that is where it
// came from.
func (p *project) interpreterOptions(system wheel.BuildSystem) wheel.InterpreterOptions {
	o := wheel.InterpreterOptions{Dir: p.cfg.Dir, Python: p.cfg.Python, Getenv: p.getenv, Backend: system}
	if p.cfg.EnvSource("python") != "" {
		o.Python = "" // the wheel package reads PYRELEASE_PYTHON itself
	}
	return o
}
