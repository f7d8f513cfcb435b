package changelog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// names are the changelog files Find looks for, most likely first.
var names = []string{
	"CHANGELOG.md", "CHANGES.md", "HISTORY.md",
	"CHANGELOG.rst", "HISTORY.rst", "CHANGES.rst",
	"CHANGELOG.txt", "CHANGES.txt",
}

// Find returns the path of the project's changelog in dir: the first of
// CHANGELOG.md, CHANGES.md, HISTORY.md, CHANGELOG.rst, HISTORY.rst,
// CHANGES.rst, CHANGELOG.txt and CHANGES.txt that is a regular file. A name
// spelled in another case (Changelog.md) is accepted when the exact one is
// absent, so the answer is the same on case-sensitive file systems.
func Find(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("changelog: %w", err)
	}
	regular := map[string]bool{}
	for _, e := range entries {
		if e.Type().IsRegular() {
			regular[e.Name()] = true
		} else if e.Type()&os.ModeSymlink != 0 {
			if info, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && info.Mode().IsRegular() {
				regular[e.Name()] = true
			}
		}
	}
	for _, want := range names {
		if regular[want] {
			return filepath.Join(dir, want), nil
		}
		for _, e := range entries {
			if regular[e.Name()] && strings.EqualFold(e.Name(), want) {
				return filepath.Join(dir, e.Name()), nil
			}
		}
	}
	return "", fmt.Errorf("changelog: %s: none of %s exists: %w", dir, strings.Join(names, ", "), ErrNotFound)
}
