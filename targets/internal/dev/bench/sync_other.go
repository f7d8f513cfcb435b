//go:build !unix

package main

// syncDisks does nothing where there is no sync(2): the comparison is
// made on Linux, and elsewhere the tool need only build.
func syncDisks() {}
