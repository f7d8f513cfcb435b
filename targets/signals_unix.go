//go:build unix

package targets

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

var forwardOnce sync.Once

// forwardTermination makes SIGTERM (how CI systems stop a job) and SIGHUP
// (a closed terminal) stop a target as Ctrl-C does: mage cancels the
// target's context on SIGINT only, and without this the process would die
// on the spot, with its version files stamped and its children running.
// The signal is turned into a SIGINT to this process, which mage's
// handler takes: the context is cancelled, children's process groups are
// stopped, stamped files are restored.
func forwardTermination() {
	forwardOnce.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			for range ch {
				_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
			}
		}()
	})
}
