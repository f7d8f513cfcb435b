package wheel

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakePython writes an executable named name in a new directory that runs
// Debian's interpreter with extra flags (-S hides dist-packages, so it
// cannot import hatchling: a stand-in for pyenv's python3).
func fakePython(t *testing.T, name, flags string) string {
	t.Helper()
	py := buildPython(t)
	dir := t.TempDir()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexec "+py+" "+flags+" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func hatchProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"p\"\nversion = \"1\"\n",
		"p/__init__.py":  "",
	})
	return dir
}

func TestInterpreterFallsThroughToOneThatCanImport(t *testing.T) {
	py := buildPython(t)
	broken := fakePython(t, "python3", "-S")
	t.Setenv("PATH", filepath.Dir(broken)+string(os.PathListSeparator)+os.Getenv("PATH"))
	got, err := Interpreter(context.Background(), InterpreterOptions{Dir: hatchProject(t)})
	if err != nil {
		t.Fatal(err)
	}
	if got != py {
		t.Errorf("Interpreter = %q, want %q (the python3 first on PATH cannot import hatchling)", got, py)
	}
}

func TestInterpreterSkipsMachinePython3WithoutHatchling(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	first, err := exec.LookPath("python3")
	if err != nil || exec.Command(first, "-c", "import hatchling").Run() == nil {
		t.Skip("the python3 on PATH can import hatchling (or there is none): nothing to fall through")
	}
	got, err := Interpreter(context.Background(), InterpreterOptions{Dir: hatchProject(t)})
	if err != nil || got != py {
		t.Errorf("Interpreter = %q, %v; want %s", got, err, py)
	}
}

func TestInterpreterHonoursTheConfiguredOne(t *testing.T) {
	t.Parallel()
	good := fakePython(t, "mypython", "")
	broken := fakePython(t, "python3", "-S")
	tests := map[string]struct {
		opts    InterpreterOptions
		want    string
		wantErr string
	}{
		"configured": {opts: InterpreterOptions{Python: good}, want: good},
		"configured one that cannot import is an error, not a fallback": {
			opts:    InterpreterOptions{Python: broken},
			wantErr: "No module named 'hatchling'",
		},
		"configured one that does not exist": {
			opts:    InterpreterOptions{Python: filepath.Join(t.TempDir(), "nope")},
			wantErr: "nope: not found",
		},
		"advice names the variable that set it": {
			opts:    InterpreterOptions{Python: broken, PythonFrom: "PYRELEASE_PYTHON"},
			wantErr: "or change PYRELEASE_PYTHON",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.opts.Dir = hatchProject(t)
			got, err := Interpreter(context.Background(), tc.opts)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "or change ") {
					t.Fatalf("err = %v, want ErrNoInterpreter mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Interpreter = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestInterpreterErrorWhenNothingCanImport(t *testing.T) {
	t.Parallel()
	buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"pyproject.toml": "[build-system]\nrequires = [\"pyrelease-fake-backend>=2\"]\nbuild-backend = \"pyrelease_fake_backend.build\"\n"})
	_, err := Interpreter(context.Background(), InterpreterOptions{Dir: dir})
	var ie *InterpreterError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InterpreterError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`wheel: no Python can import the build backend "pyrelease_fake_backend.build" (tried: `,
		"/usr/bin/python3: No module named 'pyrelease_fake_backend'",
		"install it, e.g. pip install 'pyrelease-fake-backend>=2'",
		"or set python in [tool.pyrelease]",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message spans lines: %q", msg)
	}
}

func TestInterpreterReportsMissingRequirement(t *testing.T) {
	t.Parallel()
	buildPython(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"hatchling\", \"pyrelease-no-such-dist\"]\nbuild-backend = \"hatchling.build\"\n",
	})
	_, err := Interpreter(context.Background(), InterpreterOptions{Dir: dir, Python: "/usr/bin/python3"})
	if err == nil || !strings.Contains(err.Error(), `needs "pyrelease-no-such-dist" (not installed)`) || !strings.Contains(err.Error(), "pip install pyrelease-no-such-dist") {
		t.Fatalf("err = %v", err)
	}
}
