//go:build unix

package main

import "syscall"

// syncDisks flushes every file system's dirty pages, so that one side's
// writes are not paid for by the next side's timed run.
func syncDisks() { syscall.Sync() }
