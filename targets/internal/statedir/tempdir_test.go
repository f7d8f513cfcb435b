package statedir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func TestSweepTempRemovesOnlyDeadRunsDirectories(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, live := helper(t, "temp:pyrelease-hooks-")
	dead, gone := helper(t, "temp:pyrelease-smoke-")
	kill(t, dead)
	ours, err := TempDir("pyrelease-isolated-")
	if err != nil {
		t.Fatal(err)
	}
	// Not made by TempDir: a cache, and a directory of another program.
	for _, d := range []string{"pyrelease-cache", "pip-build-1"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removed := SweepTemp()
	if want := []string{filepath.Base(gone)}; !slices.Equal(removed, want) {
		t.Errorf("SweepTemp removed %q, want %q", removed, want)
	}
	for _, d := range []string{live, ours.Path, filepath.Join(tmp, "pyrelease-cache"), filepath.Join(tmp, "pip-build-1")} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	if err := ours.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ours.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Remove left %s: %v", ours.Path, err)
	}
}

// A sweep of a shared TMPDIR opens owner files in folders anyone could have
// made: a symbolic link there must not lead its lock to write elsewhere.
func TestSweepTempFollowsNoSymbolicLink(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(tmp, "pyrelease-hooks-1")
	if err := os.Mkdir(planted, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(planted, ownerName)); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if removed := SweepTemp(); len(removed) != 0 {
		t.Errorf("SweepTemp removed %q", removed)
	}
	if data, err := os.ReadFile(victim); err != nil || string(data) != "keep me\n" {
		t.Errorf("the file the link points to holds %q (err %v)", data, err)
	}
}

// A run killed between making its folder and locking the owner file
// leaves a folder without one; the pid in its name tells it is a dead
// run's.
func TestSweepRemovesAFolderKilledBeforeItsOwnerFile(t *testing.T) {
	parent := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("no true: %v", err)
	}
	dead := cmd.ProcessState.Pid()
	gone := filepath.Join(parent, fmt.Sprintf("pyrelease-hooks-%d-123456", dead))
	live := filepath.Join(parent, fmt.Sprintf("pyrelease-hooks-%d-654321", os.Getppid()))
	plain := filepath.Join(parent, "pyrelease-hooks-987654")
	for _, d := range []string{gone, live, plain} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removed := Sweep(parent, "pyrelease-")
	if len(removed) != 1 || removed[0] != gone {
		t.Fatalf("Sweep removed %q, want only %s", removed, gone)
	}
	for _, d := range []string{live, plain} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v; a live or unnamed creator's folder must stay", d, err)
		}
	}
}
