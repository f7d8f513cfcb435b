package changelog

import (
	"strings"
)

// unreleasedLink is Keep a Changelog's link definition for the unreleased
// changes, in the compare shape of the common forges:
// "[Unreleased]: BASE/compare/v1.2.0...HEAD".
var unreleasedLink = lazyRegexp(`^\[((?i)unreleased)\]:[ \t]*(\S+)/compare/(\S+?)\.\.\.HEAD[ \t]*$`)

// updateLinks moves the unreleased compare link to start at the new tag and
// adds a definition for the new version comparing it with the previous tag.
// The tag's prefix ("v", "release-") is taken from the previous tag. Other
// link shapes are left alone.
func updateLinks(lines []line, version, eol string) []line {
	for _, l := range lines {
		if strings.HasPrefix(strings.ToLower(l.text), "["+strings.ToLower(version)+"]:") {
			return lines // already defined by hand
		}
	}
	for i, l := range lines {
		m := unreleasedLink().FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		label, base, prev := m[1], m[2], m[3]
		digit := strings.IndexAny(prev, "0123456789")
		if digit < 0 {
			return lines // not a version tag: nothing to derive the new one from
		}
		tag := prev[:digit] + strings.TrimPrefix(version, "v")
		if prev[:digit] == "" {
			tag = version
		}
		if l.eol == "" {
			l.eol = eol
		}
		out := make([]line, 0, len(lines)+1)
		out = append(out, lines[:i]...)
		out = append(out,
			line{text: "[" + label + "]: " + base + "/compare/" + tag + "...HEAD", eol: l.eol},
			line{text: "[" + version + "]: " + base + "/compare/" + prev + "..." + tag, eol: lines[i].eol},
		)
		return append(out, lines[i+1:]...)
	}
	return lines
}
