package pep440

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Parts lists the parts Bump accepts, in the order a help text shows them.
var Parts = []string{"major", "minor", "patch", "pre", "alpha", "beta", "rc", "post", "dev", "release"}

// Bump returns the version after a bump of part. Every result sorts after v,
// and the local part is always dropped.
//
//   - major, minor, patch work as npm's do on a release padded to three
//     components: a pre or dev version of a release whose lower components
//     are zero is just finalised (1.2.0rc1 minor is 1.2.0), anything else
//     increments the part and zeroes the lower ones (1.2.3.post1 patch is
//     1.2.4).
//   - alpha, beta, rc move to the next pre-release with that label: the same
//     label counts up (1.2.0a1 alpha is 1.2.0a2), a later label starts at 1
//     (1.2.0a2 rc is 1.2.0rc1), an earlier one is refused, and a final
//     release starts the next patch (1.2.0 beta is 1.2.1b1). A dev release
//     of the release or pre-release it precedes becomes that one:
//     1.3.0.dev2 alpha is 1.3.0a1 and 1.2.0rc2.dev0 rc is 1.2.0rc2.
//   - pre counts up the current pre-release (1.2.0rc1 is 1.2.0rc2).
//   - post counts up the post release (1.2.0 is 1.2.0.post1).
//   - dev counts up a dev release (1.2.0.dev3 is 1.2.0.dev4) or starts the
//     next one (1.2.0 is 1.2.1.dev0, 1.2.0rc1 is 1.2.0rc2.dev0).
//   - release drops pre, post and dev segments (1.2.0rc1 is 1.2.0) and is
//     refused on a final release.
func Bump(v Version, part string) (Version, error) {
	fail := func(format string, args ...any) (Version, error) {
		return Version{}, &BumpError{Version: v.String(), Part: part, Reason: fmt.Sprintf(format, args...)}
	}
	if len(v.Release) == 0 {
		return fail("the version has no release segment; build versions with Parse")
	}
	var (
		out    Version
		reason string
	)
	switch part {
	case "major":
		out, reason = bumpRelease(v, 0)
	case "minor":
		out, reason = bumpRelease(v, 1)
	case "patch":
		out, reason = bumpRelease(v, 2)
	case "alpha":
		out, reason = bumpPre(v, "a")
	case "beta":
		out, reason = bumpPre(v, "b")
	case "rc":
		out, reason = bumpPre(v, "rc")
	case "pre":
		if v.Pre == nil {
			return fail("it is not a pre-release; use alpha, beta or rc to start one")
		}
		out, reason = bumpPre(v, v.Pre.Label)
	case "post":
		out, reason = bumpPost(v)
	case "dev":
		out, reason = bumpDev(v)
	case "release":
		out, reason = bumpFinal(v)
	default:
		return fail("unknown part; valid parts are %s", strings.Join(Parts, ", "))
	}
	if reason != "" {
		return fail("%s", reason)
	}
	if Compare(out, v) <= 0 {
		// Unreachable by construction; kept so that a mistake here can never
		// publish a version that sorts before the one it replaces.
		return fail("the result %s would not sort after it", out)
	}
	return out, nil
}

// NextDev is the version of a build distance commits after the tag v, in the
// style of setuptools-scm's "guess-next-dev": the number that would change in
// the next release of the same kind goes up by one and the distance becomes
// the dev number. 1.2.0 gives 1.2.1.devN, 1.2 gives 1.3.devN, 1.2.0rc1 gives
// 1.2.0rc2.devN and 1.2.0.post1 gives 1.2.0.post2.devN. At distance 0 the
// build is the tag itself and v is returned without its local part.
//
// A .dev0 tag starts the count: 2.6.0.dev0 gives 2.6.0.devN, as
// setuptools-scm does for projects that tag the start of a release's
// development. Any other dev release tag with a distance is refused with
// ErrDevTag: no version sorts after 1.2.0.dev3 and before 1.2.0.dev4 to
// count commits with.
func NextDev(v Version, distance int) (Version, error) {
	switch {
	case len(v.Release) == 0:
		return Version{}, fmt.Errorf("pep440: next dev version: the version has no release segment: %w", ErrBump)
	case distance < 0:
		return Version{}, fmt.Errorf("pep440: next dev version after %s: negative commit distance %d: %w", v, distance, ErrBump)
	case distance == 0:
		return v.Public(), nil
	case v.Dev != nil && *v.Dev != 0:
		pub := v.Public()
		pub.Dev = new(int)
		return Version{}, fmt.Errorf("pep440: next dev version after %s at %d commits: %w; tag %s instead (its commits count as .devN) or a release", v, distance, ErrDevTag, pub)
	case v.Dev != nil:
		// A .dev0 tag marks where development of a release starts (a
		// branch point): commits after it count up its dev number, as
		// setuptools-scm has it.
		out := v.Public()
		out.Dev = &distance
		return out, nil
	}
	out, reason := nextDev(v, distance, false)
	if reason != "" {
		return Version{}, fmt.Errorf("pep440: next dev version after %s: %s: %w", v, reason, ErrBump)
	}
	return out, nil
}

// beforeBase reports whether v sorts before the final release it belongs
// to (1.2.0rc1, 1.2.0.dev3), so that releasing means finalising it rather
// than moving on to a new number.
func beforeBase(v Version) bool { return v.Pre != nil || (v.Dev != nil && v.Post == nil) }

// bumpRelease bumps release component idx on a release padded to three
// components.
func bumpRelease(v Version, idx int) (Version, string) {
	rel := slices.Clone(v.Release)
	for len(rel) < 3 {
		rel = append(rel, 0)
	}
	lowerZero := !slices.ContainsFunc(rel[idx+1:], func(n int) bool { return n != 0 })
	rel = rel[:3]
	if !(beforeBase(v) && lowerZero) {
		n, ok := inc(rel[idx])
		if !ok {
			return Version{}, "release number too large"
		}
		rel[idx] = n
		clear(rel[idx+1:])
	}
	return Version{Epoch: v.Epoch, Release: rel}, ""
}

// labelRank orders the normalised pre-release labels.
func labelRank(label string) int {
	return slices.Index([]string{"a", "b", "rc"}, label)
}

func bumpPre(v Version, label string) (Version, string) {
	switch {
	case v.Pre == nil && v.Dev != nil && v.Post == nil:
		out := v.Base()
		out.Pre = &Pre{Label: label, N: 1}
		return out, ""
	case v.Pre == nil:
		out, reason := bumpRelease(v, 2)
		out.Pre = &Pre{Label: label, N: 1}
		return out, reason
	}
	out := v.Base()
	switch cur := labelRank(v.Pre.Label); {
	case labelRank(label) > cur:
		out.Pre = &Pre{Label: label, N: 1}
	case labelRank(label) < cur:
		return Version{}, fmt.Sprintf("%s is already past %s; bumping would go backwards", preName(v.Pre.Label), preName(label))
	case v.Dev != nil && v.Post == nil:
		// A dev release of this pre-release: the pre-release itself is next.
		out.Pre = &Pre{Label: label, N: v.Pre.N}
	default:
		n, ok := inc(v.Pre.N)
		if !ok {
			return Version{}, "pre-release number too large"
		}
		out.Pre = &Pre{Label: label, N: n}
	}
	return out, ""
}

func preName(label string) string {
	switch label {
	case "a":
		return "alpha"
	case "b":
		return "beta"
	}
	return label
}

func bumpPost(v Version) (Version, string) {
	out := v.Base()
	if v.Pre != nil {
		out.Pre = &Pre{Label: v.Pre.Label, N: v.Pre.N}
	}
	switch {
	case v.Post == nil:
		out.Post = intPtr(1)
	case v.Dev != nil:
		// A dev release of this post release: the post release is next.
		out.Post = intPtr(*v.Post)
	default:
		n, ok := inc(*v.Post)
		if !ok {
			return Version{}, "post release number too large"
		}
		out.Post = &n
	}
	return out, ""
}

func bumpDev(v Version) (Version, string) {
	if v.Dev == nil {
		return nextDev(v, 0, true)
	}
	n, ok := inc(*v.Dev)
	if !ok {
		return Version{}, "dev release number too large"
	}
	out := v.Public()
	out.Dev = &n
	return out, ""
}

// nextDev starts a dev release of whatever comes after the non-dev
// version v: the next post release, the next pre-release, or else the next
// release, which Bump makes the next patch and NextDev the next value of the
// last release component.
func nextDev(v Version, dev int, patch bool) (Version, string) {
	out := v.Public()
	switch {
	case v.Post != nil:
		n, ok := inc(*v.Post)
		if !ok {
			return Version{}, "post release number too large"
		}
		out.Post = &n
	case v.Pre != nil:
		n, ok := inc(v.Pre.N)
		if !ok {
			return Version{}, "pre-release number too large"
		}
		out.Pre.N = n
	case patch:
		var reason string
		if out, reason = bumpRelease(v, 2); reason != "" {
			return Version{}, reason
		}
	default:
		last := len(out.Release) - 1
		n, ok := inc(out.Release[last])
		if !ok {
			return Version{}, "release number too large"
		}
		out.Release[last] = n
	}
	out.Dev = &dev
	return out, ""
}

func bumpFinal(v Version) (Version, string) {
	switch {
	case beforeBase(v):
		return v.Base(), ""
	case v.Dev != nil:
		// 1.2.0.post1.dev1: the post release it leads to.
		out := v.Base()
		out.Post = intPtr(*v.Post)
		return out, ""
	}
	return Version{}, "it is already a final release"
}

func inc(n int) (int, bool) {
	if n == math.MaxInt {
		return 0, false
	}
	return n + 1, true
}
