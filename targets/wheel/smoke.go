package wheel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// smokeToolTimeout bounds one tool run: a --version that waits for input or
// the network must fail the release, not hang it.
const smokeToolTimeout = 2 * time.Minute

// SmokeTool is one console script the smoke test runs.
type SmokeTool struct {
	Name string
	Args []string // default ["--version"]
	// CheckVersion requires the build's version in the output, as a tool's
	// --version prints it; otherwise only exit status 0 is required.
	CheckVersion bool
}

// SmokeOptions says which wheel to install, from where its dependencies
// come, and what to run once it is installed.
type SmokeOptions struct {
	Python string // interpreter to create the venv with; it runs pip too
	Wheel  string // the wheel to install: this file, never another build of it
	// Extras are optional extras of the wheel installed with it
	// (pip install ./x.whl[cli]).
	Extras []string
	// Available are the extras the wheel provides, named in the hint of a
	// failing import or tool that may need one.
	Available []string
	// Offline installs dependencies only from FindLinks (pip --no-index,
	// no pip configuration). Otherwise pip looks where the user's pip
	// settings say (PIP_INDEX_URL, pip.conf, a mirror), and in FindLinks.
	Offline   bool
	FindLinks []string // local directories (or URLs) of wheels for dependencies
	Env       []string // environment of pip and the tools; default os.Environ()
	Tools     []SmokeTool
	// Imports are modules imported in the venv; each one's __version__,
	// when it has a string one, must be Version.
	Imports []string
	Version string // the build's version; "" skips the version checks
	WorkDir string // where the venv goes; default a temporary directory removed afterwards
	// UV, when set, is the uv executable that creates the venv and
	// installs into it instead of pip, told the pip settings of Env (an
	// error when one has no uv equivalent; see pyenv.UVSettings).
	UV string
}

// Smoke installs the wheel into a fresh venv, imports its modules and runs
// each tool, requiring exit status 0 and, where asked, the version in the
// output. It is the last check before upload that the wheel works when
// installed with its dependencies, away from the source tree: the tools and
// imports run in a temporary directory.
func Smoke(ctx context.Context, o SmokeOptions) error {
	if o.Python == "" {
		return errors.New("wheel: smoke test: no Python given to create the venv with")
	}
	if o.Wheel == "" {
		return errors.New("wheel: smoke test: no wheel given")
	}
	wheelPath, err := filepath.Abs(o.Wheel)
	if err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	if _, err := os.Stat(wheelPath); err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	for _, t := range o.Tools {
		if t.Name == "" || strings.ContainsAny(t.Name, `/\`) || t.Name == "." || t.Name == ".." {
			return fmt.Errorf("wheel: smoke test: tool %q is not a command name: want a console script of the wheel", t.Name)
		}
	}
	work := o.WorkDir
	if work == "" {
		owned, err := statedir.TempDir("pyrelease-smoke-")
		if err != nil {
			return fmt.Errorf("wheel: smoke test: %w", err)
		}
		defer owned.Remove()
		work = owned.Path
	} else if work, err = filepath.Abs(work); err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	venv := filepath.Join(work, "venv")
	findLinks := make([]string, 0, len(o.FindLinks))
	for _, d := range o.FindLinks {
		if !strings.Contains(d, "://") {
			abs, err := filepath.Abs(d)
			if err != nil {
				return fmt.Errorf("wheel: smoke test: %w", err)
			}
			d = abs
		}
		findLinks = append(findLinks, d)
	}
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	pipEnv := pyenv.InstallEnv(env)
	if o.Offline {
		pipEnv = pyenv.PipEnv(env)
	}

	if pipEnv, err = tempEnv(pipEnv, work); err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	tool, err := venvTool{python: o.Python, env: pipEnv}.withUV(o.UV, o.Offline)
	if err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	inner, err := tool.create(ctx, venv)
	if err != nil {
		return fmt.Errorf("wheel: smoke test: %w", err)
	}
	// The wheel is named by its path, so pip installs this file; only
	// its dependencies are looked up.
	if out, err := tool.installIn(ctx, work, inner, o.Offline, findLinks, []string{pyenv.WithExtras(wheelPath, o.Extras)}); err != nil {
		return &InstallError{Wheel: filepath.Base(wheelPath), Offline: o.Offline, FindLinks: findLinks, Output: out, Err: err}
	}

	runEnv := venvEnv(pyenv.PipEnv(env), venv)
	missing := slices.DeleteFunc(slices.Clone(o.Available), func(e string) bool {
		return slices.ContainsFunc(o.Extras, func(x string) bool { return NormalizeExtra(x) == NormalizeExtra(e) })
	})
	if err := smokeImports(ctx, inner, work, runEnv, o.Imports, o.Version); err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			ie.Extras = missing
		}
		return err
	}
	for _, t := range o.Tools {
		if err := smokeTool(ctx, venv, work, runEnv, t, o.Version); err != nil {
			var se *SmokeError
			if errors.As(err, &se) {
				se.Extras = missing
			}
			return err
		}
	}
	return nil
}

// NormalizeExtra is an extra's name as PEP 685 compares them: lower case,
// each run of -, _ and . one -.
func NormalizeExtra(e string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(e) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// importScript imports each module named on its command line and prints,
// as JSON, whether it worked and the module's __version__.
const importScript = `
import importlib, json, sys, traceback
out = {}
for name in sys.argv[1:]:
    try:
        m = importlib.import_module(name)
        v = getattr(m, "__version__", None)
        out[name] = {"version": v if isinstance(v, str) else None}
    except BaseException as e:
        out[name] = {"error": "".join(traceback.format_exception_only(type(e), e)).strip()}
sys.stdout.write("\n" + json.dumps(out))
`

func smokeImports(ctx context.Context, python, work string, env, modules []string, version string) error {
	if len(modules) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, smokeToolTimeout)
	defer cancel()
	var stdout strings.Builder
	tail := &run.Tail{Lines: outputTailLines}
	err := run.Run(ctx, run.Cmd{Name: python, Args: append([]string{"-c", importScript}, modules...), Dir: work, Env: env, Stdout: &stdout, Stderr: tail})
	if err != nil {
		return &ImportError{Module: strings.Join(modules, ", "), Message: "the import check did not run: " + exitOf(err).Error(), Output: tail.String()}
	}
	text := stdout.String()
	var res map[string]struct {
		Error   string  `json:"error"`
		Version *string `json:"version"`
	}
	if err := json.Unmarshal([]byte(text[strings.LastIndexByte(text, '\n')+1:]), &res); err != nil {
		return &ImportError{Module: strings.Join(modules, ", "), Message: "the import check printed no result", Output: text}
	}
	for _, m := range modules {
		r := res[m]
		if r.Error != "" {
			return &ImportError{Module: m, Message: r.Error, Output: tail.String()}
		}
		if version == "" || r.Version == nil {
			continue
		}
		if !sameVersion(*r.Version, version) {
			return &ImportError{Module: m, Version: *r.Version, Want: version}
		}
	}
	return nil
}

func smokeTool(ctx context.Context, venv, work string, env []string, t SmokeTool, version string) error {
	command := t.Args
	if command == nil {
		command = []string{"--version"}
	}
	path := venvScript(venv, t.Name)
	if _, err := os.Stat(path); err != nil {
		return &SmokeError{Tool: t.Name, Command: command, ExitCode: -1, Detail: "was not installed", Output: fmt.Sprintf("the wheel has no console script %q (no %s)", t.Name, path)}
	}
	ctx, cancel := context.WithTimeout(ctx, smokeToolTimeout)
	defer cancel()
	tail := &run.Tail{Lines: outputTailLines}
	err := run.Run(ctx, run.Cmd{Name: path, Args: command, Dir: work, Env: env, Stdout: tail, Stderr: tail})
	out := tail.String()
	if err != nil {
		e := &SmokeError{Tool: t.Name, Command: command, ExitCode: -1, Output: out}
		var re *run.Error
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			e.Detail = fmt.Sprintf("did not finish within %s", smokeToolTimeout)
		case errors.As(err, &re) && re.ExitCode >= 0:
			e.ExitCode = re.ExitCode
			e.SmokeCommand = t.CheckVersion
		default:
			e.Detail = "could not run (" + exitOf(err).Error() + ")"
		}
		return e
	}
	if t.CheckVersion && version != "" && !pyenv.HasVersion(out, version) {
		return &SmokeError{Tool: t.Name, Command: command, ExitCode: 0, Output: out, Version: version}
	}
	return nil
}

// DefaultImports are the top-level names of a wheel the smoke test imports
// when the project does not say: all but test and documentation packages,
// which often need what only a developer has installed.
func DefaultImports(topLevel []string) []string {
	skip := []string{"test", "tests", "testing", "conftest", "doc", "docs", "example", "examples", "benchmark", "benchmarks"}
	var out []string
	for _, n := range topLevel {
		if !slices.Contains(skip, n) {
			out = append(out, n)
		}
	}
	return out
}
