package targets

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/internal/fastpath"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// The standalone program answers `version` without the targets (see
// fastpath): what it prints, on both streams, and what it writes to
// GITHUB_OUTPUT must be what the version target prints, in every shape
// of project and repository; where it cannot be sure, it must hand over.
func TestFastPathPrintsWhatTheVersionTargetPrints(t *testing.T) {
	testenv.Require(t, "git")
	type repo struct {
		pyproject string
		files     map[string]string
		setup     func(t *testing.T, dir string) // after the first commit
	}
	project := "[project]\nname = \"greet\"\ndynamic = [\"version\"]\n"
	tag := func(name string) func(*testing.T, string) {
		return func(t *testing.T, dir string) { testenv.Git(t, dir, "tag", name) }
	}
	commits := func(n int) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			for range n {
				testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "work")
			}
		}
	}
	chain := func(fs ...func(*testing.T, string)) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			for _, f := range fs {
				f(t, dir)
			}
		}
	}
	repos := map[string]repo{
		"on a tag":               {pyproject: project, setup: tag("v1.2.0")},
		"after a tag":            {pyproject: project, setup: chain(tag("v1.2.0"), commits(3))},
		"no tag":                 {pyproject: project, setup: commits(1)},
		"another package's tags": {pyproject: project, setup: chain(tag("tools-v2.0.0"), commits(1))},
		"a release on another branch": {pyproject: project, setup: chain(tag("v1.0.0"), func(t *testing.T, dir string) {
			testenv.Git(t, dir, "checkout", "-q", "-b", "release")
			testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "release")
			testenv.Git(t, dir, "tag", "v2.0.0")
			testenv.Git(t, dir, "checkout", "-q", "main")
			testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "work")
		})},
		"tag-pattern and semver": {pyproject: project + "[tool.pyrelease]\ntag-pattern = \"greet/v*\"\nversion-format = \"semver\"\n",
			setup: chain(tag("greet/v0.3.0"), tag("other/v9.0.0"), commits(2))},
		"dirty": {pyproject: project, setup: func(t *testing.T, dir string) {
			testenv.Git(t, dir, "tag", "v1.0.0")
			os.WriteFile(filepath.Join(dir, "README"), []byte("changed\n"), 0o644)
		}},
		"version file scheme": {pyproject: project + "[tool.pyrelease]\nversion-scheme = \"file\"\nversion-file = \"greet.py\"\n",
			files: map[string]string{"greet.py": "__version__ = \"3.1.0\"\n"}, setup: chain(tag("v3.0.0"), commits(1))},
		"release branch": {pyproject: project + "[tool.pyrelease]\nversion-file = \"greet.py\"\n[tool.pyrelease.release]\nrelease-branch = \"pypi-release\"\n",
			files: map[string]string{"greet.py": "__version__ = \"0.2.0\"\n"}, setup: chain(tag("v0.1.0"), func(t *testing.T, dir string) {
				testenv.Git(t, dir, "checkout", "-q", "-b", "pypi-release")
				testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "release 0.2.0")
			})},
	}
	ci := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_HEAD_REF": "feature/x", "GITHUB_SERVER_URL": "https://forge.example.test", "GITHUB_REPOSITORY": "me/greet", "GITHUB_RUN_ID": "42"}
	for name, r := range repos {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"pyproject.toml": r.pyproject, "README": "greet\n"}
			for k, v := range r.files {
				files[k] = v
			}
			for k, v := range files {
				if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			testenv.Git(t, dir, "init", "-q", "-b", "main")
			testenv.Git(t, dir, "add", "-A")
			testenv.Git(t, dir, "commit", "-q", "-m", "start")
			r.setup(t, dir)
			t.Chdir(dir)
			for _, env := range []map[string]string{nil, ci} {
				for _, format := range []string{"", "json", "describe"} {
					args := []string{"version"}
					if format != "" {
						args = append(args, "-format="+format)
					}
					for k, v := range env {
						t.Setenv(k, v)
					}
					t.Setenv("GITHUB_OUTPUT", filepath.Join(t.TempDir(), "target"))
					wantOut, wantErr := runVersionTarget(t, format)
					wantGH, _ := os.ReadFile(os.Getenv("GITHUB_OUTPUT"))
					t.Setenv("GITHUB_OUTPUT", filepath.Join(t.TempDir(), "fast"))
					var out, errb bytes.Buffer
					if !fastpath.Version(context.Background(), args, os.Getenv, os.Environ(), &out, &errb) {
						t.Fatalf("%v: the fast path handed over", args)
					}
					gotGH, _ := os.ReadFile(os.Getenv("GITHUB_OUTPUT"))
					if out.String() != wantOut || errb.String() != wantErr || string(gotGH) != string(wantGH) {
						t.Errorf("%v (CI %v):\nfast path stdout %q\nstderr %q\nGITHUB_OUTPUT %q\ntarget stdout %q\nstderr %q\nGITHUB_OUTPUT %q",
							args, env != nil, out.String(), errb.String(), gotGH, wantOut, wantErr, wantGH)
					}
					for k := range env {
						os.Unsetenv(k)
					}
				}
			}
		})
	}
}

// runVersionTarget runs the version target with its output captured.
func runVersionTarget(t *testing.T, format string) (stdoutText, stderrText string) {
	t.Helper()
	versions.Clear()
	warned.Clear()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	var f *string
	if format != "" {
		f = &format
	}
	done := make(chan [2]string)
	go func() {
		o, _ := io.ReadAll(outR)
		e, _ := io.ReadAll(errR)
		done <- [2]string{string(o), string(e)}
	}()
	err := Version(context.Background(), f)
	os.Stdout, os.Stderr = oldOut, oldErr
	outW.Close()
	errW.Close()
	got := <-done
	if err != nil {
		t.Fatalf("the version target: %v", err)
	}
	return got[0], got[1]
}

// Where the full program has something to do or say first, the fast path
// hands over, and writes nothing.
func TestFastPathHandsOver(t *testing.T) {
	testenv.Require(t, "git")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"greet\"\ndynamic = [\"version\"]\n"), 0o644)
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "start")
	testenv.Git(t, dir, "tag", "v1.0.0")
	t.Chdir(dir)
	handles := func(args ...string) bool {
		var out, errb bytes.Buffer
		ok := fastpath.Version(context.Background(), args, os.Getenv, os.Environ(), &out, &errb)
		if !ok && out.Len()+errb.Len() > 0 {
			t.Errorf("%v handed over after writing %q %q", args, out.String(), errb.String())
		}
		return ok
	}
	if !handles("version") || !handles("VERSION", "-format=json") {
		t.Fatal("the fast path does not answer version in a plain project")
	}
	for _, args := range [][]string{{}, {"describe"}, {"-v", "version"}, {"version", "-format=xml"}, {"version", "-format", "json"}, {"version", "wheel"}, {"wheel"}} {
		if handles(args...) {
			t.Errorf("the fast path answered %q", args)
		}
	}
	t.Run("mage's switches", func(t *testing.T) {
		t.Setenv("MAGEFILE_VERBOSE", "1")
		if handles("version") {
			t.Error("answered with MAGEFILE_VERBOSE set")
		}
	})
	t.Run("the mage tool's settings", func(t *testing.T) {
		t.Setenv("MAGEFILE_HASHFAST", "1") // the CI templates set it for every step
		t.Setenv("MAGEFILE_CACHE", t.TempDir())
		t.Setenv("MAGEFILE_VERBOSE", "0")
		if !handles("version") {
			t.Error("handed over for settings that change nothing of its answer")
		}
	})
	t.Run("bad config", func(t *testing.T) {
		t.Setenv("PYRELEASE_VERSION_FORMAT", "roman")
		if handles("version") {
			t.Error("answered with an invalid setting")
		}
	})
	dirs, err := statedir.For(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, left := range []string{statedir.StampJournal, statedir.BuildMark, statedir.ReleaseJournal} {
		t.Run("left "+left, func(t *testing.T) {
			path := filepath.Join(dirs.Work, left)
			os.MkdirAll(dirs.Work, 0o755)
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			if handles("version") {
				t.Errorf("answered with %s left by a killed run", left)
			}
		})
	}
	t.Run("no tag to describe", func(t *testing.T) {
		t.Setenv("PYRELEASE_TAG_PATTERN", "nothing-*")
		t.Setenv("PYRELEASE_VERSION_SCHEME", "file")
		if handles("version") {
			t.Error("answered an error case")
		}
	})
}
