//go:build mage

// The build TestCrashBump runs: `mage bump patch -devafter` with the
// target's goroutine locked to one OS thread. strace counts a syscall's
// calls per thread, and Go moves a goroutine between threads, so without
// the lock "the third rename" would mean a different call from run to run.
package main

import (
	"context"
	"runtime"

	"github.com/pyrelease/pyrelease/targets"
)

// BumpPatch is `mage bump patch -devafter`, on one thread.
func BumpPatch(ctx context.Context) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	devafter := true
	return targets.Bump(ctx, "patch", &devafter, nil)
}

// Restore is `mage restore`: it finishes or undoes an interrupted bump.
func Restore(ctx context.Context) error { return targets.Restore(ctx) }

// Version is `mage version`: it only reports an interrupted bump.
func Version(ctx context.Context) error { return targets.Version(ctx, nil) }
