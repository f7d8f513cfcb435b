package changelog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Options say which changelog to release, and for which version.
type Options struct {
	// Path is the changelog file. With towncrier it must be the news file
	// its configuration names, or "" for that one.
	Path string
	// ProjectDir holds pyproject.toml (and any towncrier configuration);
	// "" means the changelog's directory.
	ProjectDir string
	// Version is the version as the release's heading spells it.
	Version string
	// Date is the release date.
	Date time.Time
	// Towncrier is the command that runs towncrier, with any leading
	// arguments: {"towncrier"}, {"uv", "run", "towncrier"}. nil means
	// towncrier on PATH, else "python3 -m towncrier". It runs only for
	// projects that configure towncrier.
	Towncrier []string
}

// Edit is what releasing a changelog changes, computed before anything is
// written: the new bytes of files and the files to delete (news fragments
// folded into the changelog). Paths are absolute.
type Edit struct {
	Writes  map[string][]byte
	Removes []string
	// Heading is the heading line the release adds for its version, as a
	// plan shows it ("## [1.3.0] - 2024-12-19"); "" when no new line names
	// the version.
	Heading string
}

// Prepare computes the Edit that releases o.Version in the changelog at
// o.Path. It reads files and may run the project's changelog tool in a
// read-only mode, and changes nothing: a dry run calls it to fail where the
// real run would.
//
// A project that configures towncrier gets what `towncrier build --yes`
// would do: towncrier renders the release from the news fragments (in
// draft mode, which writes nothing), the section goes after the news
// file's start marker, and the fragments are removed.
func Prepare(ctx context.Context, o Options) (Edit, error) {
	e, err := prepare(ctx, o)
	if err != nil {
		return Edit{}, err
	}
	paths := slices.Sorted(maps.Keys(e.Writes))
	for _, path := range paths {
		old, _ := os.ReadFile(path) // a news file may not exist yet
		if e.Heading = newHeading(old, e.Writes[path], o.Version); e.Heading != "" {
			break
		}
	}
	return e, nil
}

// newHeading finds the line naming version that updated adds to old: the
// heading of the release, whatever the changelog's style.
func newHeading(old, updated []byte, version string) string {
	had := map[string]bool{}
	for line := range strings.Lines(string(old)) {
		had[strings.TrimRight(line, "\r\n")] = true
	}
	for line := range strings.Lines(string(updated)) {
		line = strings.TrimRight(line, "\r\n")
		if !had[line] && strings.Contains(line, strings.TrimPrefix(version, "v")) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// Resolve is the changelog a release edits, from the changelog setting
// of [tool.pyrelease]: "none" means none (""), "" the one Find finds in dir
// (none when there is none), anything else a path relative to dir, which
// must exist.
func Resolve(dir, setting string) (string, error) {
	switch setting {
	case "none":
		return "", nil
	case "":
		path, err := Find(dir)
		if errors.Is(err, ErrNotFound) {
			return "", nil
		}
		return path, err
	}
	path := setting
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("changelog: %w", err)
	}
	return path, nil
}

func prepare(ctx context.Context, o Options) (Edit, error) {
	if err := ctx.Err(); err != nil {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	dir := o.ProjectDir
	if dir == "" {
		if o.Path == "" {
			return Edit{}, fmt.Errorf("changelog: no changelog path and no project directory: %w", ErrNotFound)
		}
		dir = filepath.Dir(o.Path)
	}
	tc, err := loadTowncrier(dir)
	if err != nil {
		return Edit{}, err
	}
	if tc != nil {
		return prepareTowncrier(ctx, o, tc)
	}
	if o.Path == "" {
		if o.Path, err = Find(dir); err != nil {
			return Edit{}, err
		}
	}
	real, err := realPath(o.Path)
	if err != nil {
		return Edit{}, err
	}
	content, err := os.ReadFile(real)
	if err != nil {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	out, err := Release(content, o.Path, o.Version, o.Date)
	if err != nil {
		return Edit{}, err
	}
	return Edit{Writes: map[string][]byte{real: out}}, nil
}

// realPath is the absolute path of the file a symlink points to, so a
// release replaces the file and keeps the link.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("changelog: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("changelog: %w", err)
	}
	return real, nil
}
