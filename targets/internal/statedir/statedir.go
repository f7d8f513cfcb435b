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

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// What a run leaves in Work while it works, and the next run repairs when
// the run was killed; each package that writes one names it by these.
const (
	StampJournal   = "stamp"      // pyfile: the original bytes of stamped version files
	BuildMark      = "build.json" // targets: the project folder before a build
	ReleaseJournal = "bump"       // vcs: an interrupted bump's journal
)

// Repairs lists what in d.Work a run would repair first (see the names
// above); empty means nothing was left by a killed run.
func (d Dirs) Repairs() []string {
	var found []string
	for _, name := range []string{StampJournal, BuildMark, ReleaseJournal} {
		if _, err := os.Lstat(filepath.Join(d.Work, name)); err == nil {
			found = append(found, name)
		}
	}
	return found
}

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
	gitDir, top, err := gitread.Discover(abs)
	if err != nil && !errors.Is(err, gitread.ErrNotRepo) {
		return Dirs{}, fmt.Errorf("statedir: %w", err)
	}
	if top == "" {
		// Outside git, or in a bare repository: no working tree to own.
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
	common := gitread.CommonDir(gitDir)
	return Dirs{
		Work:   filepath.Join(gitDir, "pyrelease", rel),
		Shared: filepath.Join(common, "pyrelease", rel),
	}, nil
}

// Fresh returns the folder name in the work state directory of the
// project in dir, empty: what an earlier run left there is removed first.
// Journals start from one.
func Fresh(dir, name string) (string, error) {
	d, err := For(dir)
	if err != nil {
		return "", err
	}
	p := filepath.Join(d.Work, name)
	if err := os.RemoveAll(p); err != nil {
		return "", fmt.Errorf("statedir: %w", err)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return "", fmt.Errorf("statedir: %w", err)
	}
	return p, nil
}
