package config

import (
	"bytes"
	"fmt"
)

// maxNesting bounds how deeply arrays and tables may nest in pyproject.toml.
// The TOML parser recurses once per level, so a file with a few hundred
// thousand brackets, in any tool's table, would overflow the goroutine stack
// and kill the process instead of returning an error. Real projects nest a
// handful of levels.
const maxNesting = 100

// checkNesting returns a *SyntaxError at the first bracket or brace that
// opens more than maxNesting levels, counted outside strings and comments.
// It reads the file once and allocates nothing, so it is safe on any input.
func checkNesting(file string, data []byte) error {
	depth, line, lineStart := 0, 1, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line, lineStart = line+1, i+1
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '[', '{':
			if depth++; depth > maxNesting {
				return &SyntaxError{File: file, Line: line, Column: i - lineStart + 1,
					Msg: fmt.Sprintf("arrays and tables nested deeper than %d levels", maxNesting)}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		case '"', '\'':
			end := skipTOMLString(data, i)
			line += bytes.Count(data[i:end], []byte{'\n'})
			if nl := bytes.LastIndexByte(data[i:end], '\n'); nl >= 0 {
				lineStart = i + nl + 1
			}
			i = end - 1
		}
	}
	return nil
}

// skipTOMLString returns the index just past the string whose opening quote
// is at i: basic ("..."), literal ('...') or either multi-line form. An
// unterminated one-line string ends at its line, where the parser will
// report it.
func skipTOMLString(b []byte, i int) int {
	q := b[i]
	if i+2 < len(b) && b[i+1] == q && b[i+2] == q {
		delim := []byte{q, q, q}
		for j := i + 3; j < len(b); j++ {
			if q == '"' && b[j] == '\\' {
				j++
				continue
			}
			if bytes.HasPrefix(b[j:], delim) {
				// A closing delimiter may be followed by up to two more
				// quotes that belong to the content.
				end := j + 3
				for end < len(b) && end < j+5 && b[end] == q {
					end++
				}
				return end
			}
		}
		return len(b)
	}
	for j := i + 1; j < len(b); j++ {
		switch {
		case b[j] == '\\' && q == '"':
			j++
		case b[j] == q:
			return j + 1
		case b[j] == '\n':
			return j
		}
	}
	return len(b)
}
