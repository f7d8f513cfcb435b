package version

import (
	"io/fs"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// repository is a repository opened by the reader, plus what the dirty
// check adds.
type repository struct {
	*gitread.Repo
	// lstat stats worktree paths for the dirty check; tests count calls.
	lstat func(string) (fs.FileInfo, error)
}

// openRepository finds the repository containing dir as git does.
func openRepository(dir string) (*repository, error) {
	r, err := gitread.Open(dir)
	if err != nil {
		return nil, err
	}
	return &repository{Repo: r}, nil
}
