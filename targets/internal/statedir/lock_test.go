package statedir

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The helper process takes a lock (STATEDIR_HELPER=lock:PATH) or makes a
// temporary directory (STATEDIR_HELPER=temp:PATTERN), prints the path and
// waits to be killed.
func TestMain(m *testing.M) {
	if what, arg, ok := strings.Cut(os.Getenv("STATEDIR_HELPER"), ":"); ok {
		path := arg
		var err error
		switch what {
		case "lock":
			_, err = TryLock(arg)
		case "temp":
			var tmp *Temp
			if tmp, err = TempDir(arg); err == nil {
				path = tmp.Path
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(2)
		}
		fmt.Println(path)
		select {}
	}
	os.Exit(m.Run())
}

// helper starts the helper process and returns it with the path it printed.
func helper(t *testing.T, env string) (*exec.Cmd, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "STATEDIR_HELPER="+env)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper said %q, %v; stderr:\n%s", line, err, stderr.String())
	}
	return cmd, strings.TrimSpace(line)
}

func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

func TestTryLockIsHeldUntilTheHolderDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	holder, _ := helper(t, "lock:"+path)
	_, err := TryLock(path)
	var held *HeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrHeld) || held.PID != holder.Process.Pid {
		t.Fatalf("TryLock of a held lock = %v: want a *HeldError naming pid %d", err, holder.Process.Pid)
	}
	kill(t, holder)
	l, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after the holder was killed: %v", err)
	}
	// Ours now, in this process as well.
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Errorf("second TryLock in the holder's process = %v, want ErrHeld", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Unlock left %s: %v", path, err)
	}
}
