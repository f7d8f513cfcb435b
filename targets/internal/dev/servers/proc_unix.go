//go:build unix

package servers

import (
	"os/exec"
	"syscall"
)

// newGroup starts the server in a process group of its own, so that Stop
// reaches the children it forks (Gitea's and MinIO's helpers) too.
func newGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup sends SIGKILL to the server's whole process group.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
