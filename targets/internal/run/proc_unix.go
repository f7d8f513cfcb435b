//go:build unix

package run

import (
	"os/exec"
	"syscall"
)

const isWindows = false

// setCancel makes a cancelled context stop the command's whole process
// group, so a shell's children (a build backend, a sleep) stop with it, and
// gives it a moment to clean up before the kill.
func setCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	cmd.WaitDelay = waitDelay
}
