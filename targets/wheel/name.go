package wheel

import (
	"fmt"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// WheelName is a parsed wheel file name (binary distribution format spec):
// {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl.
//
// Fields keep the spelling found in the file name, so String gives the name
// back unchanged; compare names with config.NormalizeName and versions with
// pep440.Normalize.
type WheelName struct {
	Distribution string   // escaped project name; setuptools keeps its case ("My_Project")
	Version      string   // a valid PEP 440 version, as spelled in the file name
	Build        string   // optional build tag; starts with a digit
	PythonTags   []string // the compressed set "py2.py3" split on "."
	ABITags      []string
	PlatformTags []string
}

// SdistName is a parsed PEP 625 source distribution file name:
// {escaped name}-{version}.tar.gz.
type SdistName struct {
	Distribution string // the escaped, lower-case name ("my_project")
	Version      string // a valid PEP 440 version, as spelled in the file name
}

// ParseWheelName parses a wheel's file name (not a path). It accepts what
// pip's packaging accepts and a little less: the name may keep upper case and
// dots (older setuptools writes both) but may not hold a "-" or "__", the
// version must be valid PEP 440, a build tag must start with a digit, and
// every tag of a compressed set must be non-empty.
func ParseWheelName(filename string) (WheelName, error) {
	bad := func(format string, args ...any) (WheelName, error) {
		return WheelName{}, &NameError{Filename: filename, Kind: KindWheel, Reason: fmt.Sprintf(format, args...)}
	}
	stem, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return bad("a wheel file name ends in .whl")
	}
	parts := strings.Split(stem, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return bad("expected {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl, found %d dash-separated parts", len(parts))
	}
	n := WheelName{Distribution: parts[0], Version: parts[1]}
	if reason := escapedNameProblem(n.Distribution, true); reason != "" {
		return bad("name %q: %s", n.Distribution, reason)
	}
	if _, err := pep440.Parse(n.Version); err != nil {
		return bad("version %q is not a valid PEP 440 version", n.Version)
	}
	tags := parts[2:]
	if len(parts) == 6 {
		n.Build = parts[2]
		tags = parts[3:]
		if reason := buildTagProblem(n.Build); reason != "" {
			return bad("build tag %q: %s", n.Build, reason)
		}
	}
	sets := [3]*[]string{&n.PythonTags, &n.ABITags, &n.PlatformTags}
	for i, what := range [3]string{"python", "abi", "platform"} {
		set, reason := splitTagSet(tags[i])
		if reason != "" {
			return bad("%s tag %q: %s", what, tags[i], reason)
		}
		*sets[i] = set
	}
	return n, nil
}

// String gives the file name back.
func (n WheelName) String() string {
	var b strings.Builder
	b.WriteString(n.Distribution + "-" + n.Version)
	if n.Build != "" {
		b.WriteString("-" + n.Build)
	}
	for _, set := range [][]string{n.PythonTags, n.ABITags, n.PlatformTags} {
		b.WriteString("-" + strings.Join(set, "."))
	}
	b.WriteString(".whl")
	return b.String()
}

// Tags expands the compressed tag sets into every python-abi-platform
// triple the wheel claims, in file-name order: what the WHEEL file's Tag
// lines must list.
func (n WheelName) Tags() []string {
	var out []string
	for _, py := range n.PythonTags {
		for _, abi := range n.ABITags {
			for _, plat := range n.PlatformTags {
				out = append(out, py+"-"+abi+"-"+plat)
			}
		}
	}
	return out
}

// ParseSdistName parses a source distribution's file name as PEP 625
// requires and PyPI enforces: {escaped name}-{version}.tar.gz, the name
// lower case with every run of "-_." written as one "_". Legacy names
// ("My-Project-1.0.tar.gz", ".zip") are rejected with the expected spelling.
func ParseSdistName(filename string) (SdistName, error) {
	bad := func(format string, args ...any) (SdistName, error) {
		return SdistName{}, &NameError{Filename: filename, Kind: KindSdist, Reason: fmt.Sprintf(format, args...)}
	}
	stem, ok := strings.CutSuffix(filename, ".tar.gz")
	if !ok {
		return bad("a PEP 625 sdist file name ends in .tar.gz")
	}
	name, version, ok := strings.Cut(stem, "-")
	if !ok {
		return bad("expected {name}-{version}.tar.gz, found no dash")
	}
	if reason := escapedNameProblem(name, false); reason != "" {
		return bad("name %q: %s", name, reason)
	}
	if strings.Contains(version, "-") {
		return bad("expected {name}-{version}.tar.gz with the name escaped as %q, found more than one dash (setuptools before 69.3 writes such names, which PyPI refuses: build with a newer setuptools, as isolation = true does)", EscapeName(stem[:strings.LastIndex(stem, "-")]))
	}
	if _, err := pep440.Parse(version); err != nil {
		return bad("version %q is not a valid PEP 440 version", version)
	}
	return SdistName{Distribution: name, Version: version}, nil
}

// String gives the file name back.
func (n SdistName) String() string { return n.Distribution + "-" + n.Version + ".tar.gz" }

// EscapeName is the form of a name used in wheel and sdist file names and
// .dist-info directories: the PEP 503 normal form (config.NormalizeName),
// with "_" in place of "-" so the name cannot be confused with the "-"
// that separates the file name's parts.
func EscapeName(name string) string {
	return strings.ReplaceAll(config.NormalizeName(name), "-", "_")
}

// validName reports whether s is a valid project name (core metadata Name):
// ASCII letters and digits, with ".", "_" and "-" allowed inside.
func validName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// escapedNameProblem says what is wrong with the name part of a file name,
// or "" when nothing is. Wheels may keep the case and dots setuptools
// writes; PEP 625 sdists must carry exactly EscapeName's form.
func escapedNameProblem(s string, lenient bool) string {
	if !validName(s) || strings.Contains(s, "-") {
		return "expected ASCII letters and digits, with \".\" or \"_\" between them"
	}
	if lenient {
		if strings.Contains(s, "__") {
			return "a run of separators must be escaped as a single \"_\""
		}
		return ""
	}
	if e := EscapeName(s); e != s {
		return fmt.Sprintf("PEP 625 requires the escaped, lower-case name %q", e)
	}
	return ""
}

func buildTagProblem(s string) string {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return "a build tag must start with a digit"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '.' {
			return "expected a digit followed by letters, digits, \".\" or \"_\""
		}
	}
	return ""
}

// splitTagSet splits a compressed tag set ("py2.py3") and checks each tag:
// letters, digits and "_" only, as in "cp311", "abi3", "manylinux_2_17_x86_64".
func splitTagSet(s string) ([]string, string) {
	set := strings.Split(s, ".")
	for _, t := range set {
		if t == "" {
			return nil, "empty tag in the compressed set"
		}
		for i := 0; i < len(t); i++ {
			if c := t[i]; !isAlnum(c) && c != '_' {
				return nil, "expected letters, digits and \"_\", with \".\" between the tags of a compressed set"
			}
		}
	}
	return set, ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
