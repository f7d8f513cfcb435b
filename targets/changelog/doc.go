// Package changelog turns the unreleased section of a project's changelog
// into the section of the version being released, the way its maintainers
// would by hand or with their own release tool: in the file's heading
// style, its date format and its line endings.
//
// Resolve says which changelog a release edits, from the changelog setting.
// Prepare computes the release's Edit (the files to write, the news
// fragments to remove and the heading it adds, which a bump's plan shows)
// without changing anything; Apply carries it out.
// Release does the same for a changelog's text alone. The conventions, and
// what a release of 1.3.0 on 2024-12-19 does to each:
//
//   - Keep a Changelog: "## [Unreleased]" stays, empty, and its content goes
//     under a new "## [1.3.0] - 2024-12-19", subsections ("### Added") and
//     all. An "[Unreleased]: .../compare/v1.2.0...HEAD" link moves to
//     compare from v1.3.0, and "[1.3.0]: .../compare/v1.2.0...v1.3.0" is
//     added; a file without links gets none.
//   - A plain "Unreleased" heading (markdown, or underlined in
//     reStructuredText) stays, empty, above a new heading for the release
//     that copies the shape of the previous release's ("v1.2.0 - <date>",
//     "[1.2.0] (<date>)"), or "1.3.0 (2024-12-19)" when there is none.
//   - zest.releaser: "1.3.0 (unreleased)" becomes "1.3.0 (2024-12-19)" (the
//     version released replaces the planned one), and a stub for the next
//     version goes on top, "1.3.1 (unreleased)" with "- Nothing changed
//     yet.", as its postrelease step writes it. The underline follows the
//     title's length. The paster templates' "1.3.0 - unreleased" becomes
//     "1.3.0 - 2024-12-19" with no stub: zest.releaser would write its stub
//     "(unreleased)", so a file that keeps the dash (many markdown files do,
//     without zest.releaser) adds the next section by hand. In markdown the stub has one blank line under its heading where
//     zest.releaser, taking that line for an underline, leaves two.
//   - Pallets (Flask, Click, Jinja, Werkzeug): a section "Version 1.3.0"
//     whose first line is "Unreleased" gets "Released 2024-12-19" on that
//     line, keeping what followed ("Unreleased, codename X" gives "Released
//     2024-12-19, codename X") and the older lines' wording ("Released on
//     ..."). The section planned for the version released is picked when
//     there are several (a branch each); else the first, renamed to the
//     version released, its underline resized: "Version 1.4.0" released as
//     1.3.1 becomes "Version 1.3.1". No section is added for the next
//     version: Pallets maintainers add it with the next change, and no
//     release tool of theirs writes one.
//   - towncrier: a project that configures it ([tool.towncrier] in
//     pyproject.toml, or a towncrier.toml; towncrier 26.9 reads no .ini) has
//     its unreleased notes in news fragments. towncrier renders the release
//     (`towncrier build --draft`, which writes nothing); Prepare inserts it
//     where `towncrier build --yes` would (after the start marker, ".. towncrier
//     release notes start" or "<!-- towncrier release notes start -->" by
//     default, else at the top; a file per release when single_file is
//     false) byte for byte as towncrier writes it, LF line endings included,
//     and lists the fragments that build removes. No fragment gives a
//     release that says "No significant changes.", as towncrier does. A
//     version the news file already has a heading for is refused, where
//     towncrier checks only a title_format's title.
//
// In every convention the first unreleased section is the one released (a
// Pallets section planned for the version first), an empty one is fine, and
// a version that already has a section is refused (ErrAlreadyReleased).
// Dates are written the way the file's newest dated release writes them
// ("2024-12-19", "2024/12/19", "19.12.2024", "December 19, 2024", "Dec 19,
// 2024", "19 December 2024", "July 4th 2018"), ISO 8601 when it has none.
//
// A changelog without an unreleased section is an error
// (NoUnreleasedError), never a guess: the error lists the headings
// accepted, in the file's markup, and names the newest released section
// with the heading to add above it in its style. Releasing with an empty
// section is a decision for the maintainer, who writes the heading.
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
