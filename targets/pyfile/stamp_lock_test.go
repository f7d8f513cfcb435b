package pyfile

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// A second run starts with Recover while the first still builds from its
// stamped files: they must stay stamped until the first run is gone, and
// be restored once it was killed.
func TestRecoverLeavesTheStampOfALiveProcess(t *testing.T) {
	p := newProject(t)
	owner := stampElsewhere(t, p)
	pid := owner.Process.Pid

	restored, err := Recover(context.Background(), p.dir)
	var busy *BusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrBusy) {
		t.Fatalf("Recover while the stamp runs = %q, %v: want a *BusyError", restored, err)
	}
	if busy.PID != pid || len(restored) != 0 {
		t.Errorf("Recover named pid %d and restored %q: want pid %d and nothing restored", busy.PID, restored, pid)
	}
	p.assertVersion(t, "9.0.0")
	if !p.journalExists(t) {
		t.Fatal("Recover removed the journal of a live stamp")
	}

	if err := owner.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	restored, err = Recover(context.Background(), p.dir)
	if err != nil || len(restored) != 3 {
		t.Fatalf("Recover after the owner was killed = %q, %v: want the 3 files restored", restored, err)
	}
	p.assertOriginal(t)
	if p.journalExists(t) {
		t.Error("journal left behind")
	}
}

// A stamp of a project another process is stamping refuses at once and
// names the project and that process; it touches nothing.
func TestStampRefusesWhileAnotherProcessStamps(t *testing.T) {
	p := newProject(t)
	owner := stampElsewhere(t, p)
	err := Stamp(context.Background(), StampOptions{Dir: p.dir, Files: p.files, Version: "2.0.0"}, func(context.Context) error {
		t.Error("fn called while another process stamps")
		return nil
	})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Stamp = %v, want ErrBusy", err)
	}
	if msg := err.Error(); !strings.Contains(msg, p.dir) || !strings.Contains(msg, "process "+strconv.Itoa(owner.Process.Pid)) {
		t.Errorf("message %q does not name the project and the pid %d", msg, owner.Process.Pid)
	}
	p.assertVersion(t, "9.0.0")
	if !p.journalExists(t) {
		t.Error("the refused stamp removed the other's journal")
	}
}

// Stamps in one process exclude each other too: fn runs inside the lock.
func TestStampRefusesANestedStamp(t *testing.T) {
	p := newProject(t)
	err := Stamp(context.Background(), StampOptions{Dir: p.dir, Files: p.files, Version: "2.0.0"}, func(ctx context.Context) error {
		return Stamp(ctx, StampOptions{Dir: p.dir, Files: p.files, Version: "3.0.0"}, func(context.Context) error {
			t.Error("nested fn called")
			return nil
		})
	})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("nested Stamp = %v, want ErrBusy", err)
	}
	p.assertOriginal(t)
	if p.journalExists(t) {
		t.Error("journal left behind")
	}
	p.assertNoStrays(t)
}
