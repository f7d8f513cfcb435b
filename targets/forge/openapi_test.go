package forge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// recorded is a request the client under test made, as a fake server saw
// it.
type recorded struct {
	Method string
	Path   string // escaped, as sent
	Query  url.Values
	Header http.Header
	Body   []byte
	// Op and Template are the operation the request was matched to.
	Op, Template string
}

// record reads a request whole (the tests' files are small).
func record(r *http.Request) recorded {
	body, _ := io.ReadAll(r.Body)
	return recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
}

// openAPI is an OpenAPI 3.0 description, checked against with a small
// subset of JSON schema: $ref, allOf/anyOf/oneOf, type, nullable, enum,
// required, properties and items.
type openAPI struct {
	doc   map[string]any
	once  sync.Once
	paths []pathTemplate
}

var paramRe = regexp.MustCompile(`\{[^}]+\}`)

type pathTemplate struct {
	template string
	re       *regexp.Regexp
	names    []string
}

// loadOpenAPI reads the description the environment variable env names;
// without it the test is skipped, or fails under CI.
func loadOpenAPI(t *testing.T, env string) *openAPI {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		testenv.Missing(t, "%s is not set: .ci/run downloads the API description and sets it", env)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &openAPI{doc: doc}
}

// resolve follows a local $ref ("#/components/...").
func (s *openAPI) resolve(v any) any {
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		var cur any = s.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cur = cur.(map[string]any)[part]
		}
		v = cur
	}
}

func (s *openAPI) templates() []pathTemplate {
	s.once.Do(func() {
		paths := s.doc["paths"].(map[string]any)
		for tpl, item := range paths {
			multi := map[string]bool{}
			for _, op := range item.(map[string]any) {
				opm, _ := op.(map[string]any)
				params, _ := opm["parameters"].([]any)
				for _, p := range params {
					pm := s.resolve(p).(map[string]any)
					if pm["x-multi-segment"] == true {
						multi[pm["name"].(string)] = true
					}
				}
			}
			var names []string
			var expr strings.Builder
			last := 0
			for _, m := range paramRe.FindAllStringIndex(tpl, -1) {
				expr.WriteString(regexp.QuoteMeta(tpl[last:m[0]]))
				name := tpl[m[0]+1 : m[1]-1]
				names = append(names, name)
				if multi[name] {
					expr.WriteString("(.+)")
				} else {
					expr.WriteString("([^/]+)")
				}
				last = m[1]
			}
			expr.WriteString(regexp.QuoteMeta(tpl[last:]))
			s.paths = append(s.paths, pathTemplate{template: tpl, re: regexp.MustCompile("^" + expr.String() + "$"), names: names})
		}
		// Literal segments win over parameters: /releases/latest before
		// /releases/{release_id}.
		sort.Slice(s.paths, func(i, j int) bool {
			return strings.Count(s.paths[i].template, "{") < strings.Count(s.paths[j].template, "{")
		})
	})
	return s.paths
}

// operation finds the operation of method on an escaped path.
func (s *openAPI) operation(method, path string) (op map[string]any, template string, ok bool) {
	for _, p := range s.templates() {
		if !p.re.MatchString(path) {
			continue
		}
		item := s.doc["paths"].(map[string]any)[p.template].(map[string]any)
		if o, ok := item[strings.ToLower(method)].(map[string]any); ok {
			return o, p.template, true
		}
	}
	return nil, "", false
}

// check returns what is wrong with a request by the description: no such
// operation, a required parameter missing, a query parameter it does not
// declare or of the wrong type, a body of another media type or one that
// does not validate against the operation's schema. It names the
// operation in rec.
func (s *openAPI) check(rec *recorded) []string {
	op, tpl, ok := s.operation(rec.Method, rec.Path)
	if !ok {
		return []string{fmt.Sprintf("%s %s: no such operation in the description", rec.Method, rec.Path)}
	}
	rec.Op, _ = op["operationId"].(string)
	rec.Template = tpl
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s (%s %s): ", rec.Op, rec.Method, tpl)+fmt.Sprintf(format, args...))
	}
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm := s.resolve(p).(map[string]any)
		name, in := pm["name"].(string), pm["in"].(string)
		switch in {
		case "query":
			declared[name] = true
			vals, sent := rec.Query[name]
			if pm["required"] == true && !sent {
				bad("required query parameter %q missing", name)
			}
			for _, v := range vals {
				problems = append(problems, s.checkScalar(pm["schema"], v, rec.Op+" query "+name)...)
			}
		case "header":
			if pm["required"] == true && rec.Header.Get(name) == "" {
				bad("required header %q missing", name)
			}
		}
	}
	for name := range rec.Query {
		if !declared[name] {
			bad("query parameter %q is not in the description", name)
		}
	}
	problems = append(problems, s.checkBody(op, rec, bad)...)
	return problems
}

func (s *openAPI) checkBody(op map[string]any, rec *recorded, bad func(string, ...any)) []string {
	rb, _ := s.resolve(op["requestBody"]).(map[string]any)
	if rb == nil {
		if len(rec.Body) > 0 {
			bad("a body is sent to an operation that takes none")
		}
		return nil
	}
	if len(rec.Body) == 0 {
		if rb["required"] == true {
			bad("the required body is missing")
		}
		return nil
	}
	media, _, _ := mime.ParseMediaType(rec.Header.Get("Content-Type"))
	content := rb["content"].(map[string]any)
	mt, ok := content[media].(map[string]any)
	if !ok {
		bad("Content-Type %q is not one of %v", media, slices.Sorted(mapKeys(content)))
		return nil
	}
	if media != "application/json" {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(rec.Body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		bad("body is not JSON: %v", err)
		return nil
	}
	return s.validate(mt["schema"], v, rec.Op+" body", true)
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (s *openAPI) checkScalar(schema any, v, at string) []string {
	sm, _ := s.resolve(schema).(map[string]any)
	switch sm["type"] {
	case "integer":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return []string{fmt.Sprintf("%s: %q is not an integer", at, v)}
		}
	case "boolean":
		if v != "true" && v != "false" {
			return []string{fmt.Sprintf("%s: %q is not a boolean", at, v)}
		}
	}
	if enum, ok := sm["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == v }) {
		return []string{fmt.Sprintf("%s: %q is not one of %v", at, v, enum)}
	}
	return nil
}

// validate checks v against schema. strict refuses object keys the
// schema does not list: what the client sends must be what the API takes.
func (s *openAPI) validate(schema, v any, at string, strict bool) []string {
	sm, _ := s.resolve(schema).(map[string]any)
	if sm == nil {
		return nil
	}
	if all, ok := sm["allOf"].([]any); ok {
		var out []string
		for _, sub := range all {
			out = append(out, s.validate(sub, v, at, false)...)
		}
		return out
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := sm[key].([]any); ok {
			for _, sub := range alts {
				if len(s.validate(sub, v, at, strict)) == 0 {
					return nil
				}
			}
			return []string{fmt.Sprintf("%s: %s matches none of its %s", at, short(v), key)}
		}
	}
	if v == nil {
		if sm["nullable"] == true || sm["type"] == nil {
			return nil
		}
		return []string{fmt.Sprintf("%s: null where %v is expected", at, sm["type"])}
	}
	if enum, ok := sm["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return []string{fmt.Sprintf("%s: %s is not one of %v", at, short(v), enum)}
	}
	if t, ok := sm["type"].(string); ok && !hasType(v, t) {
		return []string{fmt.Sprintf("%s: %s is not of type %s", at, short(v), t)}
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		props, _ := sm["properties"].(map[string]any)
		req, _ := sm["required"].([]any)
		for _, r := range req {
			if _, ok := v[r.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: required property %q missing", at, r))
			}
		}
		for _, k := range slices.Sorted(mapKeys(v)) {
			ps, ok := props[k]
			if !ok {
				if strict && props != nil {
					out = append(out, fmt.Sprintf("%s: property %q is not in the schema", at, k))
				}
				continue
			}
			out = append(out, s.validate(ps, v[k], at+"."+k, strict)...)
		}
	case []any:
		for i, item := range v {
			out = append(out, s.validate(sm["items"], item, fmt.Sprintf("%s[%d]", at, i), strict)...)
		}
	}
	return out
}

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		switch n := v.(type) {
		case json.Number:
			_, err := n.Int64()
			return err == nil
		case float64:
			return n == float64(int64(n))
		case int, int64:
			return true
		}
		return false
	case "number":
		switch v.(type) {
		case json.Number, float64, int, int64:
			return true
		}
		return false
	}
	return true
}

func short(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 80 {
		return string(data[:80]) + "..."
	}
	return string(data)
}

// response returns a copy of the example the description gives for an
// operation's answer of status, and that answer's schema.
func (s *openAPI) response(method, template, status string) (example map[string]any, list []any, schema any) {
	item := s.doc["paths"].(map[string]any)[template].(map[string]any)
	op := item[strings.ToLower(method)].(map[string]any)
	resp, _ := s.resolve(op["responses"].(map[string]any)[status]).(map[string]any)
	content, _ := resp["content"].(map[string]any)
	mt, _ := content["application/json"].(map[string]any)
	if mt == nil {
		return nil, nil, nil
	}
	schema = mt["schema"]
	examples, _ := mt["examples"].(map[string]any)
	if ex, ok := examples["default"]; ok {
		value := s.resolve(ex).(map[string]any)["value"]
		data, _ := json.Marshal(value) // a deep copy
		var cp any
		_ = json.Unmarshal(data, &cp)
		switch cp := cp.(type) {
		case map[string]any:
			example = cp
		case []any:
			list = cp
		}
	}
	return example, list, schema
}

// pathParams returns the values of template's parameters in an escaped
// path, unescaped.
func (s *openAPI) pathParams(template, path string) map[string]string {
	out := map[string]string{}
	for _, p := range s.templates() {
		if p.template != template {
			continue
		}
		m := p.re.FindStringSubmatch(path)
		for i, name := range p.names {
			if m != nil {
				out[name], _ = url.PathUnescape(m[i+1])
			}
		}
	}
	return out
}
