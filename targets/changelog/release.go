package changelog

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// kind is the convention an unreleased section follows.
type kind int

const (
	keepAChangelog kind = iota + 1 // "[Unreleased]"
	plain                          // "Unreleased"
	zest                           // "1.3.0 (unreleased)"
	pallets                        // "Version 1.3.0", then a line "Unreleased"
)

var (
	kacTitle   = lazyRegexp(`^(?i)\[unreleased\](?:\([^)]*\))?$`)
	plainTitle = lazyRegexp(`^(?i)unreleased:?$`)
	// zestTitle is zest.releaser's "1.3.0 (unreleased)", or the
	// "1.3.0 - unreleased" of the paster templates it also reads.
	zestTitle = lazyRegexp(`^(\S.*?)((?:[ \t]*\()|(?:[ \t]+[-~][ \t]+))((?i)unreleased)(\)?)$`)
	// palletsTitle is the heading of a Pallets section, "Version 8.1.9".
	palletsTitle = lazyRegexp(`^((?i)version[ \t]+)(v?\d\S*)$`)
	// palletsUnreleased is the line under it until the release, which
	// may carry more: "Unreleased, codename Foo".
	palletsUnreleased = lazyRegexp(`^(?i:unreleased)((?:[,;].*)?)[ \t]*$`)
	// palletsReleased is the line the release writes in its place,
	// "Released 2024-12-19" (older files: "Released on July 4th 2018").
	palletsReleased = lazyRegexp(`^((?i)released(?:[ \t]+on)?[ \t]+)(.*)$`)
)

func classify(title string) kind {
	switch {
	case kacTitle().MatchString(title):
		return keepAChangelog
	case plainTitle().MatchString(title):
		return plain
	case zestTitleMatch(title) != nil:
		return zest
	}
	return 0
}

// zestTitleMatch matches an unreleased zest.releaser title, its
// parentheses balanced.
func zestTitleMatch(title string) []string {
	m := zestTitle().FindStringSubmatch(title)
	if m == nil || strings.Contains(m[2], "(") != (m[4] == ")") {
		return nil
	}
	return m
}

// section is the unreleased section a release turns into the version's.
type section struct {
	at   int  // index of its heading
	kind kind // its convention
	line int  // a Pallets section's "Unreleased" line
}

// body returns the indexes of the lines between heading i and the next.
func body(lines []line, hs []heading, i int) (from, to int) {
	to = len(lines)
	if i+1 < len(hs) {
		to = hs[i+1].first
	}
	return hs[i].last + 1, to
}

// palletsLine returns the index of the first line under a "Version x"
// heading, or -1: the line that says "Unreleased" or "Released <date>".
func palletsLine(lines []line, hs []heading, i int) int {
	if !palletsTitle().MatchString(hs[i].title) {
		return -1
	}
	from, to := body(lines, hs, i)
	for j := from; j < to; j++ {
		if strings.TrimSpace(lines[j].text) != "" {
			return j
		}
	}
	return -1
}

// findUnreleased picks the section to release: a Pallets section planned
// for this very version, else the first unreleased section of any
// convention. (Pallets keep a section per maintained branch, so a file may
// have "Version 3.1.0" and "Version 3.0.4" both unreleased.)
func findUnreleased(lines []line, hs []heading, version string) (section, bool) {
	var first *section
	for i, h := range hs {
		if k := classify(h.title); k != 0 {
			if first == nil {
				first = &section{at: i, kind: k}
			}
			continue
		}
		u := palletsLine(lines, hs, i)
		if u < 0 || !palletsUnreleased().MatchString(strings.TrimSpace(lines[u].text)) {
			continue
		}
		s := section{at: i, kind: pallets, line: u}
		if trimV(palletsTitle().FindStringSubmatch(h.title)[2]) == trimV(version) {
			return s, true
		}
		if first == nil {
			first = &s
		}
	}
	if first == nil {
		return section{}, false
	}
	return *first, true
}

func trimV(v string) string { return strings.TrimPrefix(v, "v") }

// Release rewrites content so the unreleased section becomes the section
// of version, released on date, in the style of the file; see the package
// documentation for what each convention gets. name is the file's path: a
// .md or .markdown name means markdown, anything else reStructuredText-like
// underlined headings; it also names the file in errors. An empty section
// is fine.
func Release(content []byte, name string, version string, date time.Time) ([]byte, error) {
	if err := checkVersion(name, version); err != nil {
		return nil, err
	}
	if date.IsZero() {
		return nil, fmt.Errorf("changelog: %s: release date is the zero time: %w", name, ErrBadDate)
	}
	markdown := isMarkdown(name)
	lines := splitLines(string(content))
	hs := headings(lines, markdown)

	sec, ok := findUnreleased(lines, hs, version)
	for i, o := range hs {
		if (!ok || i != sec.at) && releasedVersion(o.title) == trimV(version) {
			return nil, fmt.Errorf("changelog: %s:%d: %q already has a section: %w", name, o.first+1, version, ErrAlreadyReleased)
		}
	}
	if !ok {
		return nil, noUnreleased(name, lines, hs, markdown, version)
	}
	h := hs[sec.at]
	eol := "\n"
	if strings.Contains(string(content), "\r\n") {
		eol = "\r\n"
	}
	day := learnDateStyle(dateSamples(lines, hs)).format(date)
	if sec.kind == pallets {
		return releasePallets(lines, hs, sec, version, day, eol), nil
	}

	var next *heading // the section after the unreleased one, for its style
	for i := sec.at + 1; i < len(hs); i++ {
		if hs[i].sameStyle(h) {
			next = &hs[i]
			break
		}
	}
	k := sec.kind
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
		m := zestTitleMatch(h.title)
		planned, sep, word, closing := m[1], m[2], m[3], m[4]
		v := version
		if strings.HasPrefix(planned, "v") && !strings.HasPrefix(version, "v") {
			v = "v" + version
		}
		title = v + sep + day + closing
		if closing == "" {
			// "1.3.0 - unreleased": zest.releaser reads it but writes
			// its stubs "(unreleased)", so a file that keeps the dash
			// adds its next section by hand.
			break
		}
		above = h.render(nextVersion(v)+sep+word+closing, eol)
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

// releasePallets writes "Released <date>" over the section's "Unreleased"
// line, and renames the section to the version released when it was
// planned as another ("Version 8.2.0" released as 8.1.10). No section is
// added for the next version: Pallets add it by hand with its first change.
func releasePallets(lines []line, hs []heading, sec section, version, day, eol string) []byte {
	h := hs[sec.at]
	prefix := "Released "
	for i := range hs {
		if i == sec.at {
			continue
		}
		if u := palletsLine(lines, hs, i); u >= 0 {
			if m := palletsReleased().FindStringSubmatch(strings.TrimSpace(lines[u].text)); m != nil {
				prefix = m[1]
				break
			}
		}
	}
	out := make([]line, 0, len(lines)+1)
	out = append(out, lines[:h.first]...)
	m := palletsTitle().FindStringSubmatch(h.title)
	if trimV(m[2]) != trimV(version) {
		renamed := h.render(m[1]+version, eol)
		renamed[len(renamed)-1].eol = lines[h.last].eol
		out = append(out, renamed...)
	} else {
		out = append(out, lines[h.first:h.last+1]...)
	}
	out = append(out, lines[h.last+1:sec.line]...)
	u := lines[sec.line]
	indent := u.text[:len(u.text)-len(strings.TrimLeft(u.text, " \t"))]
	rest := palletsUnreleased().FindStringSubmatch(strings.TrimSpace(u.text))[1]
	out = append(out, line{text: indent + prefix + day + rest, eol: u.eol})
	out = append(out, lines[sec.line+1:]...)
	return join(out, eol)
}

// dateSamples lists the texts that hold the file's release dates, newest
// first: released headings without their version (which could look like a
// date: 2024.12.1), and the "Released ..." lines of Pallets sections.
func dateSamples(lines []line, hs []heading) []string {
	var texts []string
	for i, h := range hs {
		if classify(h.title) != 0 {
			continue
		}
		if u := palletsLine(lines, hs, i); u >= 0 {
			if m := palletsReleased().FindStringSubmatch(strings.TrimSpace(lines[u].text)); m != nil {
				texts = append(texts, m[2])
			}
			continue
		}
		texts = append(texts, versionPrefix().ReplaceAllString(h.title, ""))
	}
	return texts
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".md" || ext == ".markdown"
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
