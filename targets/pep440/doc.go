// Package pep440 parses, normalises, orders and bumps Python package versions
// as PEP 440 defines them.
//
// pip and PyPI decide what a version means with the "packaging" library, so
// that library, not the prose of the PEP, is the reference here: Parse accepts
// exactly the spellings packaging's Version accepts, String gives the same
// normalised text as its str(), and Compare orders versions as it does. The
// tests check this against pip's vendored copy of packaging.
//
// One deliberate difference: packaging matches case-insensitively with
// Python's Unicode rules, so it also accepts four non-ASCII letters that fold
// to ASCII ones (U+0130, U+0131, U+017F and the Kelvin sign U+212A, as in
// "1.0.po\u017ft1"), and then prints or orders them inconsistently. Parse
// rejects them: no release should carry such a version.
//
// One limit: numbers are Go ints, so a component above 9223372036854775807
// (as in "1.99999999999999999999999") is refused with an error naming it,
// where packaging, with Python's unbounded integers, accepts it. No
// published release needs such a number; a date-based or build-number
// scheme stays far below it.
//
// Bump, Next and BumpSemver hold the release arithmetic of a bump: which
// version comes after which, where a bump starts from (tag or version
// files), and the SemVer spelling of projects that tag as SemVer. They are
// here rather than with the bump itself because they are pure decisions on
// versions, and tested as such.
//
// The package does no I/O.
package pep440
