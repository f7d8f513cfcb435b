package version

// wildmatch results, as in git's wildmatch.c.
const (
	wmMatch        = 0
	wmNoMatch      = 1
	wmAbortAll     = -1
	wmAbortToStars = -2
)

// wildmatch is git's wildmatch(pattern, text, 0), the matcher behind
// `git describe --match`: '*' and '?' match '/' too, "[...]" classes take
// '!' or '^' to negate and know the POSIX [:name:] classes, and a
// backslash quotes the next byte. Both strings end at a NUL, as in C.
func wildmatch(pattern, text string) bool {
	return doWild(cstr(pattern), cstr(text)) == wmMatch
}

func cstr(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }

func doWild(p, text string) int {
	pi, ti := 0, 0
	for ; pi < len(p); ti, pi = ti+1, pi+1 {
		pch := p[pi]
		tch := at(text, ti)
		if tch == 0 && pch != '*' {
			return wmAbortAll
		}
		switch pch {
		case '\\':
			pi++
			pch = at(p, pi)
			if tch != pch {
				return wmNoMatch
			}
			if pi >= len(p) {
				// The pattern ended in a lone backslash: git compares the
				// text byte with the NUL and fails.
				return wmNoMatch
			}
			continue
		default:
			if tch != pch {
				return wmNoMatch
			}
			continue
		case '?':
			continue
		case '*':
			// Without WM_PATHNAME, '*' and '**' both match across '/'.
			pi++
			for at(p, pi) == '*' {
				pi++
			}
			if pi >= len(p) {
				return wmMatch
			}
			for {
				if tch == 0 {
					break
				}
				if nc := p[pi]; !isGlobSpecial(nc) {
					for ti < len(text) {
						tch = text[ti]
						if tch == nc {
							break
						}
						ti++
					}
					tch = at(text, ti)
					if tch != nc {
						return wmNoMatch
					}
				}
				if m := doWild(p[pi:], text[ti:]); m != wmNoMatch {
					if m != wmAbortToStars {
						return m
					}
				}
				ti++
				tch = at(text, ti)
			}
			return wmAbortAll
		case '[':
			end, m := matchBracket(p, pi, tch)
			if m != wmMatch {
				return m
			}
			pi = end
			continue
		}
	}
	if ti < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

// matchBracket matches tch against the "[...]" class whose '[' is at
// p[pi]: it returns the index of the closing ']' and wmMatch or
// wmNoMatch, or wmAbortAll for a class that never closes.
func matchBracket(p string, pi int, tch byte) (int, int) {
	pi++
	pch := at(p, pi)
	if pch == '^' {
		pch = '!'
	}
	negated := pch == '!'
	if negated {
		pi++
		pch = at(p, pi)
	}
	var prev byte
	matched := false
	for {
		if pch == 0 {
			return 0, wmAbortAll
		}
		switch {
		case pch == '\\':
			pi++
			pch = at(p, pi)
			if pch == 0 {
				return 0, wmAbortAll
			}
			if tch == pch {
				matched = true
			}
		case pch == '-' && prev != 0 && at(p, pi+1) != 0 && at(p, pi+1) != ']':
			pi++
			pch = p[pi]
			if pch == '\\' {
				pi++
				pch = at(p, pi)
				if pch == 0 {
					return 0, wmAbortAll
				}
			}
			if tch <= pch && tch >= prev {
				matched = true
			}
			pch = 0 // so that prev becomes 0
		case pch == '[' && at(p, pi+1) == ':':
			s := pi + 2
			pi = s
			for pi < len(p) && p[pi] != ']' {
				pi++
			}
			if pi >= len(p) {
				return 0, wmAbortAll
			}
			i := pi - s - 1
			if i < 0 || p[pi-1] != ':' {
				// No ":]": treat "[" as a normal member.
				pi = s - 2
				pch = '['
				if tch == pch {
					matched = true
				}
				break
			}
			ok, known := posixClass(p[s:s+i], tch)
			if !known {
				return 0, wmAbortAll
			}
			if ok {
				matched = true
			}
			pch = 0
		default:
			if tch == pch {
				matched = true
			}
		}
		prev = pch
		pi++
		pch = at(p, pi)
		if pch == ']' {
			break
		}
	}
	if matched == negated {
		return 0, wmNoMatch
	}
	return pi, wmMatch
}

// posixClass evaluates [:name:] in the C locale.
func posixClass(name string, c byte) (match, known bool) {
	upper := c >= 'A' && c <= 'Z'
	lowerc := c >= 'a' && c <= 'z'
	digit := c >= '0' && c <= '9'
	alpha := upper || lowerc
	space := c == ' ' || c == '\t' || c == '\n' || c == '\r' // git's own isspace: no \v or \f
	print := c >= 0x20 && c < 0x7f
	graph := c > 0x20 && c < 0x7f
	switch name {
	case "alnum":
		return alpha || digit, true
	case "alpha":
		return alpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return digit, true
	case "graph":
		return graph, true
	case "lower":
		return lowerc, true
	case "print":
		return print, true
	case "punct":
		return graph && !alpha && !digit, true
	case "space":
		return space, true
	case "upper":
		return upper, true
	case "xdigit":
		return digit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F', true
	}
	return false, false
}
