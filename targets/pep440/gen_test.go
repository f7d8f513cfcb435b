package pep440

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// gen produces version strings in the many spellings packaging accepts, and
// mutations of them that it mostly rejects, for the differential and
// property tests. It is seeded so that a failure can be reproduced.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))} }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// Whitespace that Python's \s matches, and that Go's unicode.IsSpace alone
// would miss (U+001C..U+001F).
var genSpaces = []string{" ", "\t", "\n", "\r\n", "\v", "\f", "\u00a0", "\u0085", "\u2003", "\u3000", "\x1c", "\x1f", "\u2028"}

// num is a decimal number: usually small, sometimes with leading zeros,
// sometimes large but below 10^15 so that both sides hold it exactly.
func (g *gen) num() string {
	var s string
	switch x := g.r.IntN(20); {
	case x < 12:
		s = strconv.Itoa(g.r.IntN(12))
	case x < 16:
		s = strconv.Itoa(g.r.IntN(1000))
	case x < 18:
		s = strconv.FormatInt(g.r.Int64N(1_000_000_000_000_000), 10)
	default:
		s = strings.Repeat("0", 1+g.r.IntN(3)) + strconv.Itoa(g.r.IntN(100))
	}
	return s
}

func (g *gen) sep() string {
	if g.chance(0.5) {
		return ""
	}
	return g.pick([]string{".", "-", "_"})
}

func (g *gen) caseOf(s string) string {
	switch x := g.r.IntN(10); {
	case x < 6:
		return s
	case x < 7:
		return strings.ToUpper(s)
	}
	b := []byte(s)
	for i := range b {
		if g.chance(0.4) {
			b[i] = strings.ToUpper(string(b[i]))[0]
		}
	}
	return string(b)
}

func (g *gen) space() string {
	var b strings.Builder
	for range 1 + g.r.IntN(2) {
		b.WriteString(g.pick(genSpaces))
	}
	return b.String()
}

// valid returns a version string packaging accepts.
func (g *gen) valid() string {
	var b strings.Builder
	if g.chance(0.08) {
		b.WriteString(g.space())
	}
	if g.chance(0.12) {
		b.WriteString(g.pick([]string{"v", "V"}))
	}
	if g.chance(0.1) {
		b.WriteString(g.num() + "!")
	}
	if g.chance(0.4) {
		// A few shared releases, so that suffixes and local parts decide
		// the order of many neighbours.
		b.WriteString(g.pick([]string{"1", "1.0", "1.0.0", "01.00", "1.1", "0.9", "2"}))
	} else {
		for i := range 1 + g.r.IntN(5) {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(g.num())
		}
	}
	if g.chance(0.4) {
		b.WriteString(g.sep())
		b.WriteString(g.caseOf(g.pick([]string{"a", "b", "c", "rc", "alpha", "beta", "pre", "preview"})))
		b.WriteString(g.sep())
		if g.chance(0.8) {
			b.WriteString(g.num())
		}
	}
	if g.chance(0.35) {
		if g.chance(0.25) {
			b.WriteString("-" + g.num())
		} else {
			b.WriteString(g.sep())
			b.WriteString(g.caseOf(g.pick([]string{"post", "rev", "r"})))
			b.WriteString(g.sep())
			if g.chance(0.8) {
				b.WriteString(g.num())
			}
		}
	}
	if g.chance(0.3) {
		b.WriteString(g.sep())
		b.WriteString(g.caseOf("dev"))
		b.WriteString(g.sep())
		if g.chance(0.8) {
			b.WriteString(g.num())
		}
	}
	if g.chance(0.25) {
		b.WriteByte('+')
		for i := range 1 + g.r.IntN(4) {
			if i > 0 {
				b.WriteString(g.pick([]string{".", "-", "_"}))
			}
			b.WriteString(g.localSegment())
		}
	}
	if g.chance(0.08) {
		b.WriteString(g.space())
	}
	return b.String()
}

func (g *gen) localSegment() string {
	switch g.r.IntN(4) {
	case 0:
		return g.num()
	case 1:
		return g.caseOf(g.pick([]string{"ubuntu", "abc", "local", "g1234abc", "x", "deb11u2", "1a", "a1", "post", "dev"}))
	}
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 1+g.r.IntN(6))
	for i := range b {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return string(b)
}

// Characters a mutation inserts. The four non-ASCII letters packaging folds
// to ASCII are left out on purpose (see the package doc).
var genNoise = []rune(".-_+!*~ \tvVaAbBcCrRpPdDeEoOsStTlLhHiwxyz0123456789\u00e9\u00a0\u2003")

// mutated returns a valid string with one to three random edits, made on
// runes so that the result stays valid UTF-8 for both sides.
func (g *gen) mutated() string {
	rs := []rune(g.valid())
	for range 1 + g.r.IntN(3) {
		switch op := g.r.IntN(6); {
		case op == 0 || len(rs) == 0:
			i := g.r.IntN(len(rs) + 1)
			rs = append(rs[:i], append([]rune{genNoise[g.r.IntN(len(genNoise))]}, rs[i:]...)...)
		case op == 1:
			i := g.r.IntN(len(rs))
			rs = append(rs[:i], rs[i+1:]...)
		case op == 2:
			i := g.r.IntN(len(rs))
			rs = append(rs[:i+1], rs[i:]...)
		case op == 3 && len(rs) > 1:
			i := g.r.IntN(len(rs) - 1)
			rs[i], rs[i+1] = rs[i+1], rs[i]
		case op == 4:
			rs = rs[:g.r.IntN(len(rs))]
		default:
			rs[g.r.IntN(len(rs))] = genNoise[g.r.IntN(len(genNoise))]
		}
	}
	return string(rs)
}

// corpus returns n strings, about two thirds of them valid spellings.
func (g *gen) corpus(n int) []string {
	out := make([]string, n)
	for i := range out {
		if g.r.IntN(3) < 2 {
			out[i] = g.valid()
		} else {
			out[i] = g.mutated()
		}
	}
	return out
}
