package pep440

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// SemverParts lists the parts BumpSemver accepts: SemVer has no post or
// dev releases.
var SemverParts = []string{"major", "minor", "patch", "pre", "alpha", "beta", "rc", "release"}

// BumpSemver is the SemVer version after a bump of part, for projects that
// write their versions as SemVer (1.3.0-rc.1) rather than PEP 440
// (1.3.0rc1). from is the version as the nearest tag spells it, a "v"
// allowed; when it is "" or no SemVer, the bump starts from current's
// first three release numbers. The rules are Masterminds/semver's, with
// alpha, beta and rc as numbered pre-releases:
//
//   - major, minor and patch increment as semver's Inc* do: a pre-release
//     of a patch release is finalised by patch (1.3.0-rc.1 patch is 1.3.0).
//   - alpha, beta and rc count up the same label (1.3.0-rc.1 rc is
//     1.3.0-rc.2), start a later label at 1 (1.3.0-alpha.4 beta is
//     1.3.0-beta.1), start the next patch's on a release (1.2.3 alpha is
//     1.2.4-alpha.1), and refuse an earlier label.
//   - pre counts up the current label and is refused on a release.
//   - release drops the pre-release and is refused on a release.
//
// The result's text is the spelling tags get; Parse reads it as the PEP 440
// version that version files hold (1.3.0-rc.2 is 1.3.0rc2).
func BumpSemver(from string, current Version, part string) (string, error) {
	sv, err := semver.NewVersion(strings.TrimPrefix(from, "v"))
	if from == "" || err != nil {
		sv, err = semver.New(uint64(at(current.Release, 0)), uint64(at(current.Release, 1)), uint64(at(current.Release, 2)), "", ""), nil
	}
	fail := func(format string, args ...any) (string, error) {
		return "", &BumpError{Version: sv.String(), Part: part, Reason: fmt.Sprintf(format, args...)}
	}
	var next semver.Version
	switch part {
	case "major":
		next = sv.IncMajor()
	case "minor":
		next = sv.IncMinor()
	case "patch":
		next = sv.IncPatch()
	case "release":
		if sv.Prerelease() == "" {
			return fail("it is a release already")
		}
		next, err = sv.SetPrerelease("")
	case "alpha", "beta", "rc", "pre":
		label, n, _ := strings.Cut(sv.Prerelease(), ".")
		if part == "pre" && label == "" {
			return fail("it is not a pre-release; use alpha, beta or rc to start one")
		}
		want := part
		if part == "pre" {
			want = label
		}
		order := map[string]int{"alpha": 1, "beta": 2, "rc": 3}
		switch {
		case label == want:
			var num int
			fmt.Sscanf(n, "%d", &num)
			next, err = sv.SetPrerelease(fmt.Sprintf("%s.%d", want, num+1))
		case label == "":
			p := sv.IncPatch()
			next, err = p.SetPrerelease(want + ".1")
		case order[label] < order[want]:
			next, err = sv.SetPrerelease(want + ".1")
		default:
			return fail("%s is already past %s; bumping would go backwards", label, want)
		}
	default:
		return fail("not a SemVer bump (version-format = \"semver\"): use %s", strings.Join(SemverParts, ", "))
	}
	if err != nil {
		return fail("%v", err)
	}
	return next.String(), nil
}

// at is s[i], or 0 past its end: a release shorter than three numbers is
// padded with zeros.
func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}
