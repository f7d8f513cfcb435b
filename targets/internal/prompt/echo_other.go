//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package prompt

import "errors"

// echoOff is not available here: the password is read by term.ReadPassword,
// which turns echo off once the question is printed.
func echoOff(int) (func(), error) { return nil, errors.ErrUnsupported }
