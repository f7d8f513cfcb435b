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

// In a container every run gets the same pids: a folder a killed run left
// can carry the pid of the run that finds it, or of another live process.
// Its owner file, no longer locked, says it is a dead run's all the same.
func TestRemoveOrphanBuildsOfAReusedPid(t *testing.T) {
	dir := t.TempDir()
	live := exec.Command("sleep", "30")
	if err := live.Start(); err != nil {
		t.Skip("no sleep(1):", err)
	}
	defer live.Process.Kill()
	var dead []string
	for _, pid := range []int{os.Getpid(), live.Process.Pid} {
		d := filepath.Join(dir, buildDirPrefix+strconv.Itoa(pid)+"-1")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		// As a killed builder leaves it: the file, with no lock on it.
		if err := os.WriteFile(filepath.Join(d, ".pyrelease-owner"), []byte("1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		dead = append(dead, d)
	}
	ours, err := StagingDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	removeOrphanBuilds(dir)
	for _, d := range dead {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s is still there (stat: %v)", filepath.Base(d), err)
		}
	}
	if _, err := os.Stat(ours); err != nil {
		t.Errorf("the staging folder of this live build went: %v", err)
	}
}
