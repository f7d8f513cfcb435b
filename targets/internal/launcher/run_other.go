//go:build !unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// run starts the targets program with this one's arguments and standard
// streams and exits with its status. Ctrl-C reaches both processes from
// the console; this one waits for the child to handle it.
func run(full string, argv []string) int {
	cmd := exec.Command(full, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signal.Ignore(os.Interrupt)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	fmt.Fprintf(os.Stderr, "pyrelease: cannot run %s: %v\n", full, err)
	return 1
}
