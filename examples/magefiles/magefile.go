//go:build mage

// The example project's build: every pyrelease target, imported.
package main

import (
	//mage:import
	_ "github.com/pyrelease/pyrelease/targets"
)
