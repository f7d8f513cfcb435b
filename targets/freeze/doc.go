// Package freeze turns each command-line tool of a Python project into a
// one-file executable, then runs it with --version to prove the result
// starts on its own. PyInstaller bundles an interpreter and is the default;
// zipapp (standard library) makes a compressed archive that needs a python3
// at run time and suits pure-Python projects where PyInstaller is missing.
//
// Every work and spec file goes to a directory outside the project, so a
// build leaves the source tree as it found it.
package freeze
