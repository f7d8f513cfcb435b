package changelog

import (
	"strings"
	"unicode/utf8"
)

// line is one line of the file; eol is "\n", "\r\n" or "" for a last line
// without one.
type line struct {
	text, eol string
}

func splitLines(content string) []line {
	var lines []line
	for content != "" {
		i := strings.IndexByte(content, '\n')
		if i < 0 {
			lines = append(lines, line{text: content})
			break
		}
		text, eol := content[:i], "\n"
		if strings.HasSuffix(text, "\r") {
			text, eol = text[:len(text)-1], "\r\n"
		}
		lines = append(lines, line{text: text, eol: eol})
		content = content[i+1:]
	}
	return lines
}

// heading is a section title, either an ATX one ("## Title") or a title line
// with an underline (and maybe an overline) of one repeated character.
type heading struct {
	first, last int // indexes of its first and last line (overline/underline)
	title       string
	atx         string // the "## " before the title of an ATX heading
	adorn       byte   // the underline character of an underlined heading
	overline    bool
	overhang    int // how much longer the underline is than the title
}

// sameStyle reports whether two headings are at the same level, judged, as
// reStructuredText does, by their adornment.
func (h heading) sameStyle(o heading) bool {
	return h.atx != "" && strings.TrimSpace(h.atx) == strings.TrimSpace(o.atx) ||
		h.atx == "" && o.atx == "" && h.adorn == o.adorn && h.overline == o.overline
}

// render writes the heading with another title, the underline and overline
// sized to it as the original ones were to theirs.
func (h heading) render(title, eol string) []line {
	if h.atx != "" {
		return []line{{text: h.atx + title, eol: eol}}
	}
	rule := strings.Repeat(string(h.adorn), utf8.RuneCountInString(title)+h.overhang)
	out := []line{{text: title, eol: eol}, {text: rule, eol: eol}}
	if h.overline {
		out = append([]line{{text: rule, eol: eol}}, out...)
	}
	return out
}

var atxHeading = lazyRegexp(`^(#{1,6}[ \t]+)(.*?)[ \t]*$`)

// Characters reStructuredText accepts for section adornments; markdown's
// setext headings use only = and -.
const (
	rstAdornments = "=-`:.'\"~^_*+#<>"
	mdAdornments  = "=-"
)

// adornment returns the character an adornment line repeats, or 0.
func adornment(s string, chars string) byte {
	s = strings.TrimRight(s, " \t")
	if len(s) < 2 || !strings.ContainsRune(chars, rune(s[0])) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return 0
		}
	}
	return s[0]
}

// headings lists the section titles of a file in order. In markdown, fenced
// code blocks are skipped.
func headings(lines []line, markdown bool) []heading {
	chars := rstAdornments
	if markdown {
		chars = mdAdornments
	}
	var hs []heading
	fence := ""
	lastEnd := -1 // last line used by a heading, which cannot be an overline
	for i := 0; i < len(lines); i++ {
		t := lines[i].text
		if markdown {
			trimmed := strings.TrimLeft(t, " ")
			if fence != "" {
				if strings.HasPrefix(trimmed, fence) {
					fence = ""
				}
				continue
			}
			if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
				fence = trimmed[:3]
				continue
			}
			if m := atxHeading().FindStringSubmatch(t); m != nil {
				hs = append(hs, heading{first: i, last: i, title: m[2], atx: m[1]})
				lastEnd = i
				continue
			}
		}
		if strings.TrimSpace(t) == "" || t[0] == ' ' || t[0] == '\t' || adornment(t, chars) != 0 || i+1 >= len(lines) {
			continue
		}
		under := strings.TrimRight(lines[i+1].text, " \t")
		c := adornment(under, chars)
		title := strings.TrimRight(t, " \t")
		width := utf8.RuneCountInString(title)
		if c == 0 || len(under) < 3 && len(under) < width {
			continue
		}
		h := heading{first: i, last: i + 1, title: title, adorn: c, overhang: max(len(under)-width, 0)}
		if i-1 > lastEnd && adornment(lines[i-1].text, chars) == c {
			h.first, h.overline = i-1, true
		}
		hs = append(hs, h)
		lastEnd = i + 1
		i++
	}
	return hs
}
