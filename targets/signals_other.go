//go:build !unix

package targets

// forwardTermination does nothing where there is no SIGTERM to forward.
func forwardTermination() {}
