package store

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// Link is one downloadable file found on an HTML index page.
type Link struct {
	URL    *url.URL // resolved, fragment included
	Name   string   // unescaped last path segment; "" for a directory link
	SHA256 string   // from a #sha256= fragment, lowercase hex; "" if none
}

// ParseLinks reads an HTML page (a PEP 503 simple page, a
// wheelhouse-uploader index.html, or the index.html Publish writes) and
// returns its <a href> links resolved against base, or against the page's
// own <base href>, in page order and without duplicates. Links that go
// nowhere (empty, fragment-only, unparsable) are left out.
func ParseLinks(base *url.URL, r io.Reader) ([]Link, error) {
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
				return nil, fmt.Errorf("store: reading HTML index %s: %w", httpretry.Redact(base), err)
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

// twoPartExts are extensions of two dot-separated parts, which come off
// whole.
var twoPartExts = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz", ".tar.Z"}

// FileVersion splits an artifact file name into its project part and
// version, both as spelled in the name: wheels
// ({dist}-{ver}(-{build})?-{py}-{abi}-{plat}.whl), sdists
// ({name}-{ver}.tar.gz or .zip), and other files named
// {name}-{version}[-rest].{ext} (archives, installers), where the first
// "-"-separated segment after the name that parses as PEP 440 is the
// version. ok is false when none does.
//
// The first such segment wins, so a project whose name has a segment that
// is a version ("tool-2-1.0.tar.gz") reads as "tool" at version 2; wheels
// and PEP 625 sdists escape "-" in names and do not have the problem.
func FileVersion(name string) (project, version string, ok bool) {
	if stem, isWheel := strings.CutSuffix(name, ".whl"); isWheel {
		parts := strings.Split(stem, "-")
		if (len(parts) != 5 && len(parts) != 6) || parts[0] == "" || !isVersionSegment(parts[1]) {
			return "", "", false
		}
		return parts[0], parts[1], true
	}
	parts := strings.Split(name, "-")
	for i := 1; i < len(parts); i++ {
		seg := parts[i]
		if i == len(parts)-1 {
			seg = stripFileExt(seg)
		}
		if isVersionSegment(seg) {
			project = strings.Join(parts[:i], "-")
			if project == "" {
				return "", "", false
			}
			return project, seg, true
		}
	}
	return "", "", false
}

// stripFileExt removes a file extension from the segment that ends a name: a
// known two-part archive extension, else one ".ext" that starts with a
// letter (".0" of "1.0" is part of a version, not an extension). A segment
// that is a version as it stands ("1.0.dev0") keeps everything, unless it
// has a local part: "1.0+abc.zip" is a valid version whose local part
// swallowed the extension.
func stripFileExt(seg string) string {
	if isVersionSegment(seg) && !strings.Contains(seg, "+") {
		return seg
	}
	for _, ext := range twoPartExts {
		if s, ok := strings.CutSuffix(seg, ext); ok {
			return s
		}
	}
	if i := strings.LastIndexByte(seg, '.'); i > 0 && i+1 < len(seg) && isASCIILetter(seg[i+1]) {
		return seg[:i]
	}
	return seg
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isVersionSegment reports whether a name segment is a PEP 440 version. Parse
// forgives surrounding white space, which no version in a file name has.
func isVersionSegment(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	_, err := pep440.Parse(s)
	return err == nil
}
