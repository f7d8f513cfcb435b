package changelog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// names are the changelog files Find looks for, most likely first.
var names = []string{
	"CHANGELOG.md", "CHANGES.md", "HISTORY.md", "NEWS.md",
	"CHANGELOG.rst", "HISTORY.rst", "CHANGES.rst", "NEWS.rst",
	"CHANGELOG.txt", "CHANGES.txt", "HISTORY.txt", "NEWS.txt", "CHANGES",
	"docs/changelog.md", "docs/changelog.rst", "docs/changes.rst", "docs/history.rst", "docs/news.rst",
}

// Find returns the path of the project's changelog in dir. A project that
// configures towncrier gets the file its configuration names (filename,
// NEWS.rst by default), even before the first release creates it. Other
// projects get the first of CHANGELOG.md, CHANGES.md, HISTORY.md, NEWS.md,
// CHANGELOG.rst, HISTORY.rst, CHANGES.rst, NEWS.rst, CHANGELOG.txt,
// CHANGES.txt, HISTORY.txt, NEWS.txt, CHANGES, then docs/changelog.md,
// docs/changelog.rst, docs/changes.rst, docs/history.rst and docs/news.rst
// that is a regular file. A name spelled in another case (Changelog.md) is
// accepted when the exact one is absent, so the answer is the same on
// case-sensitive file systems.
func Find(dir string) (string, error) {
	tc, err := loadTowncrier(dir)
	if err != nil {
		return "", err
	}
	if tc != nil && tc.singleFile {
		if tc.filename == "" {
			return "", fmt.Errorf("changelog: %s: towncrier's filename is empty", tc.file)
		}
		return filepath.Join(dir, tc.filename), nil
	}
	listed := map[string][]fs.DirEntry{}
	list := func(sub string) ([]fs.DirEntry, error) {
		if es, ok := listed[sub]; ok {
			return es, nil
		}
		es, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil && (sub == "." || !errors.Is(err, fs.ErrNotExist)) {
			return nil, fmt.Errorf("changelog: %w", err)
		}
		listed[sub] = es
		return es, nil
	}
	regular := func(sub string, e fs.DirEntry) bool {
		if e.Type().IsRegular() {
			return true
		}
		if e.Type()&os.ModeSymlink != 0 {
			info, err := os.Stat(filepath.Join(dir, sub, e.Name()))
			return err == nil && info.Mode().IsRegular()
		}
		return false
	}
	for _, want := range names {
		sub, base := path.Split(want)
		sub = strings.TrimSuffix(sub, "/")
		if sub == "" {
			sub = "."
		}
		entries, err := list(sub)
		if err != nil {
			return "", err
		}
		var other string
		for _, e := range entries {
			if !regular(sub, e) {
				continue
			}
			if e.Name() == base {
				return filepath.Join(dir, sub, base), nil
			}
			if other == "" && strings.EqualFold(e.Name(), base) {
				other = e.Name()
			}
		}
		if other != "" {
			return filepath.Join(dir, sub, other), nil
		}
	}
	return "", fmt.Errorf("changelog: %s: none of %s exists: %w", dir, strings.Join(names, ", "), ErrNotFound)
}
