package wheel

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSmoke(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	tests := map[string]struct {
		opts    SmokeOptions
		wantErr []string // substrings of the error; none means success
		exit    int      // SmokeError.ExitCode when an error is expected
	}{
		"version printed": {
			opts: SmokeOptions{Tools: []SmokeTool{{Name: "greet", CheckVersion: true}}, Version: "0.2.0.dev3"},
		},
		"install only when there are no tools": {
			opts: SmokeOptions{},
		},
		"tool exits 1": {
			opts:    SmokeOptions{Tools: []SmokeTool{{Name: "greet", Args: []string{"--fail"}}}, Version: "0.2.0.dev3"},
			wantErr: []string{"wheel: smoke test: greet --fail exited 1: boom: asked to fail"},
			exit:    1,
		},
		"smoke-command the tool does not take": {
			opts:    SmokeOptions{Tools: []SmokeTool{{Name: "greet", Args: []string{"--fail"}, CheckVersion: true}}, Version: "0.2.0.dev3", Available: []string{"cli"}},
			wantErr: []string{"greet --fail exited 1: boom: asked to fail\nwheel: a tool that takes other arguments is run with its own: commands.greet = [\"--help\"] in [tool.pyrelease.smoke]"},
			exit:    1,
		},
		"tool prints another version": {
			opts:    SmokeOptions{Tools: []SmokeTool{{Name: "greet", CheckVersion: true}}, Version: "0.2.0"},
			wantErr: []string{`wheel: smoke test: greet --version printed "greet 0.2.0.dev3", which does not contain the version 0.2.0`},
		},
		"tool not in the wheel": {
			opts:    SmokeOptions{Tools: []SmokeTool{{Name: "greet", CheckVersion: true}, {Name: "absent", CheckVersion: true}}, Version: "0.2.0.dev3"},
			wantErr: []string{"absent --version was not installed", `no console script "absent"`},
			exit:    -1,
		},
		"another version without the version check": {
			opts: SmokeOptions{Tools: []SmokeTool{{Name: "greet", Args: []string{"--version"}}}, Version: "0.2.0"},
		},
		"imports and their __version__": {
			opts: SmokeOptions{Imports: []string{"greet"}, Version: "0.2.0.dev3"},
		},
		"an import that fails": {
			opts:    SmokeOptions{Imports: []string{"greet", "greet_missing"}, Version: "0.2.0.dev3"},
			wantErr: []string{"wheel: smoke test: import greet_missing failed in a fresh venv: ModuleNotFoundError: No module named 'greet_missing'"},
		},
		"an import that fails, with extras not installed": {
			opts:    SmokeOptions{Imports: []string{"greet_missing"}, Version: "0.2.0.dev3", Available: []string{"cli", "http2"}},
			wantErr: []string{"import greet_missing failed", "or an optional extra of the wheel (cli, http2) the module needs: extras = [\"NAME\"] in [tool.pyrelease] installs it with the wheel"},
		},
		"a __version__ that is not the build's": {
			opts:    SmokeOptions{Imports: []string{"greet"}, Version: "0.2.0"},
			wantErr: []string{`wheel: smoke test: greet.__version__ is "0.2.0.dev3", but the wheel is version 0.2.0`},
		},
		"tool name with a path": {
			opts:    SmokeOptions{Tools: []SmokeTool{{Name: "../greet"}}},
			wantErr: []string{`tool "../greet" is not a command name`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Python = py
			tc.opts.Wheel = fixtureWheels.get(t, "greet", greetProject("0.2.0.dev3"))
			err := Smoke(context.Background(), tc.opts)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Smoke: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Smoke succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			var se *SmokeError
			if errors.As(err, &se) && se.ExitCode != tc.exit {
				t.Errorf("ExitCode = %d, want %d", se.ExitCode, tc.exit)
			}
		})
	}
}

// The user's pip settings say where dependencies come from, never where
// the wheel is installed: with PIP_TARGET or PIP_USER honoured, the tool
// would land outside the venv and be missing.
func TestSmokeKeepsPipInTheVenv(t *testing.T) {
	py := buildPython(t)
	wheel := fixtureWheels.get(t, "greet", greetProject("0.2.0.dev3"))
	t.Setenv("PIP_FIND_LINKS", filepath.Join(t.TempDir(), "nowhere"))
	t.Setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
	t.Setenv("PIP_TARGET", filepath.Join(t.TempDir(), "elsewhere"))
	t.Setenv("PIP_REQUIRE_HASHES", "1")
	t.Setenv("PIP_NO_DEPS", "1")
	t.Setenv("PYTHONPATH", t.TempDir())
	work := t.TempDir()
	if err := Smoke(context.Background(), SmokeOptions{Python: py, Wheel: wheel, Tools: []SmokeTool{{Name: "greet", CheckVersion: true}}, Version: "0.2.0.dev3", WorkDir: work}); err != nil {
		t.Fatalf("Smoke with hostile PIP_* settings: %v", err)
	}
	if _, err := os.Stat(venvScript(filepath.Join(work, "venv"), "greet")); err != nil {
		t.Errorf("the venv in WorkDir is missing or was removed: %v", err)
	}
}

func TestSmokeOfflineDependenciesComeFromFindLinksOnly(t *testing.T) {
	t.Parallel()
	py := buildPython(t)
	helper := fixtureWheels.get(t, "helper", map[string]string{
		"pyproject.toml":          "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"greethelper\"\nversion = \"1.0\"\n",
		"greethelper/__init__.py": "",
	})
	wheel := fixtureWheels.get(t, "greet-with-dep", greetProject("0.5.0", "greethelper"))
	opts := SmokeOptions{Python: py, Wheel: wheel, Offline: true, Tools: []SmokeTool{{Name: "greet", CheckVersion: true}}, Version: "0.5.0"}
	err := Smoke(context.Background(), opts)
	var ie *InstallError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "wheel: smoke test: pip could not install greet-0.5.0-") ||
		!strings.Contains(err.Error(), "with its dependencies offline (offline = true in [tool.pyrelease.smoke]), from nowhere else:") || !strings.Contains(err.Error(), "greethelper") || !strings.Contains(err.Error(), "add a directory holding the dependencies' wheels to find-links") {
		t.Fatalf("without find-links: err = %v, want an *InstallError naming the dependency and the fix", err)
	}
	opts.FindLinks = []string{filepath.Dir(helper)}
	if err := Smoke(context.Background(), opts); err != nil {
		t.Fatalf("with the dependency in FindLinks: %v", err)
	}
}

func TestSmokeErrorNamesTheExtra(t *testing.T) {
	e := &SmokeError{Tool: "httpx", Command: []string{"--version"}, ExitCode: 1, Extras: []string{"brotli", "cli", "http2"},
		Output: "The httpx command line client could not run because the required dependencies were not installed.\nMake sure you've installed everything with: pip install 'httpx[cli]'"}
	want := `wheel: a tool that needs an optional extra of the wheel (brotli, cli, http2) runs with extras = ["cli"] in [tool.pyrelease]; commands.httpx in [tool.pyrelease.smoke] sets its arguments, or false skips it`
	if !strings.HasSuffix(e.Error(), want) {
		t.Errorf("error:\n%s\nwant it to end with:\n%s", e, want)
	}
	ie := &ImportError{Module: "blackd", Extras: []string{"colorama", "d"},
		Message: "ImportError: aiohttp dependency is not installed: No module named 'aiohttp'. Please re-install black with the '[d]' extra install to obtain aiohttp_cors: `pip install black[d]`"}
	if !strings.Contains(ie.Error(), `(colorama, d) the module needs: extras = ["d"] in [tool.pyrelease]`) {
		t.Errorf("import error names no extra:\n%s", ie)
	}
	// Output that speaks of no missing module gets no extras hint.
	plain := &SmokeError{Tool: "t", Command: []string{"run"}, ExitCode: 2, Extras: []string{"cli"}, Output: "usage: t [-h]"}
	if strings.Contains(plain.Error(), "extra") {
		t.Errorf("hint without cause:\n%s", plain)
	}
	for in, want := range map[string]string{"Socks_5.X": "socks-5-x", "cli": "cli", "a--b": "a-b", "HTTP2": "http2"} {
		if got := NormalizeExtra(in); got != want {
			t.Errorf("NormalizeExtra(%q) = %q, want %q", in, got, want)
		}
	}
}
