package wheel

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/run"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// hookRunner is the Python side of the frontend. It is a file of its own so
// it can be read, linted and run by hand.
//
//go:embed frontend_hooks.py
var hookRunner []byte

// outputTailLines is how much of a backend's output an error keeps.
const outputTailLines = 25

// hookRequest is what the hook runner reads: which backend, which
// requirements to check, which distribution to build and where.
type hookRequest struct {
	Backend     string   `json:"backend"`
	BackendPath []string `json:"backend_path"` // absolute
	Requires    []string `json:"requires"`     // static ones, checked with the dynamic ones
	Check       []string `json:"check"`        // "sdist", "wheel": whose get_requires_* to call
	List        bool     `json:"list"`         // only report get_requires_*, check nothing
	Build       string   `json:"build,omitempty"`
	OutDir      string   `json:"outdir,omitempty"`
}

// hookResult is what the hook runner writes back.
type hookResult struct {
	Stage   string              `json:"stage"` // how far it got: import, requires, check, build, done
	Hook    string              `json:"hook"`
	Error   string              `json:"error"`
	Missing []hookMissing       `json:"missing"`
	Require map[string][]string `json:"requires"`
	File    string              `json:"file"`
}

type hookMissing struct {
	Requirement string `json:"requirement"`
	Reason      string `json:"reason"`
}

// frontend calls one backend's hooks with one interpreter.
type frontend struct {
	python  string
	dir     string // project directory, absolute; the hooks' working directory
	system  BuildSystem
	env     []string // full environment for the backend
	verbose bool
	stderr  io.Writer
}

// call runs the hook runner once. The error is for failures to run it at
// all; what the backend reported is in the result, and out is the tail of
// what the backend printed.
func (f *frontend) call(ctx context.Context, req hookRequest) (res hookResult, out string, err error) {
	// Owned (see statedir.TempDir), so that a run killed meanwhile does
	// not leave it in TMPDIR for good: the next run removes it.
	owned, err := statedir.TempDir("pyrelease-hooks-")
	if err != nil {
		return res, "", fmt.Errorf("wheel: %w", err)
	}
	defer owned.Remove()
	tmp := owned.Path
	script := filepath.Join(tmp, "pyrelease_hooks.py")
	reqPath := filepath.Join(tmp, "request.json")
	resPath := filepath.Join(tmp, "result.json")
	req.Backend = f.system.Backend
	req.BackendPath = make([]string, len(f.system.BackendPath))
	for i, p := range f.system.BackendPath {
		req.BackendPath[i] = filepath.Join(f.dir, filepath.FromSlash(p))
	}
	reqData, err := json.Marshal(req)
	if err != nil {
		return res, "", fmt.Errorf("wheel: %w", err)
	}
	if err := os.WriteFile(script, hookRunner, 0o644); err != nil {
		return res, "", fmt.Errorf("wheel: %w", err)
	}
	if err := os.WriteFile(reqPath, reqData, 0o644); err != nil {
		return res, "", fmt.Errorf("wheel: %w", err)
	}

	tail := &run.Tail{Lines: outputTailLines}
	var echo io.Writer
	if f.verbose && f.stderr != nil {
		echo = f.stderr
	}
	locked := tail.Tee(echo)
	env, err := tempEnv(f.env, tmp)
	if err != nil {
		return res, "", fmt.Errorf("wheel: %w", err)
	}
	runErr := run.Run(ctx, run.Cmd{
		Name:   f.python,
		Args:   []string{script, reqPath, resPath},
		Dir:    f.dir,
		Env:    env,
		Stdout: locked,
		Stderr: locked,
	})
	out = tail.String()
	if ctx.Err() != nil {
		return res, out, &InterruptedError{Backend: f.system.Backend, Err: ctx.Err()}
	}
	data, readErr := os.ReadFile(resPath)
	if readErr != nil {
		// The runner died before writing its result: the interpreter did
		// not start, is too old to run the script, or the backend exited
		// the process.
		msg := "the hook runner wrote no result"
		var re *run.Error
		if errors.As(runErr, &re) {
			if last := lastLine(re.Stderr); last != "" {
				msg = last
			} else if re.ExitCode >= 0 {
				msg = fmt.Sprintf("exit status %d without a result", re.ExitCode)
			} else if re.Err != nil {
				msg = re.Err.Error()
			}
		}
		return res, out, &BackendError{Backend: f.system.Backend, Python: f.python, Hook: "", Message: msg, Output: out}
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return res, out, fmt.Errorf("wheel: hook runner result %s: %w", resPath, err)
	}
	return res, out, nil
}

// failure turns a result that did not reach its goal into an error.
func (f *frontend) failure(res hookResult, out string) error {
	if len(res.Missing) > 0 {
		e := &RequirementsError{Python: f.python, Backend: f.system.Backend}
		for _, m := range res.Missing {
			e.Missing = append(e.Missing, MissingRequirement{Requirement: m.Requirement, Reason: m.Reason})
		}
		return e
	}
	hook := res.Hook
	if res.Stage == "import" {
		hook = ""
	}
	msg := res.Error
	if msg == "" {
		msg = "the hook runner stopped at stage " + res.Stage
	}
	return &BackendError{Backend: f.system.Backend, Python: f.python, Hook: hook, Message: msg, Output: out}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tempEnv is env (nil: this process's) with the temporary directory of
// Python, pip and most tools in a new folder tmp inside dir: dir is owned
// (statedir.TempDir), so what a killed command left there goes with it at
// the next run, where in TMPDIR it would stay.
func tempEnv(env []string, dir string) ([]string, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	if env == nil {
		env = os.Environ()
	}
	out := make([]string, 0, len(env)+3)
	for _, kv := range env {
		switch k, _, _ := strings.Cut(kv, "="); strings.ToUpper(k) {
		case "TMPDIR", "TEMP", "TMP":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "TMPDIR="+tmp, "TEMP="+tmp, "TMP="+tmp), nil
}
