// Package freeze turns each command-line tool of a Python project into a
// one-file executable, then runs it with --version to prove the result
// starts on its own. PyInstaller bundles an interpreter and is the default:
// it freezes the project's wheel from a freeze environment, a venv of the
// build interpreter with PyInstaller and the wheel's dependencies, kept in
// the user's cache directory between runs, and its binaries are run with an
// empty environment. zipapp (standard library) makes a compressed archive
// that needs a python3 at run time and suits pure-Python projects where
// PyInstaller is missing.
//
// Every work and spec file goes to a directory outside the project, so a
// build leaves the source tree as it found it, and the source tree is
// never on PyInstaller's search path.
package freeze
