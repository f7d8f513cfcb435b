package freeze

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// lockEnv takes an exclusive lock on path and returns its release: two
// freezes of one project on one machine share a freeze environment, and
// one must not reinstall the wheel under the other's PyInstaller, nor
// remove the other's environment in the making as a killed run's. The lock
// of a process that dies is free again (see statedir.Lock), so a crash
// leaves nothing to clean up. It waits until ctx ends.
func lockEnv(ctx context.Context, path string) (func(), error) {
	for {
		lock, err := statedir.TryLock(path)
		if err == nil {
			return func() { _ = lock.Unlock() }, nil
		}
		if !errors.Is(err, statedir.ErrHeld) {
			return nil, fmt.Errorf("freeze: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
