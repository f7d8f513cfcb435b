package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestErrorCarriesCommandExitCodeAndStderr(t *testing.T) {
	_, err := Output(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "echo out; echo 'bad thing happened' >&2; exit 3"}})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if e.ExitCode != 3 || !strings.Contains(e.Stderr, "bad thing happened") {
		t.Errorf("got exit %d stderr %q", e.ExitCode, e.Stderr)
	}
	if msg := err.Error(); !strings.Contains(msg, "sh -c 'echo out;") || !strings.Contains(msg, "exit status 3") {
		t.Errorf("message %q lacks the command line or status", msg)
	}
}

func TestOutputReturnsStdout(t *testing.T) {
	out, err := Output(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "printf 'a b'"}})
	if err != nil || string(out) != "a b" {
		t.Fatalf("Output = %q, %v", out, err)
	}
}

func TestStderrTailIsBounded(t *testing.T) {
	_, err := Output(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "head -c 100000 /dev/zero | tr '\\0' x >&2; echo END >&2; exit 1"}})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if len(e.Stderr) > tailBytes || !strings.HasSuffix(strings.TrimSpace(e.Stderr), "END") {
		t.Errorf("stderr tail has %d bytes, ends %q", len(e.Stderr), e.Stderr[len(e.Stderr)-10:])
	}
}

func TestCancelStopsTheProcessGroup(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// The shell's child writes a file when it was NOT stopped.
		done <- Shell(ctx, Cmd{Dir: dir}, "touch started; (sleep 2; touch survived) & wait")
	}()
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	time.Sleep(2500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dir, "survived")); err == nil {
		t.Error("the shell's child survived the cancellation")
	}
}

func TestEnvironReplaces(t *testing.T) {
	t.Setenv("PYRELEASE_RUN_TEST", "old")
	env := Environ("PYRELEASE_RUN_TEST=new")
	n := 0
	for _, kv := range env {
		if strings.HasPrefix(kv, "PYRELEASE_RUN_TEST=") {
			n++
			if kv != "PYRELEASE_RUN_TEST=new" {
				t.Errorf("got %q", kv)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d entries for the key, want 1", n)
	}
}
