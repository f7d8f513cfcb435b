//go:build unix

package version

import "syscall"

const syscallEISDIR = syscall.EISDIR

const syscallENOTDIR = syscall.ENOTDIR
