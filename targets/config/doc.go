// Package config reads what pyrelease needs to know about a Python project
// from its pyproject.toml: the PEP 621 [project] table and pyrelease's own
// [tool.pyrelease] table, with PYRELEASE_* environment variables on top so a
// CI job can change a setting without editing the file.
//
// Loading is strict on purpose. A misspelt key under [tool.pyrelease] would
// otherwise be silently ignored and a release would go out with defaults the
// user thought they had changed, so every unknown key, wrong type and
// disallowed value is an error that names the file (or the environment
// variable) and the key. Other tools' tables are none of our business and are
// never looked at.
//
// Keys lists every setting with its environment variable, default and a one
// sentence description; it is what the user documentation is generated from.
// EnvKeys lists the few settings only the environment gives (the platform
// tag of a build matrix job, the token bump pushes with). Config is the one
// place pyrelease reads its PYRELEASE_* settings: packages get them as
// options, never from the environment themselves. Credentials of the package
// index stay with the code that sends them (pypi reads PYRELEASE_TOKEN and
// TWINE_*).
package config
