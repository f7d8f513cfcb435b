package wheel

import (
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

// metadataVersions are the core metadata versions an index accepts.
// 2.5 (PEP 794, Import-Name) is what hatchling 1.33 writes.
var metadataVersions = []string{"1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"}

// singleUse lists the fields the specification allows at most once.
var singleUse = []string{
	"Metadata-Version", "Name", "Version", "Summary", "Description",
	"Description-Content-Type", "Keywords", "Home-page", "Download-URL",
	"Author", "Author-email", "Maintainer", "Maintainer-email", "License",
	"License-Expression", "Requires-Python",
}

// introducedIn gives the metadata version that added a field, for the
// fields whose use with an older Metadata-Version an index rejects and no
// current build backend produces. License-File is left out on purpose:
// setuptools wrote it under Metadata-Version 2.1 for years.
var introducedIn = map[string]string{
	"Description-Content-Type": "2.1",
	"Provides-Extra":           "2.1",
	"Dynamic":                  "2.2",
	"License-Expression":       "2.4",
	"Import-Name":              "2.5",
	"Import-Namespace":         "2.5",
}

// finding is one metadata problem or warning, by field.
type finding struct {
	Field  string
	Reason string
}

// checkMetadata applies the checks an index applies to uploaded metadata.
//
// Mapping to twine check (4.0): twine fails when the description does not
// render and warns when Description-Content-Type or the description is
// missing. We fail on an unknown or malformed content type (PyPI refuses
// the upload; twine would render it as reStructuredText) and warn, as
// twine does, on a missing one or a missing description: PyPI accepts both
// and pip builds both from ordinary projects. reStructuredText cannot be
// rendered in Go, so a text/x-rst description is accepted as declared; a
// description that would not render is the one failure twine catches and
// we do not.
//
// Requires-Dist and Requires-Python are not parsed as PEP 508 requirements
// or specifiers.
func checkMetadata(m *Metadata, minVersion string) (problems, warnings []finding) {
	fail := func(field, format string, args ...any) {
		problems = append(problems, finding{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	mv := m.Get("Metadata-Version")
	switch {
	case !m.Has("Metadata-Version"):
		fail("Metadata-Version", "missing; expected one of %s", strings.Join(metadataVersions, ", "))
	case !slices.Contains(metadataVersions, mv):
		fail("Metadata-Version", "%q is not one of %s", mv, strings.Join(metadataVersions, ", "))
	case minVersion != "" && compareMetadataVersion(mv, minVersion) < 0:
		fail("Metadata-Version", "%s is too old here; expected %s or later", mv, minVersion)
	}
	for _, f := range singleUse {
		if n := len(m.Fields[f]); n > 1 {
			fail(f, "given %d times; the field may appear once", n)
		}
	}
	if slices.Contains(metadataVersions, mv) {
		for f, since := range introducedIn {
			if m.Has(f) && compareMetadataVersion(mv, since) < 0 {
				fail(f, "introduced in Metadata-Version %s, but the file declares %s", since, mv)
			}
		}
	}
	switch name := m.Get("Name"); {
	case !m.Has("Name") || name == "":
		fail("Name", "missing; every distribution needs a name")
	case !validName(name):
		fail("Name", "%q is not a valid project name (ASCII letters and digits, with \".\", \"_\" or \"-\" between them)", name)
	}
	switch v := m.Get("Version"); {
	case !m.Has("Version") || v == "":
		fail("Version", "missing; every distribution needs a version")
	default:
		if _, err := pep440.Parse(v); err != nil {
			fail("Version", "%q is not a valid PEP 440 version", v)
		}
	}
	if strings.Contains(m.Get("Summary"), "\n") {
		fail("Summary", "must be a single line")
	}
	for _, d := range m.All("Dynamic") {
		if f := CanonicalField(d); f == "Name" || f == "Version" || f == "Metadata-Version" {
			fail("Dynamic", "%s cannot be dynamic", f)
		}
	}
	for _, e := range m.All("Provides-Extra") {
		if !validName(e) {
			fail("Provides-Extra", "%q is not a valid extra name", e)
		}
	}
	for _, u := range m.All("Project-URL") {
		label, url, ok := strings.Cut(u, ",")
		if !ok || strings.TrimSpace(label) == "" || strings.TrimSpace(url) == "" {
			fail("Project-URL", "%q: expected \"label, URL\"", u)
		}
	}
	if m.Has("Description") && strings.TrimSpace(m.Body) != "" {
		fail("Description", "the description is given both as a field and as the message body")
	}
	dct := m.Get("Description-Content-Type")
	if m.Has("Description-Content-Type") {
		if reason := contentTypeProblem(dct); reason != "" {
			fail("Description-Content-Type", "%s", reason)
		}
	}
	switch {
	case strings.TrimSpace(m.Description()) == "":
		warnings = append(warnings, finding{Field: "Description", Reason: "no long description; the project page will be empty"})
	case !m.Has("Description-Content-Type"):
		warnings = append(warnings, finding{Field: "Description-Content-Type",
			Reason: "missing; indexes render the description as reStructuredText, and as plain text if that fails"})
	}
	return problems, warnings
}

// contentTypeProblem checks a Description-Content-Type the way the index
// does: one of three types, charset UTF-8 if given, and for markdown a
// variant of GFM or CommonMark if given.
func contentTypeProblem(v string) string {
	const want = "expected text/markdown, text/x-rst or text/plain (with optional charset=UTF-8, and variant=GFM or variant=CommonMark for markdown)"
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return fmt.Sprintf("%q cannot be parsed (%v); %s", v, err, want)
	}
	switch mt {
	case "text/markdown", "text/x-rst", "text/plain":
	default:
		return fmt.Sprintf("%q is not a type an index renders; %s", mt, want)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return fmt.Sprintf("charset %q: core metadata is UTF-8; %s", cs, want)
	}
	if variant, ok := params["variant"]; ok && mt == "text/markdown" && variant != "GFM" && variant != "CommonMark" {
		return fmt.Sprintf("markdown variant %q: %s", variant, want)
	}
	return ""
}

// compareMetadataVersion orders "major.minor" metadata versions; both come
// from metadataVersions or constants.
func compareMetadataVersion(a, b string) int {
	return pep440.Compare(pep440.MustParse(a), pep440.MustParse(b))
}
