package changelog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// prepareTowncrier is Prepare for a project that configures towncrier.
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
	// release has none to copy, and its name may hold the date.
	var old []byte
	exists := false
	style := isoDate
	news, err := tc.newsFile(o.Version, "")
	if err != nil {
		return Edit{}, err
	}
	if tc.singleFile {
		old, err = os.ReadFile(news)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return Edit{}, fmt.Errorf("changelog: %w", err)
		}
		if exists = err == nil; exists {
			lines := splitLines(string(old))
			style = learnDateStyle(dateSamples(lines, headings(lines, isMarkdown(news))))
		}
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
	if exists {
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

// insertNews puts a rendered release into the news file's text the way
// towncrier 26.9 writes it: after the start marker, with one blank line
// between them and the rest of the file; at the top when there is no
// marker. towncrier reads with universal newlines and writes "\n", and so
// does this.
func insertNews(old []byte, exists bool, start, rendered string, single bool) string {
	if !single || !exists {
		return pyRstrip(rendered) + "\n"
	}
	text := strings.ReplaceAll(string(old), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	header, body := "", pyLstrip(text)
	if before, after, ok := strings.Cut(text, start); ok {
		header, body = pyRstrip(before)+"\n\n"+start+"\n", pyLstrip(after)
	}
	if body == "" {
		return header + pyRstrip(rendered) + "\n"
	}
	return header + rendered + body
}

// pySpace is Python's str.isspace, which also counts the separators
// U+001C to U+001F.
func pySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

func pyRstrip(s string) string { return strings.TrimRightFunc(s, pySpace) }
func pyLstrip(s string) string { return strings.TrimLeftFunc(s, pySpace) }
