//go:build mage

// pyrelease takes a Python project from a git tag to verified files on the
// package index. Run it where pyproject.toml is: pyrelease version,
// pyrelease wheel, pyrelease release.
//
// This file is the standalone program: every target of the targets
// package, compiled by `mage -compile` (`go tool mage standalone` at the
// repository's root builds it for each platform) for CI without Go.
package main

import (
	//mage:import
	_ "github.com/pyrelease/pyrelease/targets"
)
