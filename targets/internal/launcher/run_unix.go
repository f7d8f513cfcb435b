//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// run replaces this process with the targets program: same pid, signals
// and exit status, with this program's name as argv[0] for its help.
func run(full string, argv []string) int {
	err := syscall.Exec(full, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "pyrelease: cannot run %s: %v\n", full, err)
	return 1
}
