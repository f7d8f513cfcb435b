package wheel

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
)

// Sentinels of the frontend, the interpreter probe and the smoke test, to
// test with errors.Is; the typed errors below carry the details.
var (
	// ErrNotProject means a directory has neither pyproject.toml nor
	// setup.py, so there is nothing a build backend could build.
	ErrNotProject = errors.New("not a Python project")
	// ErrBadBuildSystem means [build-system] in pyproject.toml is malformed.
	ErrBadBuildSystem = errors.New("bad [build-system] table")
	// ErrNoInterpreter means no Python candidate can run the build backend.
	ErrNoInterpreter = errors.New("no Python can run the build backend")
	// ErrMissingRequirements means the chosen Python lacks what the backend
	// needs, and isolation is off.
	ErrMissingRequirements = errors.New("build requirements missing")
	// ErrBackend means a backend hook failed.
	ErrBackend = errors.New("build backend failed")
	// ErrSmoke means the installed wheel did not pass the smoke test.
	ErrSmoke = errors.New("smoke test failed")
)

// BuildSystemError says which field of which pyproject.toml is malformed.
type BuildSystemError struct {
	Path   string // pyproject.toml
	Field  string // e.g. "[build-system].requires"
	Detail string // what was expected
}

func (e *BuildSystemError) Error() string {
	return fmt.Sprintf("wheel: %s: %s: %s", e.Path, e.Field, e.Detail)
}

// Unwrap makes errors.Is(err, ErrBadBuildSystem) true.
func (e *BuildSystemError) Unwrap() error { return ErrBadBuildSystem }

// Attempt is one interpreter the probe tried and why it was not used.
type Attempt struct {
	Name   string // as configured or looked up, e.g. "python3"
	Path   string // resolved path; "" when it was not found
	Reason string // e.g. "No module named 'hatchling'"
}

func (a Attempt) String() string {
	name := a.Name
	if a.Path != "" && a.Path != a.Name {
		name = fmt.Sprintf("%s (%s)", a.Name, a.Path)
	}
	return name + ": " + a.Reason
}

// InterpreterError lists the interpreters tried for a backend, so one line
// tells the user what to install or configure.
type InterpreterError struct {
	Backend string
	Tried   []Attempt
	Install []string // requirements that would help, e.g. "hatchling"
	// Outdated maps a requirement of Install to the version installed,
	// which is too old: an upgrade, not an install, is the advice.
	Outdated map[string]string
	Explicit string // where the only candidate came from, when configured
}

func (e *InterpreterError) Error() string {
	tried := make([]string, len(e.Tried))
	for i, a := range e.Tried {
		tried[i] = a.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "wheel: no Python can import the build backend %q (tried: %s)", e.Backend, strings.Join(tried, "; "))
	var apt, pip, old []string
	for _, d := range e.Install {
		pip = append(pip, shellWord(d))
		if v, ok := e.Outdated[d]; ok {
			old = append(old, fmt.Sprintf("%s needs %s, %s is installed", requirementName(d), shellWord(d), v))
			continue
		}
		if pkg, ok := debianPackages[config.NormalizeName(requirementName(d))]; ok && !slices.Contains(apt, pkg) {
			apt = append(apt, pkg)
		}
	}
	switch {
	case len(old) > 0:
		// Debian's package is the old one: only pip has the newer release.
		fmt.Fprintf(&b, "; %s: upgrade with pip install --upgrade %s", strings.Join(old, "; "), strings.Join(pip, " "))
	case len(e.Install) > 0:
		it := "it"
		if len(e.Install) > 1 {
			it = "them"
		}
		if len(apt) == len(e.Install) {
			fmt.Fprintf(&b, "; install %s, e.g. apt-get install %s or pip install %s", it, strings.Join(apt, " "), strings.Join(pip, " "))
		} else {
			fmt.Fprintf(&b, "; install %s, e.g. pip install %s", it, strings.Join(pip, " "))
		}
	}
	if e.Explicit != "" {
		fmt.Fprintf(&b, ", or change %s", e.Explicit)
	} else {
		b.WriteString(", or set python in [tool.pyrelease]")
	}
	return b.String()
}

// debianPackages are the Debian 12 packages that provide build backends
// and their requirements, by PEP 503 name. Only packages that exist are
// suggested: a guessed python3-NAME sends users to apt for nothing.
var debianPackages = map[string]string{
	"setuptools":        "python3-setuptools",
	"wheel":             "python3-wheel",
	"hatchling":         "python3-hatchling",
	"flit-core":         "flit",
	"poetry-core":       "python3-poetry-core",
	"setuptools-scm":    "python3-setuptools-scm",
	"hatch-vcs":         "python3-hatch-vcs",
	"packaging":         "python3-packaging",
	"pathspec":          "python3-pathspec",
	"pluggy":            "python3-pluggy",
	"trove-classifiers": "python3-trove-classifiers",
}

// Unwrap makes errors.Is(err, ErrNoInterpreter) true.
func (e *InterpreterError) Unwrap() error { return ErrNoInterpreter }

// MissingRequirement is a build requirement an interpreter does not satisfy.
type MissingRequirement struct {
	Requirement string // as the project or backend wrote it, e.g. "wheel>=0.36"
	Reason      string // "not installed", "version 0.30 is installed"
}

// RequirementsError lists what the backend needs and the interpreter lacks.
type RequirementsError struct {
	Python  string
	Backend string
	Missing []MissingRequirement
}

func (e *RequirementsError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = fmt.Sprintf("%q (%s)", m.Requirement, m.Reason)
	}
	return fmt.Sprintf("wheel: the build backend %q needs %s, which %s cannot import; install it into that Python, choose another with python in [tool.pyrelease], or turn on isolation",
		e.Backend, strings.Join(parts, ", "), e.Python)
}

// Unwrap makes errors.Is(err, ErrMissingRequirements) true.
func (e *RequirementsError) Unwrap() error { return ErrMissingRequirements }

// BackendError is a failed hook, with the tail of what the backend printed.
type BackendError struct {
	Backend string
	Python  string
	Hook    string // e.g. "build_wheel"; "" when the backend did not load
	Message string // the exception, e.g. "SyntaxError: invalid syntax (setup.py, line 3)"
	Output  string // the last lines the backend printed
}

func (e *BackendError) Error() string {
	var b strings.Builder
	if e.Hook == "" {
		fmt.Fprintf(&b, "wheel: build backend %q failed to load in %s: %s", e.Backend, e.Python, e.Message)
	} else {
		fmt.Fprintf(&b, "wheel: build backend %q failed in %s: %s", e.Backend, e.Hook, e.Message)
	}
	if out := strings.TrimSpace(e.Output); out != "" {
		b.WriteString("\n" + out)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrBackend) true.
func (e *BackendError) Unwrap() error { return ErrBackend }

// InterruptedError is a build stopped by Ctrl-C, SIGTERM or a deadline:
// the backend was stopped and nothing reached the output directory.
type InterruptedError struct {
	Backend string
	Err     error // context.Canceled or context.DeadlineExceeded
}

func (e *InterruptedError) Error() string {
	why := "interrupted"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		why = "out of time"
	}
	return fmt.Sprintf("wheel: build %s: stopped the build backend %q; nothing was added to dist/ and the version files are restored", why, e.Backend)
}

// Unwrap makes errors.Is(err, context.Canceled) true.
func (e *InterruptedError) Unwrap() error { return e.Err }

// SmokeError says which tool failed the smoke test and how.
type SmokeError struct {
	Tool     string
	Command  []string
	ExitCode int    // -1 when it did not run or was killed
	Output   string // the tail of what the tool printed
	Version  string // the version that was expected, when the output lacked it
	Detail   string // what went wrong, for the message
	// Extras are the wheel's extras the smoke test did not install: a
	// tool behind one fails without it.
	Extras []string
	// SmokeCommand is set when the tool ran with smoke-command (by default
	// --version), not with arguments of its own.
	SmokeCommand bool
}

func (e *SmokeError) Error() string {
	cmd := strings.Join(append([]string{e.Tool}, e.Command...), " ")
	switch {
	case e.Version != "":
		return fmt.Sprintf("wheel: smoke test: %s printed %q, which does not contain the version %s", cmd, strings.TrimSpace(e.Output), e.Version)
	case e.Detail != "":
		return fmt.Sprintf("wheel: smoke test: %s %s: %s", cmd, e.Detail, strings.TrimSpace(e.Output))
	}
	msg := fmt.Sprintf("wheel: smoke test: %s exited %d: %s", cmd, e.ExitCode, strings.TrimSpace(e.Output))
	switch {
	case len(e.Extras) > 0 && missingDependency.MatchString(e.Output):
		msg += fmt.Sprintf("\nwheel: a tool that needs an optional extra of the wheel (%s) runs with %s in [tool.pyrelease]; commands.%s in [tool.pyrelease.smoke] sets its arguments, or false skips it",
			strings.Join(e.Extras, ", "), extrasSetting(e.Extras, e.Output), e.Tool)
	case e.SmokeCommand:
		msg += fmt.Sprintf("\nwheel: a tool that takes other arguments is run with its own: commands.%s = [\"--help\"] in [tool.pyrelease.smoke] (only exit status 0 is required then), or false skips it", e.Tool)
	}
	return msg
}

// missingDependency is output that speaks of a module or package that is
// not installed.
var missingDependency = regexp.MustCompile(`(?i)no module named|modulenotfounderror|importerror|pip install|dependenc|not installed|extra`)

// Unwrap makes errors.Is(err, ErrSmoke) true.
func (e *SmokeError) Unwrap() error { return ErrSmoke }

// InstallError is a wheel pip could not install into the smoke test's
// venv, nearly always because a dependency was not where pip looked.
type InstallError struct {
	Wheel     string
	Offline   bool
	FindLinks []string
	Output    string // the tail of pip's output
	Err       error
}

func (e *InstallError) Error() string {
	where := "from the index pip is configured with (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, pip.conf)"
	hint := "make that index serve the dependencies, or set offline = true and find-links in [tool.pyrelease.smoke] to install them from a local wheelhouse"
	if len(e.FindLinks) > 0 {
		where += " and " + strings.Join(e.FindLinks, ", ")
	}
	if e.Offline {
		where = "offline (offline = true in [tool.pyrelease.smoke]), from nowhere else"
		if len(e.FindLinks) > 0 {
			where = "offline (offline = true in [tool.pyrelease.smoke]), only from " + strings.Join(e.FindLinks, ", ")
		}
		hint = "add a directory holding the dependencies' wheels to find-links in [tool.pyrelease.smoke], or set offline = false to install them from the index"
	}
	return fmt.Sprintf("wheel: smoke test: pip could not install %s with its dependencies %s: %s\n%s\nwheel: %s",
		e.Wheel, where, lastLine(e.Output), strings.TrimSpace(e.Output), hint)
}

// Unwrap makes errors.Is(err, ErrSmoke) true.
func (e *InstallError) Unwrap() []error { return []error{ErrSmoke, e.Err} }

// ImportError is a module of the wheel that did not import in the smoke
// test's venv, or whose __version__ is not the build's.
type ImportError struct {
	Module  string
	Message string // the exception, when the import failed
	Output  string
	Version string // the module's __version__, when it differs
	Want    string
	// Extras are the wheel's extras the smoke test did not install.
	Extras []string
}

func (e *ImportError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("wheel: smoke test: %s.__version__ is %q, but the wheel is version %s: the version file the build stamps is not the one the package reads (set version-file in [tool.pyrelease]), or list the modules to check in imports of [tool.pyrelease.smoke]", e.Module, e.Version, e.Want)
	}
	msg := fmt.Sprintf("wheel: smoke test: import %s failed in a fresh venv: %s", e.Module, e.Message)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	if len(e.Extras) > 0 {
		return msg + fmt.Sprintf("\nwheel: a dependency missing from the wheel's metadata is the usual cause, or an optional extra of the wheel (%s) the module needs: %s in [tool.pyrelease] installs it with the wheel, and imports in [tool.pyrelease.smoke] says which modules to check",
			strings.Join(e.Extras, ", "), extrasSetting(e.Extras, e.Message+"\n"+e.Output))
	}
	return msg + "\nwheel: a dependency missing from the wheel's metadata is the usual cause; imports in [tool.pyrelease.smoke] says which modules to check"
}

// Unwrap makes errors.Is(err, ErrSmoke) true.
func (e *ImportError) Unwrap() error { return ErrSmoke }

// shellWord quotes a requirement for a copy-pasted pip command line.
func shellWord(s string) string {
	if strings.ContainsAny(s, " <>=!~;*'\"[]()&|$") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

// extrasSetting is the extras setting a message suggests: the extra the
// output names as pip spells it (pip install 'httpx[cli]'), else the
// first extra whose name the output mentions, else a placeholder.
func extrasSetting(extras []string, output string) string {
	lower := strings.ToLower(output)
	for _, e := range extras {
		if strings.Contains(lower, "["+strings.ToLower(e)+"]") {
			return fmt.Sprintf("extras = [%q]", e)
		}
	}
	for _, e := range extras {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(strings.ToLower(e)) + `\b`).MatchString(lower) {
			return fmt.Sprintf("extras = [%q]", e)
		}
	}
	return `extras = ["NAME"]`
}
