//go:build !unix

package run

import (
	"os/exec"
	"runtime"
)

var isWindows = runtime.GOOS == "windows"

func setCancel(cmd *exec.Cmd) { cmd.WaitDelay = waitDelay }
