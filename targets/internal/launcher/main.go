// Command launcher is the standalone pyrelease program users run. It
// answers `pyrelease version` itself (see fastpath), in a few
// milliseconds, and hands every other command to the program of all the
// targets, pyrelease-targets, installed beside it: the wheels and archives
// of the standalone program carry both.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pyrelease/pyrelease/targets/internal/fastpath"
)

// Targets is the name of the program of every target, beside this one.
const Targets = "pyrelease-targets"

func main() {
	if fastpath.Version(context.Background(), os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr) {
		return
	}
	full, err := targetsProgram()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyrelease: %v\n", err)
		os.Exit(1)
	}
	os.Exit(run(full, os.Args))
}

// targetsProgram is pyrelease-targets in this program's own directory,
// links followed (pipx links its scripts into ~/.local/bin).
func targetsProgram() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find this program's own path: %w", err)
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	name := Targets
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	full := filepath.Join(filepath.Dir(self), name)
	if _, err := os.Stat(full); err != nil {
		return "", fmt.Errorf("%s, the program of every target, is not beside %s: reinstall pyrelease (%v)", name, self, err)
	}
	return full, nil
}
