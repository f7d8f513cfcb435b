//go:build !unix

package version

import "errors"

var syscallEISDIR = errors.New("is a directory")

var syscallENOTDIR = errors.New("not a directory")
