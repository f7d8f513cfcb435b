package run

import "syscall"

// dieWithParent has the kernel kill the command when pyrelease dies (a
// SIGKILL, the OOM killer), which no cancellation can handle: a build
// backend or pip left running would go on writing into the project and
// TMPDIR under the next run. The signal comes when the thread that started
// the command exits; Go's runtime keeps its threads for the life of the
// process unless a goroutine locked to one ends.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
