package pep440

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Parse reads every spelling of a version that packaging accepts: surrounding
// whitespace, a "v" prefix, any letter case, ".", "-" or "_" separators,
// implicit numbers ("1.0a" is 1.0a0), the alternative spellings alpha, beta,
// c, pre, preview, rev and r, and "-N" post releases.
//
// Numbers too large for an int are rejected rather than wrapped, so a
// version never silently changes its value.
func Parse(s string) (Version, error) {
	body := strings.TrimLeftFunc(s, isPySpace)
	body = strings.TrimRightFunc(body, isPySpace)
	p := parser{input: s, s: body}
	return p.parse()
}

// MustParse is Parse for versions known to be valid, such as constants in
// tests; it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Normalize returns the normalised spelling of s ("v1.0-RC.1" gives
// "1.0rc1"): the form pip and PyPI use in file names and metadata.
func Normalize(s string) (string, error) {
	v, err := Parse(s)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// The labels each optional segment accepts, longest first: a shorter
// alternative that is a prefix of a longer one ("pre" of "preview") can never
// lead to a valid version when the longer one matches, so trying the longest
// first gives the same parse as packaging's backtracking regular expression.
var (
	preLabels  = []string{"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"}
	postLabels = []string{"post", "rev", "r"}
	devLabels  = []string{"dev"}
)

// preNormal maps each pre-release spelling to its normal form.
func preNormal(label string) string {
	switch label {
	case "a", "alpha":
		return "a"
	case "b", "beta":
		return "b"
	default: // c, rc, pre, preview
		return "rc"
	}
}

// parser walks the trimmed input once. Every optional segment either matches
// completely or leaves the position untouched, which is all the
// backtracking packaging's regular expression ever needs for inputs it
// accepts.
type parser struct {
	input string // as given, for errors
	s     string // without surrounding whitespace
	pos   int
}

func (p *parser) parse() (Version, error) {
	var v Version
	if p.s == "" {
		return Version{}, p.fail("empty version string")
	}
	if p.s[0] == 'v' || p.s[0] == 'V' {
		p.pos++
	}
	d := p.digits()
	if d == "" {
		return Version{}, p.fail("expected a release number such as 1.0 at %s", p.here())
	}
	if p.peek() == '!' {
		p.pos++
		var err error
		if v.Epoch, err = p.number(d); err != nil {
			return Version{}, err
		}
		if d = p.digits(); d == "" {
			return Version{}, p.fail("expected a release number after the epoch %q", p.s[:p.pos])
		}
	}
	for {
		n, err := p.number(d)
		if err != nil {
			return Version{}, err
		}
		v.Release = append(v.Release, n)
		if p.peek() != '.' || !isDigit(p.at(p.pos+1)) {
			break
		}
		p.pos++
		d = p.digits()
	}

	label, n, ok, err := p.segment(preLabels)
	if err != nil {
		return Version{}, err
	}
	if ok {
		v.Pre = &Pre{Label: preNormal(label), N: n}
	}

	if p.peek() == '-' && isDigit(p.at(p.pos+1)) {
		p.pos++
		n, err := p.number(p.digits())
		if err != nil {
			return Version{}, err
		}
		v.Post = &n
	} else {
		_, n, ok, err := p.segment(postLabels)
		if err != nil {
			return Version{}, err
		}
		if ok {
			v.Post = &n
		}
	}

	_, n, ok, err = p.segment(devLabels)
	if err != nil {
		return Version{}, err
	}
	if ok {
		v.Dev = &n
	}

	if p.peek() == '+' {
		p.pos++
		if v.Local, err = p.local(); err != nil {
			return Version{}, err
		}
	}
	if p.pos < len(p.s) {
		return Version{}, p.fail("unexpected %s; expected %s", p.here(), stillAllowed(v))
	}
	return v, nil
}

// stillAllowed says what may follow the segments v already has, since each
// segment can only appear once and in PEP 440's order.
func stillAllowed(v Version) string {
	var next []string
	if v.Local != nil {
		return "the end of the version"
	}
	if v.Pre == nil && v.Post == nil && v.Dev == nil {
		next = append(next, "a pre-release (a, b, rc)")
	}
	if v.Post == nil && v.Dev == nil {
		next = append(next, ".postN")
	}
	if v.Dev == nil {
		next = append(next, ".devN")
	}
	next = append(next, "+local", "the end")
	return strings.Join(next[:len(next)-1], ", ") + " or " + next[len(next)-1]
}

// segment matches an optional [-_.]? label [-_.]? digits? and reports the
// label (lowercased) and number, 0 when implicit. Without a label nothing is
// consumed.
func (p *parser) segment(labels []string) (string, int, bool, error) {
	start := p.pos
	if isSep(p.peek()) {
		p.pos++
	}
	for _, l := range labels {
		if len(p.s)-p.pos >= len(l) && asciiEqualFold(p.s[p.pos:p.pos+len(l)], l) {
			p.pos += len(l)
			if isSep(p.peek()) {
				p.pos++
			}
			n := 0
			if d := p.digits(); d != "" {
				var err error
				if n, err = p.number(d); err != nil {
					return "", 0, false, err
				}
			}
			return l, n, true, nil
		}
	}
	p.pos = start
	return "", 0, false, nil
}

// local reads the segments after "+". Numeric segments lose their leading
// zeros, as packaging turns them into integers; the rest are lowercased.
func (p *parser) local() ([]string, error) {
	var segs []string
	for {
		start := p.pos
		for p.pos < len(p.s) && isAlnum(p.s[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			return nil, p.fail("expected a local version label (letters and digits separated by \".\", \"-\" or \"_\") at %s", p.here())
		}
		segs = append(segs, normalLocal(p.s[start:p.pos]))
		if !isSep(p.peek()) {
			return segs, nil
		}
		p.pos++
	}
}

func normalLocal(seg string) string {
	if !isNumeric(seg) {
		return strings.ToLower(seg)
	}
	return trimZeros(seg)
}

func (p *parser) digits() string {
	start := p.pos
	for p.pos < len(p.s) && isDigit(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) number(d string) (int, error) {
	n, err := strconv.Atoi(d)
	if err != nil {
		return 0, p.fail("number %s is larger than this package supports (%d)", d, math.MaxInt)
	}
	return n, nil
}

func (p *parser) peek() byte { return p.at(p.pos) }

func (p *parser) at(i int) byte {
	if i < len(p.s) {
		return p.s[i]
	}
	return 0
}

// here describes the current position for an error message.
func (p *parser) here() string {
	if p.pos >= len(p.s) {
		return "end of input"
	}
	rest := p.s[p.pos:]
	if len(rest) > 20 {
		rest = rest[:20] + "..."
	}
	if p.pos == 0 {
		return fmt.Sprintf("%q", rest)
	}
	return fmt.Sprintf("%q after %q", rest, p.s[:p.pos])
}

func (p *parser) fail(format string, args ...any) error {
	return &ParseError{Input: p.input, Reason: fmt.Sprintf(format, args...)}
}

// asciiEqualFold compares case-insensitively over ASCII only: strings.EqualFold
// would also fold non-ASCII letters, which Parse rejects (see the package doc).
// lower must already be lowercase.
func asciiEqualFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSep(c byte) bool { return c == '.' || c == '-' || c == '_' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isPySpace is Python's str.isspace, which is what the \s around
// packaging's pattern matches: Go's unicode.IsSpace plus the four ASCII
// information separators U+001C to U+001F.
func isPySpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0,
		0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}
