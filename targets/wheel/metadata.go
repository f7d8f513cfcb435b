package wheel

import (
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// Metadata is a parsed METADATA (wheel) or PKG-INFO (sdist) file: core
// metadata in email-header form.
//
// Fields maps canonical field names ("Requires-Dist", "Home-page") to their
// values in file order, so multiple-use fields keep their order. Body is the
// text after the blank line that ends the headers: since Metadata-Version
// 2.1 the long description lives there.
type Metadata struct {
	Fields map[string][]string
	Body   string
}

// canonicalFields spells every field of the core metadata specification
// (up to 2.5) the way the specification does; the file format is
// case-insensitive, so lookups go through this table.
var canonicalFields = func() map[string]string {
	m := map[string]string{}
	for _, f := range []string{
		"Metadata-Version", "Name", "Version", "Dynamic", "Platform",
		"Supported-Platform", "Summary", "Description", "Description-Content-Type",
		"Keywords", "Home-page", "Download-URL", "Author", "Author-email",
		"Maintainer", "Maintainer-email", "License", "License-Expression",
		"License-File", "Classifier", "Requires-Dist", "Requires-Python",
		"Requires-External", "Project-URL", "Provides-Extra", "Provides-Dist",
		"Obsoletes-Dist", "Requires", "Provides", "Obsoletes", "Import-Name",
		"Import-Namespace",
	} {
		m[strings.ToLower(f)] = f
	}
	return m
}()

// CanonicalField returns the specification's spelling of a field name
// ("home-page" gives "Home-page"); unknown fields get MIME header case.
func CanonicalField(name string) string {
	if c, ok := canonicalFields[strings.ToLower(name)]; ok {
		return c
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// ParseMetadata reads core metadata the way Python's email parser, which
// pip and twine use, reads it: "Field: value" lines, continuation lines that
// start with a space or a tab, then a blank line and the body. Lines may end
// in CRLF.
//
// Continuation lines are joined with "\n" after removing the prefix
// setuptools writes before each line of a multi-line Description or License
// (eight spaces, or seven and "|") or, failing that, all leading blanks.
// The file must be UTF-8, as the specification requires.
func ParseMetadata(data []byte) (*Metadata, error) {
	if !utf8.Valid(data) {
		return nil, &MetadataError{Reason: "not valid UTF-8; core metadata files are UTF-8"}
	}
	m := &Metadata{Fields: map[string][]string{}}
	text := string(data)
	lineNo := 0
	last := "" // the field a continuation line extends
	for text != "" {
		line, rest, found := strings.Cut(text, "\n")
		lineNo++
		if !found {
			rest = ""
		}
		text = rest
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "":
			m.Body = text
			text = ""
		case line[0] == ' ' || line[0] == '\t':
			if last == "" {
				return nil, &MetadataError{Line: lineNo, Reason: "continuation line before any field"}
			}
			vals := m.Fields[last]
			vals[len(vals)-1] += "\n" + unindent(line)
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok || !validFieldName(name) {
				return nil, &MetadataError{Line: lineNo, Reason: `expected "Field: value", a continuation line starting with a blank, or an empty line before the body`}
			}
			last = CanonicalField(name)
			m.Fields[last] = append(m.Fields[last], strings.Trim(value, " \t"))
		}
	}
	if len(m.Fields) == 0 {
		return nil, &MetadataError{Reason: "no fields found"}
	}
	for name, vals := range m.Fields {
		for i, v := range vals {
			vals[i] = strings.TrimRight(v, " \t\n")
		}
		m.Fields[name] = vals
	}
	return m, nil
}

// Get returns the first value of a field, or "" when it is absent.
func (m *Metadata) Get(field string) string {
	if vals := m.Fields[CanonicalField(field)]; len(vals) > 0 {
		return vals[0]
	}
	return ""
}

// All returns every value of a field in file order.
func (m *Metadata) All(field string) []string {
	vals := m.Fields[CanonicalField(field)]
	if vals == nil {
		return nil
	}
	return append([]string(nil), vals...)
}

// Has reports whether the field is present, even with an empty value.
func (m *Metadata) Has(field string) bool {
	_, ok := m.Fields[CanonicalField(field)]
	return ok
}

// Description is the long description: the body when there is one,
// otherwise the older Description field.
func (m *Metadata) Description() string {
	if strings.TrimSpace(m.Body) != "" {
		return m.Body
	}
	return m.Get("Description")
}

func unindent(line string) string {
	switch {
	case strings.HasPrefix(line, "       |"):
		return line[8:]
	case strings.HasPrefix(line, "        "):
		return line[8:]
	}
	return strings.TrimLeft(line, " \t")
}

// validFieldName accepts what Python's email parser treats as a header
// name: printable ASCII without space or colon.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}
