package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckVersionFiles reports a version file that is not there as the
// setting it came from (the file's version-file key or
// PYRELEASE_VERSION_FILE), rather than leaving it to a bare file-system
// error when the file is first read. Load does not call it: it reads only
// pyproject.toml, and a caller that never touches the version files need
// not have them.
func (c *Config) CheckVersionFiles() error {
	for _, vf := range c.VersionFiles {
		path := vf.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.Dir, path)
		}
		fi, err := os.Stat(path)
		if err == nil && fi.Mode().IsRegular() {
			continue
		}
		where := fmt.Sprintf("%s: [tool.pyrelease] version-file", c.File)
		if env := c.EnvSource(keyVersionFile); env != "" {
			where = env
		}
		what := "does not exist"
		if err == nil {
			what = "is not a regular file"
		}
		return fmt.Errorf("config: %s: %q %s (expected a file holding the version, relative to %s)",
			where, vf.Path, what, c.Dir)
	}
	return nil
}
