package wheel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// venvScript is where a virtual environment keeps an executable: bin/NAME
// on POSIX, Scripts\NAME.exe on Windows.
func venvScript(venv, name string) string { return venvScriptFor(runtime.GOOS, venv, name) }

// venvScriptFor is venvScript for a venv made on goos.
func venvScriptFor(goos, venv, name string) string {
	if goos == "windows" {
		return filepath.Join(venv, "Scripts", name+".exe")
	}
	return filepath.Join(venv, "bin", name)
}

func venvBinDir(venv string) string { return filepath.Dir(venvScript(venv, "python")) }

// venvArgs creates a venv without pip: seeding pip takes ~12 s, and the
// outer interpreter's pip installs into it with --python instead.
func venvArgs(dir string) []string {
	return []string{"-m", "venv", "--without-pip", dir}
}

// pipInstallArgs installs requirements or wheel files into the venv whose
// interpreter is target. Offline, only the findLinks directories are
// searched; otherwise pip's configured index is, and findLinks too.
func pipInstallArgs(target string, offline bool, findLinks []string, what []string) []string {
	args := []string{"-m", "pip", "--python", target, "install"}
	if offline {
		args = append(args, "--no-index")
	}
	for _, d := range findLinks {
		args = append(args, "--find-links", d)
	}
	return append(args, what...)
}

// venvEnv is env for running programs of venv: its scripts first on PATH,
// and no PYTHONPATH or PYTHONHOME that would mix other packages in.
func venvEnv(env []string, venv string) []string {
	out := make([]string, 0, len(env)+2)
	path := ""
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "PATH":
			path = v
			continue
		case "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV":
			continue
		}
		out = append(out, kv)
	}
	bin := venvBinDir(venv)
	if path != "" {
		bin += string(os.PathListSeparator) + path
	}
	return append(out, "PATH="+bin, "VIRTUAL_ENV="+venv)
}

// venvTool drives python -m venv and pip for the isolated build and the
// smoke test, keeping their output for errors.
type venvTool struct {
	python  string // the interpreter that creates the venv and runs pip
	env     []string
	verbose bool
	stderr  io.Writer
	// uv, when set, is the uv that creates the venv (for python) and
	// installs into it instead of pip, with uvArgs and uvEnv saying what
	// the user's pip settings say.
	uv     string
	uvArgs []string
	uvEnv  []string
}

// withUV is v installing with uv (the executable at path, "" for pip),
// told the pip settings of v.env; offline, only the find-links
// directories the install names are searched, as pip's --no-index.
func (v venvTool) withUV(path string, offline bool) (venvTool, error) {
	if path == "" {
		return v, nil
	}
	v.uv = path
	if offline {
		return v, nil
	}
	settings, err := pyenv.UVSettings(v.env)
	if err != nil {
		return v, err
	}
	v.uvArgs, v.uvEnv = settings.Args, settings.Env
	return v, nil
}

// create makes a pip-less venv in dir and returns its interpreter.
func (v venvTool) create(ctx context.Context, dir string) (string, error) {
	if v.uv != "" {
		if _, err := v.runCmd(ctx, v.uv, "", uvVenvArgs(v.python, dir)); err != nil {
			return "", fmt.Errorf("wheel: cannot create a virtual environment for %s with uv: %w", v.python, err)
		}
		return venvScript(dir, "python"), nil
	}
	if _, err := v.run(ctx, "", venvArgs(dir)); err != nil {
		return "", fmt.Errorf("wheel: cannot create a virtual environment with %s: %w", v.python, err)
	}
	return venvScript(dir, "python"), nil
}

// install runs pip in the outer interpreter against the venv's, or uv.
func (v venvTool) install(ctx context.Context, target string, findLinks []string, what []string) (string, error) {
	return v.installIn(ctx, "", target, len(findLinks) > 0, findLinks, what)
}

// installIn is install run in dir, offline or not.
func (v venvTool) installIn(ctx context.Context, dir, target string, offline bool, findLinks []string, what []string) (string, error) {
	if v.uv != "" {
		return v.runCmd(ctx, v.uv, dir, uvInstallArgs(target, offline, findLinks, v.uvArgs, what))
	}
	return v.run(ctx, dir, pipInstallArgs(target, offline, findLinks, what))
}

// uvVenvArgs creates a venv (uv seeds no pip) for python in dir. No uv
// configuration file takes part: the user's pip settings do, as they
// would for pip.
func uvVenvArgs(python, dir string) []string {
	return []string{"venv", "--quiet", "--no-config", "--python", python, dir}
}

// uvInstallArgs is pipInstallArgs for uv pip install, with the user's
// pip settings translated (settings; see pyenv.UVSettings).
func uvInstallArgs(target string, offline bool, findLinks, settings, what []string) []string {
	args := []string{"pip", "install", "--no-config", "--python", target}
	if offline {
		args = append(args, "--no-index")
	} else {
		args = append(args, settings...)
	}
	for _, d := range findLinks {
		args = append(args, "--find-links", d)
	}
	return append(args, what...)
}

// run returns the tail of the command's combined output, which a failed
// run's error also carries.
func (v venvTool) run(ctx context.Context, dir string, args []string) (string, error) {
	return v.runCmd(ctx, v.python, dir, args)
}

// runCmd is run of another program than the interpreter (uv).
func (v venvTool) runCmd(ctx context.Context, name, dir string, args []string) (string, error) {
	tail := &run.Tail{Lines: outputTailLines}
	var echo io.Writer
	if v.verbose && v.stderr != nil {
		echo = v.stderr
	}
	locked := tail.Tee(echo)
	env := v.env
	if name == v.uv && len(v.uvEnv) > 0 {
		env = append(slices.Clip(env), v.uvEnv...)
	}
	err := run.Run(ctx, run.Cmd{Name: name, Args: args, Dir: dir, Env: env, Stdout: locked, Stderr: locked})
	if err != nil {
		return tail.String(), fmt.Errorf("%s: %w\n%s", run.Cmdline(name, args), exitOf(err), tail.String())
	}
	return tail.String(), nil
}

// exitOf is a run error without its stderr, which the caller shows with
// stdout interleaved instead.
func exitOf(err error) error {
	var re *run.Error
	if errors.As(err, &re) {
		if re.ExitCode >= 0 {
			return fmt.Errorf("exit status %d", re.ExitCode)
		}
		if re.Err != nil {
			return re.Err
		}
	}
	return err
}
