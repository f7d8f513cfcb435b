package pypi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pypirc is a .pypirc read the way twine reads it: with Python's
// configparser.RawConfigParser and its defaults (delimiters = and :, full-line
// comments # and ;, no inline comments, no interpolation, strict, empty
// lines allowed inside values). A '#' inside a value, common in generated
// passwords, is part of the value.
type pypirc struct {
	path     string
	sections map[string]map[string]string // section -> lower-case key -> value
	defaults map[string]string            // the [DEFAULT] section, inherited by all
}

// defaultSection is configparser's default_section.
const defaultSection = "DEFAULT"

// loadPypirc reads path. A missing file is an empty configuration unless
// the caller named it explicitly, as twine does for --config-file.
func loadPypirc(path string, explicit bool) (*pypirc, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return &pypirc{path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pypi: reading .pypirc: %w", err)
	}
	return parsePypirc(path, data)
}

// get returns a section's value for key (any case), falling back to
// [DEFAULT] as configparser does.
func (p *pypirc) get(section, key string) (string, bool) {
	key = strings.ToLower(key)
	if s, ok := p.sections[section]; ok {
		if v, ok := s[key]; ok {
			return v, true
		}
		v, ok := p.defaults[key]
		return v, ok
	}
	return "", false
}

// has reports whether the file has the section.
func (p *pypirc) has(section string) bool {
	_, ok := p.sections[section]
	return ok
}

// indexServers is [distutils] index-servers split on whitespace.
func (p *pypirc) indexServers() []string {
	v, _ := p.get("distutils", "index-servers")
	return strings.Fields(v)
}

// parsePypirc ports configparser.RawConfigParser._read line for line, so
// that a file twine accepts means the same here, and a file it rejects is
// rejected with the file and line named.
func parsePypirc(path string, data []byte) (*pypirc, error) {
	if !utf8.Valid(data) {
		return nil, &PypircError{Path: path, Reason: "not valid UTF-8"}
	}
	text := strings.TrimPrefix(string(data), "\ufeff") // a BOM some editors write
	p := &pypirc{path: path, sections: map[string]map[string]string{}, defaults: map[string]string{}}
	values := map[string]map[string][]string{} // joined at the end, as configparser does
	defaults := map[string][]string{}
	var (
		cur      map[string][]string // nil before the first section header
		curName  string
		opt      string
		hasOpt   bool
		indent   = 0
		added    = map[string]bool{} // "section" and "section\x00option" seen, for strictness
		badLines []string
		firstBad int
		lines    = splitLines(text)
	)
	for i, line := range lines {
		lineno := i + 1
		value := pyStrip(line)
		comment := strings.HasPrefix(value, "#") || strings.HasPrefix(value, ";")
		if comment {
			value = ""
		}
		if value == "" {
			// With empty_lines_in_values an empty line belongs to the value
			// being read; a comment line does not, and neither ends it.
			if !comment && cur != nil && hasOpt {
				cur[opt] = append(cur[opt], "")
			}
			continue
		}
		level := indentOf(line)
		if cur != nil && hasOpt && level > indent {
			cur[opt] = append(cur[opt], value)
			continue
		}
		indent = level
		if header, ok := sectionHeader(value); ok {
			switch {
			case header == defaultSection:
				cur = defaults
			case added[header]:
				return nil, &PypircError{Path: path, Line: lineno, Reason: fmt.Sprintf("section %s already exists", clip(header))}
			default:
				cur = map[string][]string{}
				values[header] = cur
				added[header] = true
			}
			curName, hasOpt = header, false
			continue
		}
		if cur == nil {
			return nil, &PypircError{Path: path, Line: lineno, Reason: "no section header before " + lineSubject(value) + ": a .pypirc starts with a [section] line"}
		}
		name, i := optionName(value)
		if name == "" {
			// configparser collects these and raises them all at the end.
			if firstBad == 0 {
				firstBad = lineno
			}
			badLines = append(badLines, strconv.Itoa(lineno))
			hasOpt = false
			continue
		}
		if added[curName+"\x00"+name] {
			return nil, &PypircError{Path: path, Line: lineno, Reason: fmt.Sprintf("option %s in section %s already exists", clip(name), clip(curName))}
		}
		added[curName+"\x00"+name] = true
		cur[name] = []string{pyStrip(value[i+1:])}
		opt, hasOpt = name, true
	}
	if len(badLines) > 0 {
		return nil, &PypircError{Path: path, Line: firstBad, Reason: "lines that are neither [section], key = value, key: value nor a comment: " + lineList(badLines)}
	}
	join := func(v []string) string { return strings.TrimRightFunc(strings.Join(v, "\n"), isPySpace) }
	for name, sect := range values {
		m := make(map[string]string, len(sect))
		for k, v := range sect {
			m[k] = join(v)
		}
		p.sections[name] = m
	}
	for k, v := range defaults {
		p.defaults[k] = join(v)
	}
	return p, nil
}

// optionName is the lower-case key of a key = value line and the index of
// its delimiter; the name is empty when the line has no key.
func optionName(value string) (string, int) {
	i := strings.IndexAny(value, "=:")
	if i < 0 {
		return "", i
	}
	return strings.ToLower(strings.TrimRightFunc(value[:i], isPySpace)), i
}

// lineSubject names a line in an error by its key only: the rest of a
// .pypirc line is often a password, and a line without a key may be one.
func lineSubject(value string) string {
	if name, _ := optionName(value); name != "" {
		return "option " + clip(name)
	}
	return "a line that is not a [section] header"
}

// maxQuoted bounds any text of the file quoted in an error, so that a
// huge one-line file does not make a huge error.
const maxQuoted = 64

// clip quotes s, cut to maxQuoted bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// maxListed bounds the line numbers listed in one error.
const maxListed = 10

// lineList is "line 3, 7" with at most maxListed numbers.
func lineList(lines []string) string {
	if len(lines) <= maxListed {
		return "line " + strings.Join(lines, ", ")
	}
	return fmt.Sprintf("line %s and %d more", strings.Join(lines[:maxListed], ", "), len(lines)-maxListed)
}

// splitLines splits as Python's text files do with universal newlines:
// on \r\n, \r and \n, and nothing else.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// sectionHeader matches configparser's SECTCRE, \[(?P<header>.+)\], at the
// start of the stripped line: the header runs to the last ']'.
func sectionHeader(value string) (string, bool) {
	if !strings.HasPrefix(value, "[") {
		return "", false
	}
	end := strings.LastIndex(value, "]")
	if end < 2 {
		return "", false
	}
	return value[1:end], true
}

// indentOf is the number of characters before the first non-space one,
// which is how configparser compares indentation.
func indentOf(line string) int {
	n := 0
	for _, r := range line {
		if !isPySpace(r) {
			return n
		}
		n++
	}
	return 0
}

// isPySpace is Python's str.isspace for one character: Go's unicode.IsSpace
// plus the four information separators Python also strips.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

func pyStrip(s string) string { return strings.TrimFunc(s, isPySpace) }
