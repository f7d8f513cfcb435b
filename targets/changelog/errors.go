package changelog

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels, to test with errors.Is.
var (
	// ErrNotFound means a directory has none of the usual changelog files.
	ErrNotFound = errors.New("no changelog found")
	// ErrNoUnreleased means a changelog has no section for unreleased
	// changes to turn into the release.
	ErrNoUnreleased = errors.New("no unreleased section")
	// ErrAlreadyReleased means the changelog already has a section for the
	// version, as after running the release twice.
	ErrAlreadyReleased = errors.New("version already in the changelog")
	// ErrBadVersion means the version would not make a one-word heading.
	ErrBadVersion = errors.New("bad version string")
	// ErrBadDate means the release date is the zero time, which is always a
	// caller's mistake.
	ErrBadDate = errors.New("bad release date")
)

// NoUnreleasedError names the changelog, the heading that was expected,
// and the newest section it has instead.
type NoUnreleasedError struct {
	Path string // the file, as given
	Want string // the headings that would have been accepted
	// Line and Found are the newest released section's heading (Line
	// counts from 1), and Add what to write above it, in the file's
	// style; all zero when the file has no section at all.
	Line  int
	Found string
	Add   string
}

func (e *NoUnreleasedError) Error() string {
	msg := fmt.Sprintf("changelog: %s: no unreleased section found: want %s", e.Path, e.Want)
	if e.Found != "" {
		msg += fmt.Sprintf("; the newest section, %s:%d %q, is released: add %s above it", e.Path, e.Line, e.Found, e.Add)
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNoUnreleased) true.
func (e *NoUnreleasedError) Unwrap() error { return ErrNoUnreleased }

// noUnreleased explains a changelog without an unreleased section: the
// forms accepted, in the file's markup, and the one that fits its newest
// section.
func noUnreleased(name string, lines []line, hs []heading, markdown bool, version string) error {
	v := trimV(version)
	want := fmt.Sprintf(`an underlined "Unreleased" (a plain heading), %q (zest.releaser), or %q followed by a line "Unreleased" (Pallets)`, v+" (unreleased)", "Version "+v)
	if markdown {
		want = fmt.Sprintf(`a "## [Unreleased]" (Keep a Changelog), "## Unreleased", %q (zest.releaser) or %q followed by a line "Unreleased" (Pallets) heading`, "## "+v+" (unreleased)", "## Version "+v)
	}
	e := &NoUnreleasedError{Path: name, Want: want}
	for i, h := range hs {
		if releasedVersion(h.title) == "" {
			continue
		}
		e.Line, e.Found = h.first+1, h.title
		if h.overline {
			e.Line++
		}
		mark := strings.TrimSpace(h.atx)
		if mark != "" {
			mark += " "
		}
		under := ""
		if h.atx == "" {
			under = fmt.Sprintf(" underlined with %q", string(h.adorn))
		}
		switch {
		case strings.HasPrefix(h.title, "["):
			e.Add = fmt.Sprintf("%q", mark+"[Unreleased]")
		case palletsLine(lines, hs, i) >= 0:
			e.Add = fmt.Sprintf("%q%s followed by a line \"Unreleased\"", mark+"Version "+v, under)
		case strings.HasSuffix(h.title, ")"):
			e.Add = fmt.Sprintf("%q%s", mark+v+" (unreleased)", under)
		default:
			e.Add = fmt.Sprintf("%q%s", mark+"Unreleased", under)
		}
		break
	}
	return e
}
