package store

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/htmlindex"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// Link is one downloadable file found on an HTML index page.
type Link = htmlindex.Link

// ParseLinks reads an HTML page (a PEP 503 simple page, a
// wheelhouse-uploader index.html, or the index.html Publish writes) and
// returns its <a href> links resolved against base, or against the page's
// own <base href>, in page order and without duplicates (see htmlindex).
func ParseLinks(base *url.URL, r io.Reader) ([]Link, error) {
	links, err := htmlindex.Parse(base, r)
	if err != nil {
		if base == nil {
			base = &url.URL{}
		}
		return nil, fmt.Errorf("store: reading HTML index %s: %w", httpretry.Redact(base), err)
	}
	return links, nil
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
