package wheel

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseMetadata(t *testing.T) {
	tests := map[string]struct {
		in      string
		fields  map[string][]string
		body    string
		descr   string
		wantErr string
	}{
		"body description": {
			in: "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\nClassifier: A :: B\nclassifier: C :: D\n" +
				"Requires-Dist: requests>=2\nRequires-Dist: rich; extra == \"cli\"\n\n# Greet\n\nHello.\n",
			fields: map[string][]string{"Metadata-Version": {"2.1"}, "Name": {"greet"}, "Version": {"1.0"},
				"Classifier":    {"A :: B", "C :: D"},
				"Requires-Dist": {"requests>=2", `rich; extra == "cli"`}},
			body:  "# Greet\n\nHello.\n",
			descr: "# Greet\n\nHello.\n",
		},
		"description field with setuptools continuation": {
			in:     "Metadata-Version: 1.1\nName: old\nVersion: 0.1\nDescription: First line\n       |second line\n       |\n       |  indented\nHome-Page: http://example.invalid/\n",
			fields: map[string][]string{"Metadata-Version": {"1.1"}, "Name": {"old"}, "Version": {"0.1"}, "Description": {"First line\nsecond line\n\n  indented"}, "Home-page": {"http://example.invalid/"}},
			descr:  "First line\nsecond line\n\n  indented",
		},
		"eight-space continuation and tab": {
			in:     "Name: x\nLicense: MIT\n        line two\n\tline three\n",
			fields: map[string][]string{"Name": {"x"}, "License": {"MIT\nline two\nline three"}},
		},
		"crlf": {
			in:     "Name: x\r\nVersion: 1\r\n\r\nbody\r\n",
			fields: map[string][]string{"Name": {"x"}, "Version": {"1"}},
			body:   "body\r\n",
			descr:  "body\r\n",
		},
		"empty value and unknown field": {
			in:     "Name: x\nX-Custom-field:\nsummary:  padded  \n",
			fields: map[string][]string{"Name": {"x"}, "X-Custom-Field": {""}, "Summary": {"padded"}},
		},
		"whitespace-only line continues": {
			in:     "Name: x\nDescription: a\n \n        b\n",
			fields: map[string][]string{"Name": {"x"}, "Description": {"a\n\nb"}},
			descr:  "a\n\nb",
		},
		"continuation first": {in: " Name: x\n", wantErr: "line 1: continuation line before any field"},
		"no colon":           {in: "Name: x\nnonsense\n", wantErr: `line 2: expected "Field: value"`},
		"space in name":      {in: "Bad Name: x\n", wantErr: "line 1: expected"},
		"empty":              {in: "", wantErr: "no fields found"},
		"only body":          {in: "\nbody\n", wantErr: "no fields found"},
		"latin-1":            {in: "Name: x\nAuthor: J\xf6rg\n", wantErr: "not valid UTF-8"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := ParseMetadata([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrMetadata) {
					t.Fatalf("error = %v; want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Fields) != len(tc.fields) {
				t.Errorf("Fields = %q; want %q", m.Fields, tc.fields)
			}
			for f, want := range tc.fields {
				if got := m.All(strings.ToLower(f)); !slices.Equal(got, want) {
					t.Errorf("All(%q) = %q; want %q", f, got, want)
				}
				if got := m.Get(strings.ToUpper(f)); got != want[0] {
					t.Errorf("Get(%q) = %q; want %q", f, got, want[0])
				}
			}
			if m.Body != tc.body {
				t.Errorf("Body = %q; want %q", m.Body, tc.body)
			}
			if got := m.Description(); got != tc.descr {
				t.Errorf("Description() = %q; want %q", got, tc.descr)
			}
		})
	}
}

func TestMetadataAllCopies(t *testing.T) {
	m, err := ParseMetadata([]byte("Classifier: a\nClassifier: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	m.All("Classifier")[0] = "changed"
	if m.Get("Classifier") != "a" {
		t.Errorf("All returned the internal slice")
	}
	if m.All("Missing") != nil || m.Get("Missing") != "" || m.Has("Missing") {
		t.Errorf("a missing field reads as present")
	}
}

func TestCheckMetadata(t *testing.T) {
	const base = "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\nDescription-Content-Type: text/markdown\n"
	tests := map[string]struct {
		in        string
		problems  []string // "Field: reason" substrings, all must appear, and nothing else
		warnings  []string
		minMetaVe string
	}{
		"good":                 {in: base + "\nbody\n"},
		"gfm charset":          {in: strings.Replace(base, "text/markdown", "text/markdown; charset=UTF-8; variant=GFM", 1) + "\nbody\n"},
		"rst":                  {in: strings.Replace(base, "text/markdown", "text/x-rst", 1) + "\nbody\n"},
		"missing content type": {in: "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n\nbody\n", warnings: []string{"Description-Content-Type: missing"}},
		"no description":       {in: base, warnings: []string{"Description: no long description"}},
		"missing metadata version": {in: "Name: greet\nVersion: 1.0\nDescription-Content-Type: text/plain\n\nx\n",
			problems: []string{"Metadata-Version: missing; expected one of 1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4, 2.5"}},
		"unknown metadata version": {in: strings.Replace(base, "2.1", "2.0", 1) + "\nx\n", problems: []string{`Metadata-Version: "2.0" is not one of`}},
		"too old for a wheel": {in: "Metadata-Version: 1.0\nName: greet\nVersion: 1.0\nSummary: s\n\nx\n", minMetaVe: "1.1",
			problems: []string{"Metadata-Version: 1.0 is too old here; expected 1.1 or later"}, warnings: []string{"Description-Content-Type: missing"}},
		"invalid version":                     {in: strings.Replace(base, "Version: 1.0", "Version: 1.0-banana", 1) + "\nx\n", problems: []string{`Version: "1.0-banana" is not a valid PEP 440 version`}},
		"missing name":                        {in: strings.Replace(base, "Name: greet\n", "", 1) + "\nx\n", problems: []string{"Name: missing"}},
		"bad name":                            {in: strings.Replace(base, "Name: greet", "Name: -greet", 1) + "\nx\n", problems: []string{`Name: "-greet" is not a valid project name`}},
		"two versions":                        {in: base + "Version: 2.0\n\nx\n", problems: []string{"Version: given 2 times"}},
		"unknown type":                        {in: strings.Replace(base, "text/markdown", "text/html", 1) + "\nx\n", problems: []string{`Description-Content-Type: "text/html" is not a type an index renders`}},
		"bad charset":                         {in: strings.Replace(base, "text/markdown", "text/plain; charset=latin-1", 1) + "\nx\n", problems: []string{`charset "latin-1"`}},
		"bad variant":                         {in: strings.Replace(base, "text/markdown", "text/markdown; variant=Wiki", 1) + "\nx\n", problems: []string{`markdown variant "Wiki"`}},
		"description twice":                   {in: base + "Description: also\n\nx\n", problems: []string{"Description: the description is given both"}},
		"multi-line summary":                  {in: base + "Summary: a\n        b\n\nx\n", problems: []string{"Summary: must be a single line"}},
		"dynamic name":                        {in: strings.Replace(base, "2.1", "2.2", 1) + "Dynamic: name\n\nx\n", problems: []string{"Dynamic: Name cannot be dynamic"}},
		"field too new":                       {in: base + "License-Expression: MIT\n\nx\n", problems: []string{"License-Expression: introduced in Metadata-Version 2.4, but the file declares 2.1"}},
		"license-file under 2.1 is tolerated": {in: base + "License-File: LICENSE\n\nx\n"},
		"bad project url":                     {in: base + "Project-URL: nocomma\n\nx\n", problems: []string{`Project-URL: "nocomma": expected "label, URL"`}},
		"bad extra":                           {in: base + "Provides-Extra: a b\n\nx\n", problems: []string{`Provides-Extra: "a b" is not a valid extra name`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := ParseMetadata([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			problems, warnings := checkMetadata(m, tc.minMetaVe)
			assertFindings(t, "problems", problems, tc.problems)
			assertFindings(t, "warnings", warnings, tc.warnings)
		})
	}
}

func assertFindings(t *testing.T, what string, got []finding, want []string) {
	t.Helper()
	var texts []string
	for _, f := range got {
		texts = append(texts, f.Field+": "+f.Reason)
	}
	if len(texts) != len(want) {
		t.Fatalf("%s = %q; want %d matching %q", what, texts, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(texts[i], w) {
			t.Errorf("%s[%d] = %q; want it to contain %q", what, i, texts[i], w)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{
		"Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n\nbody\n",
		"Name: x\nDescription: a\n       |b\n",
		"Name: x\r\n\r\n", " x\n", "a:b\n\tc\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMetadata(data)
		if err != nil {
			return
		}
		for name, vals := range m.Fields {
			if CanonicalField(name) != name {
				t.Fatalf("field %q is not canonical", name)
			}
			if len(vals) == 0 {
				t.Fatalf("field %q has no values", name)
			}
		}
		if !strings.HasSuffix(string(data), m.Body) {
			t.Fatalf("body %q is not the end of the input", m.Body)
		}
		checkMetadata(m, "1.1") // must not panic
		_ = m.Description()
	})
}
