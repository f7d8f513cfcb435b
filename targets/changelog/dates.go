package changelog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A changelog writes its dates one way, and a release should too: the
// style is learnt from a date the file already has ("2024-12-19",
// "December 19, 2024", "19 Dec 2024", "July 4th 2018", "2024/12/19",
// "19.12.2024") and ISO 8601 is used when there is none to copy.

// dateStyle is a date's shape: its fields in order, with what is between
// them.
type dateStyle struct {
	parts []datePart
}

// datePart is a literal (field 0) or a field: 'Y' year, 'm' month number,
// 'B' month name, 'b' abbreviated month name, 'd' day, 'o' the day's
// ordinal suffix ("st", "th"). pad asks for a leading zero.
type datePart struct {
	field byte
	lit   string
	pad   bool
}

// isoDate is the style when the file has no date to copy.
var isoDate = dateStyle{parts: []datePart{{field: 'Y'}, {lit: "-"}, {field: 'm', pad: true}, {lit: "-"}, {field: 'd', pad: true}}}

const (
	monthNames = `January|February|March|April|May|June|July|August|September|October|November|December`
	monthAbbrs = `Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec`
)

// The date shapes recognised, as submatches a learner turns into a style.
var (
	ymdDate  = lazyRegexp(`\b(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})\b`)
	dmyDate  = lazyRegexp(`\b(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4})\b`)
	mdyWords = lazyRegexp(`\b(` + monthNames + `|` + monthAbbrs + `)(\.?[ \t]+)(\d{1,2})(st|nd|rd|th)?(,?[ \t]+)(\d{4})\b`)
	dmyWords = lazyRegexp(`\b(\d{1,2})(st|nd|rd|th)?([ \t]+)(` + monthNames + `|` + monthAbbrs + `)(\.?,?[ \t]+)(\d{4})\b`)
)

// foundDate is a date found in a line: where, and the style that wrote it.
type foundDate struct {
	start, end int
	style      dateStyle
	day        string // as written, to learn padding from
}

// findDate returns the first date in s, or false. Two-digit fields that
// could be a month or a day are read year-month-day or day-month-year,
// unless a field above 12 shows the month comes first.
func findDate(s string) (foundDate, bool) {
	best := foundDate{start: -1}
	try := func(re *regexp.Regexp, build func(m []string) (dateStyle, string, bool)) {
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil || best.start >= 0 && loc[0] >= best.start {
			return
		}
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		if st, day, ok := build(m); ok {
			best = foundDate{start: loc[0], end: loc[1], style: st, day: day}
		}
	}
	try(ymdDate(), func(m []string) (dateStyle, string, bool) {
		if m[2] != m[4] || !validMonthDay(m[3], m[5]) {
			return dateStyle{}, "", false
		}
		return dateStyle{parts: []datePart{{field: 'Y'}, {lit: m[2]}, {field: 'm', pad: len(m[3]) == 2}, {lit: m[4]}, {field: 'd', pad: len(m[5]) == 2}}}, m[5], true
	})
	try(dmyDate(), func(m []string) (dateStyle, string, bool) {
		if m[2] != m[4] {
			return dateStyle{}, "", false
		}
		day, month := m[1], m[3]
		first, second := 'd', 'm'
		if a, _ := strconv.Atoi(m[3]); a > 12 {
			day, month, first, second = m[3], m[1], 'm', 'd'
		}
		if !validMonthDay(month, day) {
			return dateStyle{}, "", false
		}
		return dateStyle{parts: []datePart{
			{field: byte(first), pad: len(m[1]) == 2}, {lit: m[2]}, {field: byte(second), pad: len(m[3]) == 2}, {lit: m[4]}, {field: 'Y'},
		}}, day, true
	})
	try(mdyWords(), func(m []string) (dateStyle, string, bool) {
		parts := []datePart{monthPart(m[1]), {lit: m[2]}, {field: 'd', pad: m[3][0] == '0'}}
		if m[4] != "" {
			parts = append(parts, datePart{field: 'o'})
		}
		return dateStyle{parts: append(parts, datePart{lit: m[5]}, datePart{field: 'Y'})}, m[3], true
	})
	try(dmyWords(), func(m []string) (dateStyle, string, bool) {
		parts := []datePart{{field: 'd', pad: m[1][0] == '0'}}
		if m[2] != "" {
			parts = append(parts, datePart{field: 'o'})
		}
		parts = append(parts, datePart{lit: m[3]}, monthPart(m[4]), datePart{lit: m[5]}, datePart{field: 'Y'})
		return dateStyle{parts: parts}, m[1], true
	})
	return best, best.start >= 0
}

func validMonthDay(month, day string) bool {
	m, err1 := strconv.Atoi(month)
	d, err2 := strconv.Atoi(day)
	return err1 == nil && err2 == nil && m >= 1 && m <= 12 && d >= 1 && d <= 31
}

// monthPart is a month name's field; lit keeps "Sept" for September, and
// "May", which could be either, for learnDateStyle to settle.
func monthPart(name string) datePart {
	switch {
	case name == "May":
		return datePart{field: 'B', lit: name}
	case len(name) > 3 && name != "Sept":
		return datePart{field: 'B'}
	}
	return datePart{field: 'b', lit: name}
}

// learnDateStyle returns the style of the first date among texts, its day
// padding settled by the other dates of the same shape when the first one
// cannot tell (a day of 10 or more looks the same either way: numbers are
// then padded, as ISO dates are, and days beside month names are not).
func learnDateStyle(texts []string) dateStyle {
	var found []foundDate
	for _, t := range texts {
		if d, ok := findDate(t); ok {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return isoDate
	}
	style := dateStyle{parts: append([]datePart(nil), found[0].style.parts...)}
	for i, p := range style.parts {
		if p.lit != "May" {
			continue
		}
		for _, d := range found[1:] {
			if sameShape(d.style, style) && d.style.parts[i].lit != "May" {
				style.parts[i] = d.style.parts[i]
				break
			}
		}
	}
	if len(found[0].day) == 2 && found[0].day[0] != '0' {
		for _, d := range found[1:] {
			if !sameShape(d.style, style) || len(d.day) == 2 && d.day[0] != '0' {
				continue
			}
			for i := range style.parts {
				if style.parts[i].field == 'd' {
					style.parts[i].pad = len(d.day) == 2
				}
			}
			break
		}
	}
	return style
}

func sameShape(a, b dateStyle) bool {
	if len(a.parts) != len(b.parts) {
		return false
	}
	class := func(f byte) byte {
		if f == 'b' {
			return 'B'
		}
		return f
	}
	for i := range a.parts {
		if class(a.parts[i].field) != class(b.parts[i].field) || a.parts[i].field == 0 && a.parts[i].lit != b.parts[i].lit {
			return false
		}
	}
	return true
}

// format writes t in the style.
func (s dateStyle) format(t time.Time) string {
	var b strings.Builder
	for _, p := range s.parts {
		switch p.field {
		case 0:
			b.WriteString(p.lit)
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'm':
			b.WriteString(number(int(t.Month()), p.pad))
		case 'd':
			b.WriteString(number(t.Day(), p.pad))
		case 'B':
			b.WriteString(t.Month().String())
		case 'b':
			if t.Month() == time.September && p.lit == "Sept" {
				b.WriteString("Sept")
			} else {
				b.WriteString(t.Month().String()[:3])
			}
		case 'o':
			b.WriteString(ordinal(t.Day()))
		}
	}
	return b.String()
}

func number(n int, pad bool) string {
	if pad {
		return fmt.Sprintf("%02d", n)
	}
	return strconv.Itoa(n)
}

func ordinal(day int) string {
	switch {
	case day >= 11 && day <= 13:
		return "th"
	case day%10 == 1:
		return "st"
	case day%10 == 2:
		return "nd"
	case day%10 == 3:
		return "rd"
	}
	return "th"
}
