package changelog

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoSection means a changelog has no section for a version: the release
// notes a forge release takes from it do not exist.
var ErrNoSection = errors.New("no section for the version")

// Section returns the text of version's section of a changelog, without
// its heading: the release notes of that version as bump wrote them. name
// is the file's path (a .md or .markdown name means markdown headings) and
// names the file in errors. The section ends at the next heading of the
// same or a higher level, so its subsections ("### Added") are kept; a
// Pallets "Released <date>" line under the heading is left out, and so are
// blank lines around the text. Line endings become "\n". A version given
// with or without a "v" finds a heading written either way.
func Section(content []byte, name, version string) (string, error) {
	if err := checkVersion(name, version); err != nil {
		return "", err
	}
	markdown := isMarkdown(name)
	lines := splitLines(string(content))
	hs := headings(lines, markdown)
	ranks := headingRanks(hs, markdown)
	for i, h := range hs {
		if releasedVersion(h.title) != trimV(version) {
			continue
		}
		from, to := h.last+1, len(lines)
		for j := i + 1; j < len(hs); j++ {
			if ranks[j] <= ranks[i] {
				to = hs[j].first
				break
			}
		}
		if u := palletsLine(lines, hs, i); u >= 0 && palletsReleased().MatchString(strings.TrimSpace(lines[u].text)) {
			from = u + 1
		}
		var b strings.Builder
		for _, l := range lines[from:to] {
			b.WriteString(l.text)
			b.WriteByte('\n')
		}
		return strings.Trim(b.String(), "\n"), nil
	}
	return "", fmt.Errorf("changelog: %s: no heading for version %s (expected a section such as %q, as bump writes it): %w", name, version, trimV(version)+" (date)", ErrNoSection)
}

// headingRanks gives each heading its level, smaller being higher: the
// number of #s of a markdown ATX heading (a setext heading underlined with
// = is 1, with - is 2); in reStructuredText, the order in which its
// adornment style first appears in the file, as docutils ranks them.
func headingRanks(hs []heading, markdown bool) []int {
	ranks := make([]int, len(hs))
	var styles []heading
	for i, h := range hs {
		switch {
		case h.atx != "":
			ranks[i] = strings.Count(h.atx, "#")
		case markdown && h.adorn == '=':
			ranks[i] = 1
		case markdown:
			ranks[i] = 2
		default:
			ranks[i] = len(styles)
			for k, s := range styles {
				if s.sameStyle(h) {
					ranks[i] = k
					break
				}
			}
			if ranks[i] == len(styles) {
				styles = append(styles, h)
			}
		}
	}
	return ranks
}
