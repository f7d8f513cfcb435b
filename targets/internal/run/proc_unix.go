//go:build unix

package run

import (
	"os/exec"
	"syscall"
	"time"
)

// interruptGrace is how long a cancelled command has to end on SIGINT
// before it gets SIGTERM.
const interruptGrace = time.Second

const isWindows = false

// setCancel makes a cancelled context stop the command's whole process
// group, so a shell's children (a build backend, a sleep) stop with it, and
// gives it a moment to clean up before the kill. The signal is SIGINT, as
// a terminal's Ctrl-C: Python turns it into KeyboardInterrupt and runs its
// finally blocks, so a backend removes its staging directories, where
// SIGTERM would end it on the spot. Shells run background jobs with SIGINT
// ignored, so SIGTERM follows after a grace period, then SIGKILL.
func setCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		group := -cmd.Process.Pid
		err := syscall.Kill(group, syscall.SIGINT)
		time.AfterFunc(interruptGrace, func() { _ = syscall.Kill(group, syscall.SIGTERM) })
		time.AfterFunc(waitDelay, func() { _ = syscall.Kill(group, syscall.SIGKILL) })
		return err
	}
	cmd.WaitDelay = waitDelay
}
