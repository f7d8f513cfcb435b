package pyfile

import (
	"bytes"
	"regexp"
)

// pyAssign matches one physical line that assigns a plain string literal to
// a version name, with an optional annotation and trailing comment. RE2 has
// no back-references, so the caller checks that both quotes agree. A prefix
// (f"", r"") or a triple quote does not match: the value must start right
// after the quote and contain no quote or backslash. Chained targets, as
// setuptools-scm and hatch-vcs generate them (__version__ = version =
// '1.2.3'), are one assignment. The caller passes the line without its
// terminator.
var pyAssign = regexp.MustCompile(`^(?:(?:VERSION|__version__|version)[ \t]*(?::[^=#\r\n]*)?=[ \t]*)+(['"])([^'"\\\r\n]+)(['"])[ \t]*(?:#[^\r\n]*)?$`)

// pyWant names what locatePython looks for, in errors.
const pyWant = `module-level VERSION, __version__ or version = "..." assignment`

// locatePython returns the value of the first module-level version
// assignment. It tokenises just enough of Python to know where statements
// start: comments, strings (triple-quoted ones span lines), brackets and
// backslash continuations. An assignment that is indented, inside a string
// or a comment, or continues an earlier line is not module level.
func locatePython(name string, content []byte) (span, error) {
	i := 0
	if bytes.HasPrefix(content, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	depth := 0        // open brackets
	stmtStart := true // the current physical line starts a statement
	for i < len(content) {
		if stmtStart {
			end := i
			for end < len(content) && !isPyNewline(content[end]) {
				end++
			}
			if m := pyAssign.FindSubmatchIndex(content[i:end]); m != nil && content[i+m[2]] == content[i+m[6]] {
				s := span{start: i + m[4], end: i + m[5]}
				s.value = string(content[s.start:s.end])
				return s, nil
			}
		}
		i, depth, stmtStart = scanPythonLine(content, i, depth)
	}
	return span{}, &NotFoundError{Path: name, Want: pyWant}
}

// scanPythonLine tokenises from i to the start of the next physical line
// (past any string that spans lines) and reports the bracket depth there and
// whether that line starts a new statement.
func scanPythonLine(b []byte, i, depth int) (next, newDepth int, stmtStart bool) {
	for i < len(b) {
		switch c := b[i]; c {
		case '\n', '\r':
			return pyLineNext(b, i), depth, depth == 0
		case '#':
			for i < len(b) && !isPyNewline(b[i]) {
				i++
			}
		case '\\':
			// A backslash at the end of a line joins the next one to it.
			if j := i + 1; j < len(b) && isPyNewline(b[j]) {
				return pyLineNext(b, j), depth, false
			}
			i++
		case '(', '[', '{':
			depth++
			i++
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
			i++
		case '\'', '"':
			i = skipPythonString(b, i)
		default:
			i++
		}
	}
	return i, depth, false
}

// skipPythonString returns the index just past the string literal whose
// opening quote is at i. Escapes are honoured in every string, raw ones
// included: the tokenizer does too, even though r"\"" keeps the backslash.
// An unterminated single-quoted string ends at the end of its line, which is
// as far as Python would read before rejecting it.
func skipPythonString(b []byte, i int) int {
	q := b[i]
	if i+2 < len(b) && b[i+1] == q && b[i+2] == q {
		for j := i + 3; j < len(b); j++ {
			switch {
			case b[j] == '\\':
				j++
			case b[j] == q && j+2 < len(b) && b[j+1] == q && b[j+2] == q:
				return j + 3
			}
		}
		return len(b)
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			if j+2 < len(b) && b[j+1] == '\r' && b[j+2] == '\n' {
				j++
			}
			j++
		case q:
			return j + 1
		case '\n', '\r':
			return j
		}
	}
	return len(b)
}

// isPyNewline reports whether c ends a physical line. Python reads "\n",
// "\r\n" and a bare "\r" alike, so a comment or string that stopped only at
// "\n" would run on into the next line of an old Mac or mixed file.
func isPyNewline(c byte) bool { return c == '\n' || c == '\r' }

// pyLineNext returns the start of the line after the terminator at i.
func pyLineNext(b []byte, i int) int {
	if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
		return i + 2
	}
	return i + 1
}
