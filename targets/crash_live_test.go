//go:build linux

package targets_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestCrashLiveRun runs `mage stamped` as a build that holds its stamp
// (its command waits), and checks what other runs do meanwhile and once it
// is killed with SIGKILL, alone, as the OOM killer kills one process:
//   - a second run starts with the journal's recovery, and must leave the
//     live run's files stamped;
//   - a second stamp of the project refuses, naming the live run;
//   - the command mage started dies with mage;
//   - the next run restores the files.
func TestCrashLiveRun(t *testing.T) {
	testenv.Require(t, "git")
	p := newCrashProject(t, compileExample(t))
	p.git(t, "commit", "-q", "--allow-empty", "-m", "More work")
	versionFile := filepath.Join(p.dir, "src", "greet", "version.py")
	orig, err := os.ReadFile(versionFile)
	if err != nil {
		t.Fatal(err)
	}

	// The command replaces the shell (exec), so it is the process mage
	// started, and says its pid once the files are stamped.
	pidFile := filepath.Join(p.work, "child.pid")
	owner := exec.Command(p.bin, "stamped", "echo $$ > "+pidFile+"; exec sleep 120")
	owner.Dir = p.dir
	owner.Env = p.env
	var ownerOut bytes.Buffer
	owner.Stdout, owner.Stderr = &ownerOut, &ownerOut
	owner.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { _ = owner.Wait(); close(waited) }()
	t.Cleanup(func() { killSession(t, owner.Process.Pid); <-waited })
	child := 0
	for deadline := time.Now().Add(crashRunLimit); child == 0; time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(pidFile); err == nil && bytes.HasSuffix(data, []byte("\n")) {
			child, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
		select {
		case <-waited:
			t.Fatalf("mage stamped ended before its command started:\n%s", ownerOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mage stamped did not start its command within %s:\n%s", crashRunLimit, ownerOut.String())
		}
	}
	stamped, err := os.ReadFile(versionFile)
	if err != nil || bytes.Equal(stamped, orig) {
		t.Fatalf("%s is not stamped while mage stamped runs (err %v):\n%s", versionFile, err, stamped)
	}

	r := p.launch(t, -1, nil, "version")
	if r.err != nil {
		t.Fatalf("mage version while another run builds: %v\n%s", r.err, r.output())
	}
	if got, _ := os.ReadFile(versionFile); !bytes.Equal(got, stamped) {
		t.Errorf("mage version while another run builds changed %s:\n%s\nwant it stamped:\n%s", versionFile, got, stamped)
	}
	if !strings.Contains(r.stderr, "in progress") {
		t.Errorf("mage version does not say that a build is in progress:\n%s", r.stderr)
	}

	r = p.launch(t, -1, nil, "stamped", "true")
	if r.err == nil || !strings.Contains(r.stderr, "process "+strconv.Itoa(owner.Process.Pid)) {
		t.Errorf("a second mage stamped: err %v, want a refusal naming process %d:\n%s", r.err, owner.Process.Pid, r.output())
	}
	if got, _ := os.ReadFile(versionFile); !bytes.Equal(got, stamped) {
		t.Errorf("the refused mage stamped changed %s:\n%s", versionFile, got)
	}

	// mage alone, not its session: what it started must end with it.
	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-waited
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		pids, err := sessionProcs(owner.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(pids, child) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the command mage started (pid %d) outlives mage killed with SIGKILL", child)
			break
		}
	}
	killSession(t, owner.Process.Pid)

	r = p.launch(t, -1, nil, "version")
	if r.err != nil {
		t.Fatalf("mage version after the kill: %v\n%s", r.err, r.output())
	}
	if err := p.checkTree(versionFile, orig); err != nil {
		t.Errorf("after mage version: %v", err)
	}
}
