package targets

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/internal/statedir"
)

// A build backend writes into the source tree while it builds: setuptools
// copies the release tree into {name}-{version}/ beside pyproject.toml to
// make the sdist, and removes it afterwards. A build killed in between
// leaves that folder, which git then shows as untracked and the next sdist
// of the same version would pick up. The build mark records what the
// project folder held before a build, so that what the build left is
// removed after it, and after a kill by the next pyrelease run.

// buildMark is what the mark file holds.
type buildMark struct {
	Version string   `json:"version"`
	Before  []string `json:"before"` // the project folder's entries before the build
}

func (p *project) buildMarkPath() (string, error) {
	d, err := statedir.For(p.cfg.Dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(d.Work, statedir.BuildMark), nil
}

// markBuild records the project folder before a build of version; the
// returned function removes what the build left and the mark.
func (p *project) markBuild(version string) (func() []string, error) {
	path, err := p.buildMarkPath()
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(p.cfg.Dir)
	if err != nil {
		return nil, err
	}
	m := buildMark{Version: version}
	for _, e := range ents {
		m.Before = append(m.Before, e.Name())
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return nil, err
	}
	return func() []string { return p.cleanBuild(path, m) }, nil
}

// recoverBuild removes what a killed build left, when its mark is there.
// Temporary directories of killed runs go too, whichever project they
// built: each names its owner, and only those of runs that are gone go.
func (p *project) recoverBuild() []string {
	for _, d := range statedir.SweepTemp() {
		p.log.Info("removed a temporary directory a killed run left", "dir", d)
	}
	path, err := p.buildMarkPath()
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var m buildMark
	if json.Unmarshal(data, &m) != nil || m.Version == "" {
		os.Remove(path)
		return nil
	}
	return p.cleanBuild(path, m)
}

// cleanBuild removes the sdist staging folders of m's build: folders that
// were not there before it, named *-{version}, holding a PKG-INFO. Then
// the mark goes.
func (p *project) cleanBuild(path string, m buildMark) []string {
	var removed []string
	ents, _ := os.ReadDir(p.cfg.Dir)
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || slices.Contains(m.Before, name) || !strings.HasSuffix(name, "-"+m.Version) {
			continue
		}
		dir := filepath.Join(p.cfg.Dir, name)
		if _, err := os.Stat(filepath.Join(dir, "PKG-INFO")); err != nil {
			continue
		}
		if os.RemoveAll(dir) == nil {
			removed = append(removed, name)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		p.log.Warn("could not remove the build mark", "file", path, "error", err)
	}
	return removed
}
