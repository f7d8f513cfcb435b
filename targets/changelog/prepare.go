package changelog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/run"
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

func prepareTowncrier(ctx context.Context, o Options, tc *towncrierConfig) (Edit, error) {
	rel := func(p string) string {
		if r, err := filepath.Rel(tc.base, p); err == nil {
			return r
		}
		return p
	}
	if err := checkVersion(rel(tc.file), o.Version); err != nil {
		return Edit{}, err
	}
	if o.Date.IsZero() {
		return Edit{}, fmt.Errorf("changelog: %s: release date is the zero time: %w", rel(tc.file), ErrBadDate)
	}
	// The date style comes from the news file as it stands; a file per
	// release has none to copy.
	news, err := tc.newsFile(o.Version, "")
	if err != nil {
		return Edit{}, err
	}
	old, err := os.ReadFile(news)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Edit{}, fmt.Errorf("changelog: %w", err)
	}
	style := isoDate
	if exists && tc.singleFile {
		lines := splitLines(string(old))
		style = learnDateStyle(dateSamples(lines, headings(lines, isMarkdown(news))))
	}
	day := style.format(o.Date)
	if news, err = tc.newsFile(o.Version, day); err != nil {
		return Edit{}, err
	}
	if tc.singleFile && o.Path != "" {
		want, _ := filepath.Abs(news)
		got, _ := filepath.Abs(o.Path)
		if realWant, err := filepath.EvalSymlinks(want); err == nil {
			want = realWant
		}
		if realGot, err := filepath.EvalSymlinks(got); err == nil {
			got = realGot
		}
		if want != got {
			return Edit{}, fmt.Errorf("changelog: %s: towncrier writes its release notes to %s (filename in its configuration), not %s: set filename there, or release %s", rel(tc.file), rel(news), rel(o.Path), rel(news))
		}
	}
	if exists {
		if news, err = realPath(news); err != nil {
			return Edit{}, err
		}
	}
	frags, err := tc.fragments()
	if err != nil {
		return Edit{}, err
	}
	rendered, err := draft(ctx, o.Towncrier, tc, o.Version, day)
	if err != nil {
		return Edit{}, err
	}
	if exists && tc.singleFile {
		if err := checkNotInNews(old, news, rel(news), tc, rendered, o.Version); err != nil {
			return Edit{}, err
		}
	}
	out := insertNews(old, exists, tc.startString, rendered, tc.singleFile)
	return Edit{Writes: map[string][]byte{news: []byte(out)}, Removes: frags}, nil
}

// draft runs `towncrier build --draft`, which renders the release to
// standard output and writes nothing, and returns the section as the real
// build would write it.
func draft(ctx context.Context, command []string, tc *towncrierConfig, version, day string) (string, error) {
	if len(command) == 0 {
		command = []string{"python3", "-m", "towncrier"}
		if _, err := run.LookPath("towncrier"); err == nil {
			command = []string{"towncrier"}
		}
	}
	args := append(command[1:len(command):len(command)], "build", "--draft", "--version", version, "--date", day, "--dir", tc.base)
	out, err := run.Output(ctx, run.Cmd{
		Name: command[0], Args: args, Dir: tc.base,
		// Fragments and the news file are UTF-8 whatever the locale.
		Env: run.Environ("PYTHONUTF8=1", "PYTHONIOENCODING=utf-8"),
	})
	if err != nil {
		hint := ""
		var re *run.Error
		if errors.As(err, &re) && (re.ExitCode < 0 || strings.Contains(re.Stderr, "No module named towncrier")) {
			hint = " (is towncrier installed? Options.Towncrier names the command)"
		}
		return "", fmt.Errorf("changelog: rendering the release notes of %s with towncrier%s: %w", tc.base, hint, err)
	}
	s := strings.ReplaceAll(string(out), "\r\n", "\n")
	return strings.TrimSuffix(s, "\n"), nil // click.echo's newline
}

// checkNotInNews refuses a second release of a version: towncrier checks
// this only with a title_format (its title must not be in the file yet);
// without one, a heading of the file naming the version is enough.
func checkNotInNews(old []byte, abs, name string, tc *towncrierConfig, rendered, version string) error {
	text := strings.ReplaceAll(string(old), "\r\n", "\n")
	if tc.titleFormat != "" {
		if _, after, ok := strings.Cut(text, tc.startString); ok {
			text = after // towncrier looks below its marker only
		}
		if top, _, _ := strings.Cut(rendered, "\n"); top != "" && strings.Contains(text, top) {
			return fmt.Errorf("changelog: %s: %q is already there: %w", name, top, ErrAlreadyReleased)
		}
		return nil
	}
	lines := splitLines(text)
	for _, h := range headings(lines, isMarkdown(abs)) {
		for _, f := range strings.FieldsFunc(h.title, func(r rune) bool { return r == ' ' || r == '[' || r == ']' || r == '(' }) {
			if trimV(f) == trimV(version) {
				return fmt.Errorf("changelog: %s:%d: %q already has a section: %w", name, h.first+1, version, ErrAlreadyReleased)
			}
		}
	}
	return nil
}
