package wheel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// BuildOptions says what to build, from where, with which Python.
type BuildOptions struct {
	Dir    string // project directory
	OutDir string // where the wheel and sdist land (created); default Dir/dist
	// Python is the interpreter that runs the backend (see Interpreter);
	// empty means Interpreter is asked.
	Python string
	System BuildSystem // zero means ReadBuildSystem(Dir)
	Sdist  bool        // build an sdist (first, when Wheel is set too)
	Wheel  bool        // build a wheel, from the tree rather than from the sdist
	// Isolation builds in a fresh venv holding only System.Requires and the
	// backend's get_requires_for_build_* answers, installed with pip from
	// the configured index, or only from FindLinks when set. Off by
	// default: it needs an index, and machines that build are often offline.
	Isolation bool
	FindLinks []string // local directories of wheels for isolation; implies --no-index
	// UV, when set, is the uv executable that makes the isolated build's
	// venv and installs into it instead of pip (see SmokeOptions.UV).
	UV      string
	Env     []string  // extra KEY=VALUE for the backend, e.g. SOURCE_DATE_EPOCH=...
	Verbose bool      // stream the backend's output to Stderr; otherwise only errors show its tail
	Stderr  io.Writer // default os.Stderr
}

// Built is what Build produced: absolute paths, "" for what was not asked.
type Built struct {
	Wheel, Sdist string
}

// Build runs the project's PEP 517 backend in o.Python to build an sdist
// and/or a wheel into o.OutDir. Each hook runs in a fresh process, as pip
// does, because backends keep state between calls. Missing build
// requirements are reported before anything is built, and the files appear
// in OutDir only once every requested build has succeeded.
func Build(ctx context.Context, o BuildOptions) (Built, error) {
	if !o.Sdist && !o.Wheel {
		return Built{}, errors.New("wheel: nothing to build: set Sdist or Wheel")
	}
	if o.Dir == "" {
		return Built{}, errors.New("wheel: no project directory given")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return Built{}, fmt.Errorf("wheel: %w", err)
	}
	system := o.System
	if system.Backend == "" {
		if system, err = ReadBuildSystem(dir); err != nil {
			return Built{}, err
		}
	}
	outDir := o.OutDir
	if outDir == "" {
		outDir = filepath.Join(dir, "dist")
	}
	if outDir, err = filepath.Abs(outDir); err != nil {
		return Built{}, fmt.Errorf("wheel: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Built{}, fmt.Errorf("wheel: %w", err)
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	python := o.Python
	if python == "" && !o.Isolation {
		if python, err = Interpreter(ctx, InterpreterOptions{Dir: dir, Backend: system}); err != nil {
			return Built{}, err
		}
	}

	var kinds []string
	if o.Sdist {
		kinds = append(kinds, "sdist")
	}
	if o.Wheel {
		kinds = append(kinds, "wheel")
	}
	f := &frontend{python: python, dir: dir, system: system, env: run.Environ(o.Env...), verbose: o.Verbose, stderr: o.Stderr}
	if o.Isolation {
		cleanup, err := isolate(ctx, f, o, kinds)
		if cleanup != nil {
			defer cleanup()
		}
		if err != nil {
			return Built{}, err
		}
	}

	// Building into a directory inside OutDir makes the final move a
	// rename on one file system, and leaves nothing behind on failure. The
	// name carries the builder's pid, so that what a killed build left is
	// recognised and removed by the next one.
	removeOrphanBuilds(outDir)
	owned, err := statedir.OwnedDir(outDir, fmt.Sprintf("%s%d-", buildDirPrefix, os.Getpid()))
	if err != nil {
		return Built{}, fmt.Errorf("wheel: %w", err)
	}
	defer owned.Remove()
	tmp := owned.Path
	names := map[string]string{}
	for i, kind := range kinds {
		check := []string{kind}
		if i == 0 {
			check = kinds // report every missing requirement up front
		}
		res, out, err := f.call(ctx, hookRequest{Requires: system.Requires, Check: check, Build: kind, OutDir: tmp})
		if err != nil {
			return Built{}, err
		}
		if res.Stage != "done" || res.File == "" {
			return Built{}, f.failure(res, out)
		}
		if filepath.Base(res.File) != res.File {
			return Built{}, &BackendError{Backend: system.Backend, Python: f.python, Hook: "build_" + kind, Message: fmt.Sprintf("returned %q, not a file name", res.File), Output: out}
		}
		names[kind] = res.File
	}
	var built Built
	for _, kind := range kinds {
		dst := filepath.Join(outDir, names[kind])
		// Backends write with the modes they like (flit_core: 0600, from
		// mkstemp); a distribution is data anyone may read, and the same
		// file fetched elsewhere must have the same mode.
		if err := os.Chmod(filepath.Join(tmp, names[kind]), 0o644); err != nil {
			return Built{}, fmt.Errorf("wheel: %w", err)
		}
		if err := os.Rename(filepath.Join(tmp, names[kind]), dst); err != nil {
			return Built{}, fmt.Errorf("wheel: %w", err)
		}
		if kind == "sdist" {
			built.Sdist = dst
		} else {
			built.Wheel = dst
		}
	}
	return built, nil
}

// StagingDir makes a folder inside outDir for a build whose files are
// checked before they are moved into outDir (a rename on one file system),
// after removing the folders of builds whose process is gone. The caller
// removes it.
func StagingDir(outDir string) (string, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("wheel: %w", err)
	}
	removeOrphanBuilds(outDir)
	owned, err := statedir.OwnedDir(outDir, fmt.Sprintf("%s%d-staged-", buildDirPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("wheel: %w", err)
	}
	owned.KeepUntilExit()
	return owned.Path, nil
}

// buildDirPrefix names the build directories inside the output directory:
// .pyrelease-build-{pid}-{random}.
const buildDirPrefix = ".pyrelease-build-"

// removeOrphanBuilds removes build directories whose builder is gone (a
// killed build cannot clean up after itself). Each holds an owner file
// locked by its builder (statedir.OwnedDir), which tells a dead builder
// even when its pid is taken again, as in containers, where runs get the
// same pids. Folders of earlier versions, without one, go by their pid.
func removeOrphanBuilds(outDir string) {
	statedir.Sweep(outDir, buildDirPrefix)
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), buildDirPrefix)
		if !ok || !e.IsDir() || statedir.Owned(filepath.Join(outDir, e.Name())) {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err == nil && (pid == os.Getpid() || processAlive(pid)) {
			continue // a build in progress, here or in another process
		}
		_ = os.RemoveAll(filepath.Join(outDir, e.Name()))
	}
}

// processAlive reports whether a process exists; where that cannot be
// asked (Windows), it answers yes, so nothing in use is removed.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true
	}
	return p.Signal(syscall.Signal(0)) == nil
}
