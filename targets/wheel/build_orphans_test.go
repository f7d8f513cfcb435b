package wheel

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestRemoveOrphanBuilds(t *testing.T) {
	dir := t.TempDir()
	// A build of a process that is gone, one of a live process, one of
	// ours, and something else hidden.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	live := exec.Command("sleep", "30")
	if err := live.Start(); err != nil {
		t.Skip("no sleep(1):", err)
	}
	defer live.Process.Kill()
	names := map[string]bool{
		buildDirPrefix + strconv.Itoa(gone.Process.Pid) + "-1": false,
		buildDirPrefix + strconv.Itoa(live.Process.Pid) + "-2": true,
		buildDirPrefix + strconv.Itoa(os.Getpid()) + "-3":      true,
		buildDirPrefix + "old-format":                          false,
		".cache":                                               true,
	}
	for name := range names {
		if err := os.MkdirAll(filepath.Join(dir, name, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removeOrphanBuilds(dir)
	for name, kept := range names {
		_, err := os.Stat(filepath.Join(dir, name))
		if (err == nil) != kept {
			t.Errorf("%s: kept = %v, want %v", name, err == nil, kept)
		}
	}
}
