package targets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// modulePath is this module's path, as a project's go.mod requires it.
const modulePath = "github.com/pyrelease/pyrelease"

// checkBuild refuses to run a compiled magefile built with another
// pyrelease than the one the project's go.mod requires now. Mage reuses a
// compiled magefile while the magefiles are unchanged when
// MAGEFILE_HASHFAST is set (the fast form the README and the CI templates
// use), and a binary from `mage -compile` lives until it is rebuilt: after
// `go get` of another pyrelease, either would run the old targets without
// a word. The check reads the module versions the binary was built with,
// so it costs one read of go.mod.
func checkBuild(dir string) error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	path, data, err := findGoMod(dir)
	if err != nil || path == "" {
		return nil // no go.mod: the standalone program, or a copied binary
	}
	return staleBuild(info, path, data)
}

// staleBuild is checkBuild's decision, for the build info of a binary and
// the go.mod at path holding data.
func staleBuild(info *debug.BuildInfo, path string, data []byte) error {
	var built *debug.Module
	for _, m := range info.Deps {
		if m.Path == modulePath {
			built = m
		}
	}
	// The standalone program and this repository's own magefiles are this
	// module; a replaced module has no version to compare.
	if built == nil || built.Replace != nil {
		return nil
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		return nil // go build would have said more than we can
	}
	if f.Module == nil || f.Module.Mod.Path == modulePath {
		return nil
	}
	for _, r := range f.Replace {
		if r.Old.Path == modulePath {
			return nil
		}
	}
	for _, r := range f.Require {
		if r.Mod.Path != modulePath || r.Mod.Version == built.Version {
			continue
		}
		if module.CanonicalVersion(r.Mod.Version) == module.CanonicalVersion(built.Version) {
			continue
		}
		return fmt.Errorf("this compiled magefile was built with %s %s, but %s requires %s now: "+
			"mage reused a binary compiled before go.mod changed (MAGEFILE_HASHFAST, or mage -compile); run `go tool mage -f` once to rebuild it",
			modulePath, built.Version, path, r.Mod.Version)
	}
	return nil
}

// findGoMod returns the go.mod of dir or its nearest parent that has one,
// and its content; "" when there is none.
func findGoMod(dir string) (string, []byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	for {
		path := filepath.Join(abs, "go.mod")
		data, err := os.ReadFile(path)
		if err == nil {
			return path, data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, err
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", nil, nil
		}
		abs = parent
	}
}
