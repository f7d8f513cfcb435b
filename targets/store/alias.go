package store

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/url"
	"path"
	"strings"
)

// DefaultLatestCopyLimit is the size from which a latest alias is a
// pointer rather than a copy where the store has no cheap link (S3; a
// folder without symlinks). A server-side copy takes time in proportion
// to the file, nearly as long as its upload, while a copy is what a plain
// URL needs: small files keep it.
const DefaultLatestCopyLimit = 100 << 20

// A pointer alias is a small HTML page at the alias's key, where a copy of
// a large file would be. It is written only once its target is published
// (placed, described by its sidecar, settled), and it is replaced whole as
// a copy is. What reaches the alias's URL:
//
//   - a browser: the page, whose refresh goes on to the versioned file at
//     once, so a README's "download latest" link keeps working;
//   - S3 static website hosting: a 301 to the versioned file, from the
//     object's x-amz-website-redirect-location (curl -L follows it);
//   - a plain GET of the object (curl without -L, the S3 REST endpoint):
//     the page itself, text/html, naming the versioned file and its sha256.
//
// The alias's sidecar says "pointer": true beside alias_of, so the
// download page links the row straight to the versioned file, pruning
// keeps the file while a pointer names it, and a checked download never
// takes the page for the file.

// aliasSidecar is the sidecar of a latest alias as stored: the sidecar of
// the file it stands for, with alias_of naming that file's key, and
// pointer set when the alias is a pointer page rather than a copy.
type aliasSidecar struct {
	Sidecar
	Pointer bool `json:"pointer,omitempty"`
}

// Marshal encodes the sidecar as stored.
func (s aliasSidecar) Marshal() []byte {
	data, _ := json.MarshalIndent(s, "", "  ")
	return append(data, '\n')
}

// storedSidecar is a sidecar read back from the store, with what the
// store adds to the file's own fields.
type storedSidecar struct {
	Sidecar
	Pointer bool // the alias is a pointer page to AliasOf
}

// parseStored decodes a sidecar (see ParseSidecar) with the pointer flag
// of an alias's.
func parseStored(key string, data []byte) (storedSidecar, error) {
	sc, err := ParseSidecar(key, data)
	if err != nil {
		return storedSidecar{}, err
	}
	var flag struct {
		Pointer bool `json:"pointer"`
	}
	_ = json.Unmarshal(data, &flag) // ParseSidecar read it as JSON already
	return storedSidecar{Sidecar: sc, Pointer: flag.Pointer && sc.AliasOf != ""}, nil
}

// pointerPage is the body of a pointer alias at key alias: a page that
// sends a browser on to target at once, and names it with its sha256 for
// whoever reads it as text.
func pointerPage(alias, target, sha256 string) []byte {
	href := relativeHref(path.Dir(alias), target)
	var buf bytes.Buffer
	err := pointerTemplate.Execute(&buf, map[string]string{
		"Alias": path.Base(alias), "Name": path.Base(target), "Href": href, "SHA256": sha256,
	})
	if err != nil {
		panic(err) // the template is fixed; an error is a bug
	}
	return buf.Bytes()
}

// relativeHref is the link from a page in dir to key, each segment
// escaped.
func relativeHref(dir, key string) string {
	from := strings.Split(dir, "/")
	to := strings.Split(key, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	var segs []string
	for range from[i:] {
		segs = append(segs, "..")
	}
	for _, s := range to[i:] {
		segs = append(segs, url.PathEscape(s))
	}
	href := strings.Join(segs, "/")
	// A colon in the first segment would read as a URL scheme.
	if strings.Contains(segs[0], ":") {
		href = "./" + href
	}
	return href
}

var pointerTemplate = template.Must(template.New("pointer").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url={{.Href}}">
<meta name="pyrelease-alias-of" content="{{.Name}}">
<title>{{.Alias}}</title>
</head>
<body>
<p>{{.Alias}} is <a href="{{.Href}}#sha256={{.SHA256}}">{{.Name}}</a> (sha256 <code>{{.SHA256}}</code>).</p>
</body>
</html>
`))
