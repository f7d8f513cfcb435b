package pyfile

import (
	"errors"
	"fmt"
	"slices"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

const pyprojectField = "[project].version"

// locatePyproject finds [project] version. The document is first decoded in
// full, which both rejects invalid TOML (the unstable parser alone does not
// catch duplicate keys) and answers what the version is; the unstable parser
// then finds the bytes of that value so that nothing else is rewritten.
func locatePyproject(name string, content []byte) (span, error) {
	var doc map[string]any
	if err := toml.Unmarshal(content, &doc); err != nil {
		var derr *toml.DecodeError
		if errors.As(err, &derr) {
			row, col := derr.Position()
			return span{}, fmt.Errorf("pyfile: %s:%d:%d: invalid TOML: %w", name, row, col, err)
		}
		return span{}, fmt.Errorf("pyfile: %s: invalid TOML: %w", name, err)
	}
	project, hasProject := doc["project"].(map[string]any)
	if tool, _ := doc["tool"].(map[string]any); !hasProject {
		// Poetry before 2.0 keeps the metadata in [tool.poetry].
		if poetry, _ := tool["poetry"].(map[string]any); poetry != nil {
			want, _ := poetry["version"].(string)
			if s, ok := findTOMLString(content, []string{"tool", "poetry", "version"}); ok && want != "" && s.value == want {
				return s, nil
			}
			return span{}, &NotFoundError{Path: name, Want: `[tool.poetry].version = "..."`}
		}
	}
	if dyn, ok := project["dynamic"].([]any); ok && slices.Contains(dyn, any("version")) {
		return span{}, &DynamicError{Path: name, Field: pyprojectField, Detail: `"version" is listed in [project].dynamic`}
	}
	want, ok := project["version"].(string)
	if !ok || want == "" {
		return span{}, &NotFoundError{Path: name, Want: pyprojectField + ` = "..."`}
	}
	s, ok := findTOMLString(content, []string{"project", "version"})
	if !ok || s.value != want {
		// Decoding found it, so this is a shape the scan below misses.
		return span{}, &NotFoundError{Path: name, Want: pyprojectField + ` written as key = "..." in [project] or as project.version`}
	}
	return s, nil
}

// findTOMLString returns the inside of the quotes of the string at key path
// want, whether it is written under a [table] header, as a dotted key, or in
// an inline table.
func findTOMLString(content []byte, want []string) (span, bool) {
	var p unstable.Parser
	p.Reset(content)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			if e.Kind == unstable.ArrayTable {
				// Keys under [[x]] live in an array element, never at want.
				table = append(table, "\x00[]")
			}
		case unstable.KeyValue:
			if s, ok := matchKeyValue(content, e, table, want); ok {
				return s, true
			}
		}
	}
	return span{}, false
}

// matchKeyValue looks for want in one key/value, descending into inline
// tables.
func matchKeyValue(content []byte, kv *unstable.Node, prefix, want []string) (span, bool) {
	path := append(slices.Clone(prefix), keyParts(kv.Key())...)
	v := kv.Value()
	switch {
	case slices.Equal(path, want) && v.Kind == unstable.String:
		return stringSpan(content, v), true
	case v.Kind == unstable.InlineTable && len(path) < len(want) && slices.Equal(path, want[:len(path)]):
		it := v.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				if s, ok := matchKeyValue(content, c, path, want); ok {
					return s, true
				}
			}
		}
	}
	return span{}, false
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

// stringSpan is the range between the delimiters of a string node: one
// quote for "..." and '...', three for the multi-line forms.
func stringSpan(content []byte, n *unstable.Node) span {
	start, end := int(n.Raw.Offset), int(n.Raw.Offset+n.Raw.Length)
	q := 1
	if raw := content[start:end]; len(raw) >= 6 && raw[1] == raw[0] && raw[2] == raw[0] {
		q = 3
	}
	return span{start: start + q, end: end - q, value: string(n.Data)}
}
