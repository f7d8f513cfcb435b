// Package pyfile reads and rewrites the version string that a Python project
// keeps in its own files, and stamps a release version into them for the
// length of a build only.
//
// Three kinds of file are understood from their name: Python modules (*.py),
// pyproject.toml ([project] version) and setup.cfg ([metadata] version). Any
// other file needs a regular expression whose single capture group (or group
// named "version") is the version. Rewriting changes only the bytes of the
// version itself, so comments, quoting, line endings and a byte order mark
// survive, and a diff of a stamped file shows one changed value.
//
// Stamp keeps a journal of the original bytes before it touches anything, so
// a build killed half-way (even with SIGKILL) is undone by the next Stamp or
// Recover instead of leaving a release version committed by accident. A
// stamp holds a lock for as long as it runs: Recover in another run leaves
// a live stamp's files alone, and a second stamp of the project refuses.
package pyfile
