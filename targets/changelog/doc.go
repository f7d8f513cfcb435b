// Package changelog turns the "Unreleased" section of a project's changelog
// into the section of the version being released, the way a maintainer
// would by hand: in the file's own heading style, keeping its line endings,
// and leaving room for the next changes.
//
// Three conventions are recognised: Keep a Changelog ("## [Unreleased]",
// with its compare links), a plain "Unreleased" heading (markdown or
// reStructuredText), and zest.releaser ("1.3.0 (unreleased)" with an
// underline, followed by "- Nothing changed yet." when empty).
package changelog

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles a pattern on first use rather than at start-up: the
// changelog is read by one target, and every other target of the same
// binary should not pay for compiling its patterns.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
