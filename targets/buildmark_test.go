package targets

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// TestBuildMarkRemovesSdistStaging: a build killed while setuptools had
// its release tree in {name}-{version}/ leaves that folder; the next run
// removes it, and nothing else: not a folder that was there before, not a
// new folder of another version, not one without a PKG-INFO.
func TestBuildMarkRemovesSdistStaging(t *testing.T) {
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q")
	mkdir := func(name string, pkgInfo bool) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if pkgInfo {
			if err := os.WriteFile(filepath.Join(dir, name, "PKG-INFO"), []byte("Metadata-Version: 2.1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkdir("kept-1.0.dev3", true) // there before the build: the user's
	p := &project{cfg: &config.Config{Dir: dir}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := p.markBuild("1.0.dev3"); err != nil {
		t.Fatal(err)
	}
	// What the killed build left, and what it did not make.
	mkdir("greet-1.0.dev3", true)
	mkdir("greet_tool-1.0.dev3", true)
	mkdir("greet-1.0.dev2", true)
	mkdir("notes-1.0.dev3", false)

	// The next run, in a new process.
	next := &project{cfg: &config.Config{Dir: dir}, log: p.log}
	removed := next.recoverBuild()
	slices.Sort(removed)
	if want := []string{"greet-1.0.dev3", "greet_tool-1.0.dev3"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	for _, name := range []string{"kept-1.0.dev3", "greet-1.0.dev2", "notes-1.0.dev3"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	if again := next.recoverBuild(); len(again) != 0 {
		t.Errorf("a second recovery removed %q: the mark should be gone", again)
	}
	if path, _ := p.buildMarkPath(); fileExistsAt(path) {
		t.Errorf("the mark %s is still there", path)
	}
}

func fileExistsAt(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestRecoverBuildSweepsTMPDIR: every run starts by removing the
// temporary directories of killed runs, and keeps a live run's.
func TestRecoverBuildSweepsTMPDIR(t *testing.T) {
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	live, err := statedir.TempDir("pyrelease-hooks-")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Remove()
	// As a killed run leaves it: an owner file nobody holds.
	dead := filepath.Join(tmp, "pyrelease-smoke-1")
	if err := os.Mkdir(dead, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dead, ".pyrelease-owner"), []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &project{cfg: &config.Config{Dir: dir}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	p.recoverBuild()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the killed run's %s is still there (stat: %v)", dead, err)
	}
	if _, err := os.Stat(live.Path); err != nil {
		t.Errorf("the live run's %s went: %v", live.Path, err)
	}
}
