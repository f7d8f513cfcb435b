package pyfile

import (
	"bytes"
	"strings"
)

const setupCfgField = "[metadata] version"

// locateSetupCfg finds "version = ..." (or "version: ...") in the [metadata]
// section, reading the file the way Python's configparser does: keys are
// case-insensitive, "#" and ";" start whole-line comments only, and indented
// lines continue the previous value.
func locateSetupCfg(name string, content []byte) (span, error) {
	section := ""
	inValue := false // the previous option may still be continued
	for off := 0; off < len(content); {
		end := bytes.IndexByte(content[off:], '\n')
		next := len(content)
		if end < 0 {
			end = len(content)
		} else {
			end += off
			next = end + 1
		}
		line := string(content[off:end])
		lineStart := off
		off = next

		trimmed := strings.TrimSpace(line)
		indented := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case indented && inValue:
			continue
		case trimmed[0] == '[' && trimmed[len(trimmed)-1] == ']':
			section = trimmed[1 : len(trimmed)-1]
			inValue = false
			continue
		}
		sep := strings.IndexAny(line, "=:")
		if sep < 0 {
			inValue = false
			continue
		}
		inValue = true
		if section != "metadata" || !strings.EqualFold(strings.TrimSpace(line[:sep]), "version") {
			continue
		}
		vStart := sep + 1
		for vStart < len(line) && (line[vStart] == ' ' || line[vStart] == '\t') {
			vStart++
		}
		value := strings.TrimRight(line[vStart:], " \t\r")
		if value == "" {
			break
		}
		if d, _, ok := strings.Cut(value, ":"); ok && (d == "attr" || d == "file") {
			return span{}, &DynamicError{Path: name, Field: setupCfgField, Detail: "it is read with the " + d + ": directive"}
		}
		s := span{start: lineStart + vStart, end: lineStart + vStart + len(value), value: value}
		return s, nil
	}
	return span{}, &NotFoundError{Path: name, Want: "version = ... under [metadata]"}
}
