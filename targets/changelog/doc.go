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
