//go:build unix

package targets_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestTerminationRestoresStampedFiles stops `mage stamped` with SIGTERM,
// as CI systems stop a job, and with SIGHUP, as a closed terminal does:
// the stamped command's process group is stopped and the version file gets
// its bytes back, as with Ctrl-C.
func TestTerminationRestoresStampedFiles(t *testing.T) {
	testenv.Require(t, "git")
	bin := compileExample(t)
	for name, sig := range map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "SIGHUP": syscall.SIGHUP, "SIGINT": syscall.SIGINT} {
		seconds := map[syscall.Signal]string{syscall.SIGTERM: "3001", syscall.SIGHUP: "3002", syscall.SIGINT: "3003"}[sig]
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "proj")
			if err := copyProject(filepath.Join("..", "examples"), dir); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "init"}, {"tag", "v0.1.0"}, {"commit", "-q", "--allow-empty", "-m", "more"}} {
				if out, err := testenv.GitE(dir, nil, args...); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			versionFile := filepath.Join(dir, "src", "greet", "version.py")
			before, err := os.ReadFile(versionFile)
			if err != nil {
				t.Fatal(err)
			}
			// The child's own command line (sleep 300N) finds it in /proc.
			token := "sleep\x00" + seconds + "\x00"
			t.Cleanup(func() { killWith(token) })
			marker := filepath.Join(t.TempDir(), "started")
			cmd := exec.Command(bin, "stamped", "echo started > "+marker+"; exec sleep "+seconds)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "MAGEFILE_HASHFAST=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(60 * time.Second)
			for !fileThere(marker) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the stamped command did not start\n%s", stderr.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if stamped, _ := os.ReadFile(versionFile); bytes.Equal(stamped, before) {
				t.Fatalf("the version file is not stamped while the command runs")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("mage did not stop on %s\n%s", name, stderr.String())
			}
			after, err := os.ReadFile(versionFile)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, before) {
				t.Errorf("after %s the version file holds\n%s\nwant\n%s\nstderr:\n%s", name, after, before, stderr.String())
			}
			// The child goes with its process group, within the grace
			// the runner gives it.
			for end := time.Now().Add(10 * time.Second); processWith(token); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(end) {
					t.Fatalf("the stamped command is still running after %s", name)
				}
			}
		})
	}
}

func fileThere(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// killWith kills what a failed run left running.
func killWith(token string) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(data), token) {
			continue
		}
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// processWith reports a running process whose command line holds token.
func processWith(token string) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(data), token) {
			return true
		}
	}
	return false
}
