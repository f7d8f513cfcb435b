package changelog

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// kind is the convention an unreleased heading follows.
type kind int

const (
	keepAChangelog kind = iota + 1 // "[Unreleased]"
	plain                          // "Unreleased"
	zest                           // "1.3.0 (unreleased)"
)

var (
	kacTitle   = lazyRegexp(`^(?i)\[unreleased\](?:\([^)]*\))?$`)
	plainTitle = lazyRegexp(`^(?i)unreleased:?$`)
	zestTitle  = lazyRegexp(`^(\S.*?)[ \t]*\((?i:unreleased)\)$`)
)

func classify(title string) kind {
	switch {
	case kacTitle().MatchString(title):
		return keepAChangelog
	case plainTitle().MatchString(title):
		return plain
	case zestTitle().MatchString(title):
		return zest
	}
	return 0
}

// Release rewrites content so the "Unreleased" section becomes a section for
// version and date, leaving a fresh empty Unreleased section above it (Keep
// a Changelog, or a plain "Unreleased" heading) or a new "(unreleased)" stub
// (zest.releaser), in the style of the file. name is the file's path: a .md
// or .markdown name means markdown, anything else reStructuredText-like
// underlined headings; it also names the file in errors. The first
// unreleased heading is the one released; an empty section is fine.
func Release(content []byte, name string, version string, date time.Time) ([]byte, error) {
	if err := checkVersion(name, version); err != nil {
		return nil, err
	}
	if date.IsZero() {
		return nil, fmt.Errorf("changelog: %s: release date is the zero time: %w", name, ErrBadDate)
	}
	ext := strings.ToLower(filepath.Ext(name))
	markdown := ext == ".md" || ext == ".markdown"
	lines := splitLines(string(content))
	hs := headings(lines, markdown)

	at := -1
	for i, h := range hs {
		if classify(h.title) != 0 {
			at = i
			break
		}
	}
	if at < 0 {
		want := `an "Unreleased" or "1.2.3 (unreleased)" heading with an underline`
		if markdown {
			want = `a "## [Unreleased]", "## Unreleased" or "## 1.2.3 (unreleased)" heading`
		}
		return nil, &NoUnreleasedError{Path: name, Want: want}
	}
	h := hs[at]
	for _, o := range hs {
		if o.first != h.first && releasedVersion(o.title) == strings.TrimPrefix(version, "v") {
			return nil, fmt.Errorf("changelog: %s:%d: %q already has a section: %w", name, o.first+1, version, ErrAlreadyReleased)
		}
	}
	var next *heading // the section after the unreleased one, for its style
	for i := at + 1; i < len(hs); i++ {
		if hs[i].sameStyle(h) {
			next = &hs[i]
			break
		}
	}

	eol := "\n"
	if strings.Contains(string(content), "\r\n") {
		eol = "\r\n"
	}
	day := date.Format(time.DateOnly)
	k := classify(h.title)
	gap := 1 // blank lines between sections
	if k == zest && h.atx == "" {
		gap = 2 // what zest.releaser writes
	}
	if next != nil {
		gap = 0
		for i := next.first - 1; i > h.last && strings.TrimSpace(lines[i].text) == ""; i-- {
			gap++
		}
		gap = max(gap, 1)
	}
	blank := func(n int) []line {
		out := make([]line, n)
		for i := range out {
			out[i] = line{eol: eol}
		}
		return out
	}

	var above []line // what goes above the released section
	var title string
	switch k {
	case keepAChangelog:
		above = append(lines[h.first:h.last+1:h.last+1], blank(gap)...)
		title = "[" + version + "] - " + day
	case plain:
		above = append(lines[h.first:h.last+1:h.last+1], blank(gap)...)
		title = plainReleaseTitle(next, version, day)
	case zest:
		planned := zestTitle().FindStringSubmatch(h.title)[1]
		v := version
		if strings.HasPrefix(planned, "v") && !strings.HasPrefix(version, "v") {
			v = "v" + version
		}
		title = v + " (" + day + ")"
		above = h.render(nextVersion(v)+" (unreleased)", eol)
		above = append(above, blank(1)...)
		above = append(above, line{text: "- Nothing changed yet.", eol: eol})
		above = append(above, blank(gap)...)
	}

	out := make([]line, 0, len(lines)+len(above)+4)
	out = append(out, lines[:h.first]...)
	out = append(out, above...)
	out = append(out, h.render(title, eol)...)
	rest := lines[h.last+1:]
	if len(rest) == 0 && lines[h.last].eol == "" {
		out[len(out)-1].eol = "" // the file did not end with a newline
	}
	if k == keepAChangelog {
		rest = updateLinks(rest, version, eol)
	}
	out = append(out, rest...)
	return join(out, eol), nil
}

// join writes lines back, giving an end of line to any line that is no
// longer the last one.
func join(lines []line, eol string) []byte {
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l.text)
		if l.eol == "" && i < len(lines)-1 {
			l.eol = eol
		}
		b.WriteString(l.eol)
	}
	return []byte(b.String())
}

// checkVersion keeps headings and links well-formed: every PEP 440 version
// fits this alphabet, and none of it is markup.
func checkVersion(name, version string) error {
	if version == "" {
		return fmt.Errorf("changelog: %s: empty version: %w", name, ErrBadVersion)
	}
	for _, c := range version {
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.ContainsRune(".+!_-", c)
		if !ok {
			return fmt.Errorf("changelog: %s: version %q: %q is not allowed, want letters, digits and . + ! _ -: %w", name, version, c, ErrBadVersion)
		}
	}
	return nil
}
