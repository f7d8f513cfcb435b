// Package statedir says where pyrelease keeps what it writes while it
// works on a project: the stamp journal and the default snapshot store.
//
// None of it may sit in the source tree, where a build backend's sdist
// rules (hatchling's takes every file git does not ignore) would pick it
// up. The git directory is the one place next to the project that never
// ships, so that is where it goes: {git dir}/pyrelease/{path of the project
// in the repository}. A project outside git uses the user's cache
// directory instead.
package statedir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Dirs are a project's state directories.
type Dirs struct {
	// Work is per working tree: what a build in this checkout leaves, such
	// as the stamp journal.
	Work string
	// Shared is per repository (shared by its worktrees): the default
	// snapshot store.
	Shared string
}

// For returns the state directories of the project in dir (absolute or
// relative). Nothing is created.
func For(dir string) (Dirs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Dirs{}, fmt.Errorf("statedir: %w", err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	top, gitDir, err := FindGitDir(abs)
	if err != nil {
		return Dirs{}, err
	}
	if gitDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return Dirs{}, fmt.Errorf("statedir: %s is not in a git repository and there is no user cache directory: %w", abs, err)
		}
		h := sha256.Sum256([]byte(abs))
		d := filepath.Join(cache, "pyrelease", filepath.Base(abs)+"-"+hex.EncodeToString(h[:6]))
		return Dirs{Work: d, Shared: d}, nil
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == "." {
		rel = ""
	}
	common := CommonDir(gitDir)
	return Dirs{
		Work:   filepath.Join(gitDir, "pyrelease", rel),
		Shared: filepath.Join(common, "pyrelease", rel),
	}, nil
}

// FindGitDir walks up from dir to the working tree holding it, and returns
// the tree's top and its git directory ("" when there is none). A .git file
// (a worktree or a submodule) points at the real git directory.
func FindGitDir(dir string) (top, gitDir string, err error) {
	for d := dir; ; {
		dotGit := filepath.Join(d, ".git")
		fi, err := os.Stat(dotGit)
		switch {
		case err == nil && fi.IsDir():
			return d, dotGit, nil
		case err == nil:
			data, err := os.ReadFile(dotGit)
			if err != nil {
				return "", "", fmt.Errorf("statedir: %w", err)
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
			if !ok {
				return "", "", fmt.Errorf("statedir: %s: expected a \"gitdir: PATH\" line", dotGit)
			}
			target = strings.TrimSpace(target)
			if !filepath.IsAbs(target) {
				target = filepath.Join(d, target)
			}
			return d, filepath.Clean(target), nil
		case !errors.Is(err, os.ErrNotExist):
			return "", "", fmt.Errorf("statedir: %w", err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", nil
		}
		d = parent
	}
}

// CommonDir is the repository's shared git directory: a worktree's git
// directory names it in its commondir file.
func CommonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	c := strings.TrimSpace(string(data))
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return filepath.Clean(c)
}
