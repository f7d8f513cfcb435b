package version

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

// Schemes a project can choose with version-scheme.
const (
	// SchemePEP440 derives the version from the nearest tag:
	// the release on a tag, the next version as a .devN release after it.
	SchemePEP440 = "pep440"
	// SchemeFile takes the base version from the version file and adds a
	// zero-padded .devNNNN and, for build names, -0x<sha7>: the scheme
	// mitmproxy used.
	SchemeFile = "file"
)

// Formats of tags and bumps, chosen with version-format.
const (
	FormatPEP440 = "pep440"
	FormatSemver = "semver"
)

// SchemeOptions says how a Description becomes a version.
type SchemeOptions struct {
	Scheme string // SchemePEP440 (default) or SchemeFile
	Format string // FormatPEP440 (default) or FormatSemver: how tags are read
	// TagPattern is the tag-pattern glob; its literal prefix is stripped
	// from a tag before the rest is read as a version.
	TagPattern string
	// FileVersion is the version found in the version file; required by
	// SchemeFile, ignored otherwise.
	FileVersion string
	// FileName names where FileVersion came from, for errors.
	FileName string
	// Now dates dirty builds (.dYYYYMMDD); zero means time.Now.
	Now time.Time
}

// Versions are the forms of one build's version.
type Versions struct {
	// Version is what builds are stamped with: Dev for a clean tree, Local
	// for a dirty one, so a dirty build can never pass for a clean one.
	Version string
	// Release is the release this build is or leads to.
	Release string
	// Dev is the dev-release form: the release itself on a clean tag.
	Dev string
	// Build is the form for file names (Local for a dirty tree): Dev, plus -0x<sha7> off a tag in
	// the file scheme.
	Build string
	// Local is Dev with a +g<sha7> local segment (and .dYYYYMMDD when dirty).
	Local string
	// Tagged reports a clean tree exactly at a tag: a release build.
	Tagged bool
	// TagVersion is the version read from the tag, "" without a tag.
	TagVersion string
}

// Compute renders d in the scheme of o.
func Compute(d Description, o SchemeOptions) (Versions, error) {
	var tagVer pep440.Version
	var err error
	if d.Tag == "" {
		tagVer = pep440.MustParse("0.0")
	} else if tagVer, err = TagVersion(d.Tag, o.TagPattern, o.Format); err != nil {
		return Versions{}, err
	}
	if tagVer.Local != nil {
		return Versions{}, &TagError{Tag: d.Tag, Reason: "a tag cannot carry a local version segment (+...)"}
	}
	sha7 := d.Commit
	if len(sha7) > 7 {
		sha7 = sha7[:7]
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	v := Versions{Tagged: d.Tag != "" && d.Distance == 0 && !d.Dirty}
	if d.Tag != "" {
		v.TagVersion = tagVer.String()
	}

	switch o.Scheme {
	case "", SchemePEP440:
		if v.Tagged {
			rel := tagVer.String()
			v.Version, v.Release, v.Dev, v.Build, v.Local = rel, rel, rel, rel, rel
			return v, nil
		}
		// NextDev(1) then the real distance: a dirty tree on a tag is
		// the next version's .dev0, as setuptools-scm has it.
		next, err := pep440.NextDev(tagVer, 1)
		if err != nil {
			return Versions{}, &TagError{Tag: d.Tag, Reason: err.Error(), Err: err}
		}
		dist := d.Distance
		next.Dev = &dist
		v.Dev = next.String()
		rel := next.Clone()
		rel.Dev = nil
		v.Release = rel.String()
		v.Build = v.Dev
	case SchemeFile:
		if o.FileVersion == "" {
			return Versions{}, fmt.Errorf("version: the file scheme needs a version file (version-file in [tool.pyrelease])")
		}
		base, err := pep440.Parse(o.FileVersion)
		if err != nil {
			return Versions{}, fmt.Errorf("version: %s: %w", o.FileName, err)
		}
		base = base.Public()
		base.Dev = nil
		v.Release = base.String()
		if v.Tagged {
			v.Version, v.Dev, v.Build, v.Local = v.Release, v.Release, v.Release, v.Release
			return v, nil
		}
		v.Dev = fmt.Sprintf("%s.dev%04d", v.Release, d.Distance)
		v.Build = v.Dev + "-0x" + sha7
	default:
		return Versions{}, fmt.Errorf("version: unknown version-scheme %q (expected %q or %q)", o.Scheme, SchemePEP440, SchemeFile)
	}
	v.Local = v.Dev + "+g" + sha7
	if d.Dirty {
		v.Local += ".d" + now.UTC().Format("20060102")
	}
	v.Version = v.Dev
	if d.Dirty {
		// Files of a dirty tree are never named as the clean build of the
		// commit: they carry the local version, date included.
		v.Version, v.Build = v.Local, v.Local
	}
	return v, nil
}

// TagError reports a tag that cannot be read as a version.
type TagError struct {
	Tag    string
	Reason string
	Err    error
}

// Error names the tag and why it is no version.
func (e *TagError) Error() string {
	return fmt.Sprintf("version: tag %q: %s", e.Tag, e.Reason)
}

// Unwrap returns the parse error behind the reason, if any.
func (e *TagError) Unwrap() error { return e.Err }

// TagVersion reads the version a tag names: the literal prefix of pattern
// (up to its first wildcard) is stripped, then the rest is parsed as PEP 440
// (a leading v is allowed), or as SemVer first when format is semver.
func TagVersion(tag, pattern, format string) (pep440.Version, error) {
	text := StripTagPrefix(tag, pattern)
	if format == FormatSemver {
		sv, err := semver.StrictNewVersion(strings.TrimPrefix(text, "v"))
		if err != nil {
			return pep440.Version{}, &TagError{Tag: tag, Reason: "not a SemVer version (version-format = \"semver\"; expected e.g. v1.2.0 or v1.2.0-rc.1)", Err: err}
		}
		pv, err := pep440.Parse(sv.String())
		if err != nil {
			return pep440.Version{}, &TagError{Tag: tag, Reason: fmt.Sprintf("SemVer %s has no PEP 440 equivalent (pre-releases must be alpha, beta or rc)", sv), Err: err}
		}
		return pv, nil
	}
	v, err := pep440.Parse(text)
	if err != nil {
		reason := "not a PEP 440 version"
		var pe *pep440.ParseError
		if errors.As(err, &pe) {
			reason += ": " + pe.Reason
		}
		return pep440.Version{}, &TagError{Tag: tag, Reason: reason + " (expected e.g. v1.2.0, 1.2.0rc1 or v1.2.0-rc.1)", Err: err}
	}
	return v, nil
}

// StripTagPrefix removes the literal prefix of a tag-pattern glob (what
// comes before its first wildcard) from tag.
func StripTagPrefix(tag, pattern string) string {
	if i := strings.IndexAny(pattern, `*?[\`); i > 0 {
		return strings.TrimPrefix(tag, pattern[:i])
	} else if i < 0 && pattern != "" {
		return strings.TrimPrefix(tag, pattern)
	}
	return tag
}

// LooksLikeVersion reports whether a tag is a version candidate: after the
// pattern's literal prefix, an optional v and then a digit. Tags such as
// "nightly" are never candidates; "v1.2.x" is, and fails loudly when read.
func LooksLikeVersion(tag, pattern string) bool {
	s := StripTagPrefix(tag, pattern)
	if s != "" && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// TagName renders a tag for version with format, which holds "{version}".
// An empty format reuses the prefix of previous (the nearest tag) or "v".
func TagName(format, previous, pattern, version string) string {
	if format == "" {
		prefix := "v"
		if previous != "" {
			prefix = tagPrefix(previous, pattern)
		} else if i := strings.IndexAny(pattern, `*?[\`); i > 0 {
			prefix = pattern[:i] + "v"
		}
		format = prefix + "{version}"
	}
	return strings.ReplaceAll(format, "{version}", version)
}

// tagPrefix is what stands before the version in a tag: "v" for v1.2.0,
// "release-" for release-1.2.0, "" for 1.2.0.
func tagPrefix(tag, pattern string) string {
	rest := StripTagPrefix(tag, pattern)
	prefix := tag[:len(tag)-len(rest)]
	if rest != "" && (rest[0] == 'v' || rest[0] == 'V') {
		prefix += rest[:1]
	}
	return prefix
}
