package changelog

import (
	"strconv"
	"strings"
)

// versionToken is the version a heading starts with: "1.2.0",
// "[1.2.0] - ...", "v1.2.0 (...)", "Version 1.2.0".
var versionToken = lazyRegexp(`^(?:(?i:version)[ \t]+)?\[?v?(\d[^\s\])]*)`)

// versionPrefix is a heading's version with its brackets, as
// dateSamples removes it.
var versionPrefix = lazyRegexp(`^(?:(?i:version)[ \t]+)?\[?v?\d[^\s\])]*\]?`)

// releasedVersion returns the version a heading is about, without a "v".
func releasedVersion(title string) string {
	if m := versionToken().FindStringSubmatch(title); m != nil {
		return m[1]
	}
	return ""
}

// datedTitle takes a released heading apart: brackets, "v", the version, the
// separator before the date, the date, and a closing parenthesis.
var datedTitle = lazyRegexp(`^(\[?)(v?)\d[^\s\])]*(\]?)([ \t]*(?:[-–—/,:]|\()?[ \t]*)(.+?)(\)?)$`)

// plainReleaseTitle copies the shape of the previous release's heading
// ("v1.2.0 - 2024-01-01", "[1.2.0] (December 19, 2024)"...), or writes
// "1.3.0 (2026-11-20)" when there is none to copy.
func plainReleaseTitle(prev *heading, version, day string) string {
	if prev != nil {
		if m := datedTitle().FindStringSubmatch(prev.title); m != nil {
			if d, ok := findDate(m[5]); ok && d.start == 0 && d.end == len(m[5]) {
				v := version
				if m[2] == "v" && !strings.HasPrefix(version, "v") {
					v = "v" + version
				}
				return m[1] + v + m[3] + m[4] + day + m[6]
			}
		}
	}
	return version + " (" + day + ")"
}

var (
	releaseSegment = lazyRegexp(`^(v?(?:\d+!)?)(\d+(?:\.\d+)*)(.*)$`)
	preRelease     = lazyRegexp(`^(?i)[-_.]?(a|b|c|rc|alpha|beta|pre|preview|dev)`)
)

// nextVersion guesses the version after v for a zest.releaser stub, as its
// postrelease step does: 1.3.0 → 1.3.1, and a pre-release 1.3.0rc1 → 1.3.0,
// the release it leads to. Without a numeric release segment there is
// nothing to guess from, and the stub says "Unreleased" alone.
func nextVersion(v string) string {
	m := releaseSegment().FindStringSubmatch(v)
	if m == nil {
		return "Unreleased"
	}
	if preRelease().MatchString(m[3]) {
		return m[1] + m[2]
	}
	parts := strings.Split(m[2], ".")
	n, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		// Too many digits to be a real version; do not guess.
		return m[1] + m[2]
	}
	parts[len(parts)-1] = strconv.Itoa(n + 1)
	return m[1] + strings.Join(parts, ".")
}
