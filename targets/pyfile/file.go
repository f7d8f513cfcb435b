package pyfile

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// File is one file that carries the project's version.
type File struct {
	Path string // as configured: relative to the project directory, or absolute
	// Pattern, when set, overrides detection by file name: its only capture
	// group, or its group named "version", is the version.
	Pattern *regexp.Regexp
}

// span is the byte range [start, end) of a version inside a file's content;
// value is the version it denotes, which differs from the raw bytes only for
// a TOML string with escapes.
type span struct {
	start, end int
	value      string
}

// locate finds the version in content. name is the file's path, used to pick
// the kind of file and in errors.
func locate(name string, pattern *regexp.Regexp, content []byte) (span, error) {
	if pattern != nil {
		return locatePattern(name, pattern, content)
	}
	base := filepath.Base(name)
	switch {
	case strings.HasSuffix(base, ".py"):
		return locatePython(name, content)
	case base == "pyproject.toml":
		return locatePyproject(name, content)
	case base == "setup.cfg":
		return locateSetupCfg(name, content)
	}
	return span{}, fmt.Errorf("pyfile: %s: cannot tell where its version is: configure a pattern for it, or use a *.py, pyproject.toml or setup.cfg file: %w", name, ErrUnknownKind)
}

// Parse returns the version held in content. name is the file's path: its
// base name selects the kind of file when pattern is nil, and it names the
// file in errors. The first version found wins; later ones are ignored.
func Parse(name string, pattern *regexp.Regexp, content []byte) (string, error) {
	s, err := locate(name, pattern, content)
	if err != nil {
		return "", err
	}
	return s.value, nil
}

// Rewrite returns content with its version replaced by version. Only the
// bytes of the version change: quotes, comments, line endings and the rest
// of the file are kept as they were. It does not modify content.
func Rewrite(name string, pattern *regexp.Regexp, content []byte, version string) ([]byte, error) {
	if err := checkVersion(name, version); err != nil {
		return nil, err
	}
	s, err := locate(name, pattern, content)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(content)-(s.end-s.start)+len(version))
	out = append(out, content[:s.start]...)
	out = append(out, version...)
	return append(out, content[s.end:]...), nil
}

// Read returns the version found in the file at path, whose kind is told by
// its name.
func Read(path string) (string, error) {
	return ReadFile(File{Path: path})
}

// ReadFile returns the version found in f. A relative f.Path is relative to
// the current directory.
func ReadFile(f File) (string, error) {
	content, err := os.ReadFile(f.Path)
	if err != nil {
		return "", fmt.Errorf("pyfile: %w", err)
	}
	return Parse(f.Path, f.Pattern, content)
}

// checkVersion refuses versions that could change the syntax around them:
// every PEP 440 version, normalised or not, fits in this alphabet, and none
// of its characters needs quoting in Python, TOML or an ini file.
func checkVersion(name, version string) error {
	if version == "" {
		return fmt.Errorf("pyfile: %s: empty version: %w", name, ErrBadVersion)
	}
	for _, c := range version {
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.ContainsRune(".+!_-", c)
		if !ok {
			return fmt.Errorf("pyfile: %s: version %q: %q is not allowed, want letters, digits and . + ! _ -: %w", name, version, c, ErrBadVersion)
		}
	}
	return nil
}
