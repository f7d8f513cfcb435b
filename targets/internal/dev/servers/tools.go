package servers

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CacheDir is where .ci/run caches what it builds and installs:
// $PYRELEASE_CI_CACHE, else pyrelease-ci in the user's cache directory.
// It is "" when neither can be known.
func CacheDir() string {
	if c := os.Getenv("PYRELEASE_CI_CACHE"); c != "" {
		return c
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "pyrelease-ci")
	}
	return ""
}

// Tool finds a file or directory .ci/run installed into its cache: the
// path in the environment variable env (which .ci/run exports), else a
// match of glob under CacheDir, such as "pytools-*/bin/twine", so tests
// run outside CI after one .ci/run.
//
// .ci/run builds a venv in place (a venv cannot be moved) and marks the
// top directory complete (a .complete file) last: a directory without the
// mark is a killed run's and is ignored. Of several complete ones (older
// pins, an older requirements.txt) the most recently marked wins, as
// every run of .ci/run marks what it exports.
func Tool(env, glob string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s names a missing path: %w", env, err)
		}
		return p, nil
	}
	cache := CacheDir()
	if cache == "" {
		return "", fmt.Errorf("%s unset and no cache directory to look for %s in: %w", env, glob, fs.ErrNotExist)
	}
	matches, err := filepath.Glob(filepath.Join(cache, glob))
	if err != nil {
		return "", fmt.Errorf("looking for %s in %s: %w", glob, cache, err)
	}
	var best string
	var bestMark time.Time
	for _, m := range matches {
		rel, err := filepath.Rel(cache, m)
		if err != nil {
			continue
		}
		top, _, _ := strings.Cut(rel, string(filepath.Separator))
		fi, err := os.Stat(filepath.Join(cache, top, ".complete"))
		if err != nil {
			continue
		}
		if best == "" || fi.ModTime().After(bestMark) {
			best, bestMark = m, fi.ModTime()
		}
	}
	if best == "" {
		return "", fmt.Errorf("%s unset and no complete %s in %s (.ci/run installs it): %w", env, glob, cache, fs.ErrNotExist)
	}
	return best, nil
}
