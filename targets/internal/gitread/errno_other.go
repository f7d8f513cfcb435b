//go:build !unix

package gitread

import "errors"

// Stand-ins for the unix errors; on other systems a directory where a
// file was expected reports fs.ErrNotExist or a permission error.
var (
	syscallEISDIR  = errors.New("is a directory")
	syscallENOTDIR = errors.New("not a directory")
)
