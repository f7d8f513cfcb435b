//go:build !unix

package servers

import "os/exec"

// newGroup does nothing where there are no process groups: the server is
// started as a plain child.
func newGroup(*exec.Cmd) {}

// killGroup kills the server process itself; on Windows that is
// TerminateProcess, as abrupt as SIGKILL.
func killGroup(cmd *exec.Cmd) {
	_ = cmd.Process.Kill()
}
