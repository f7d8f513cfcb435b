//go:build mage

// The standalone program: every target of the targets package, compiled by
// `mage -compile` for CI without Go (`go tool mage standalone` at the
// repository's root builds it for each platform). Mage shows the package
// comment below to users, at the top of `pyrelease -l`.

// pyrelease takes a Python project from a git tag to verified files on the
// package index. Run it where pyproject.toml is: pyrelease version,
// pyrelease wheel, pyrelease release.
package main

import (
	//mage:import
	_ "github.com/pyrelease/pyrelease/targets"
)
