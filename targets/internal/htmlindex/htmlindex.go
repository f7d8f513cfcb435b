// Package htmlindex reads the links of an HTML package index page: a PEP
// 503 simple page, a wheelhouse-uploader index.html, or the index.html a
// snapshot store carries. Both fetching from a store and reading back what
// a package index serves use it.
package htmlindex

import (
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Link is one downloadable file found on an HTML index page.
type Link struct {
	URL    *url.URL // resolved, fragment included
	Name   string   // unescaped last path segment; "" for a directory link
	SHA256 string   // from a #sha256= fragment, lowercase hex; "" if none
}

// Parse reads an HTML page (a PEP 503 simple page, a
// wheelhouse-uploader index.html, or the index.html Publish writes) and
// returns its <a href> links resolved against base, or against the page's
// own <base href>, in page order and without duplicates. Links that go
// nowhere (empty, fragment-only, unparsable) are left out.
func Parse(base *url.URL, r io.Reader) ([]Link, error) {
	if base == nil {
		base = &url.URL{}
	}
	z := html.NewTokenizer(r)
	var links []Link
	seen := map[string]bool{}
	baseSet := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return nil, err
			}
			return links, nil
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		name, hasAttr := z.TagName()
		tag := atom.Lookup(name)
		if (tag != atom.A && tag != atom.Base) || !hasAttr {
			continue
		}
		href, ok := linkAttr(z, "href")
		if !ok {
			continue
		}
		// The first <base href> counts, as in browsers; later ones are ignored.
		if tag == atom.Base {
			if !baseSet {
				if u, err := url.Parse(href); err == nil {
					base = base.ResolveReference(u)
				}
				baseSet = true
			}
			continue
		}
		if href == "" || strings.HasPrefix(href, "#") {
			continue
		}
		ref, err := url.Parse(href)
		if err != nil {
			continue
		}
		u := base.ResolveReference(ref)
		key := *u
		key.Fragment, key.RawFragment = "", ""
		if seen[key.String()] {
			continue
		}
		seen[key.String()] = true
		links = append(links, Link{URL: u, Name: linkName(u), SHA256: linkSHA256(u.Fragment)})
	}
}

// linkAttr returns the value of the named attribute of the current tag; the
// tokenizer has already decoded entities such as &amp;.
func linkAttr(z *html.Tokenizer, name string) (string, bool) {
	for {
		key, val, more := z.TagAttr()
		if string(key) == name {
			return strings.TrimSpace(string(val)), true
		}
		if !more {
			return "", false
		}
	}
}

// linkName unescapes the last segment of the escaped path, so that an
// escaped "/" ("%2F") stays inside the name, where SafeName refuses it,
// instead of splitting it.
func linkName(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = u.Opaque
	}
	seg := p[strings.LastIndexByte(p, '/')+1:]
	name, err := url.PathUnescape(seg)
	if err != nil {
		return seg
	}
	return name
}

// linkSHA256 reads "sha256=<hex>" among the fragment's "&"-separated
// hashes, as PEP 503 writes it.
func linkSHA256(fragment string) string {
	for part := range strings.SplitSeq(fragment, "&") {
		algo, value, ok := strings.Cut(part, "=")
		if ok && strings.EqualFold(algo, "sha256") {
			value = strings.ToLower(value)
			if sha256Hex.MatchString(value) {
				return value
			}
		}
	}
	return ""
}
