//go:build unix

package gitread

import "syscall"

// Errors that mean "not a ref file here" when reading ref and config
// files: a directory where a file was expected, or the other way round.
const (
	syscallEISDIR  = syscall.EISDIR
	syscallENOTDIR = syscall.ENOTDIR
)
