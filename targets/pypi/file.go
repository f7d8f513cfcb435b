package pypi

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/blake2b"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

// Filetypes as the upload form names them.
const (
	FiletypeWheel = "bdist_wheel"
	FiletypeSdist = "sdist"
)

// File is a distribution ready to upload: what the upload form says about
// it besides its bytes.
type File struct {
	Path, Name string // local path and base name
	Filetype   string // "bdist_wheel" | "sdist"
	Pyversion  string // wheel: the python tag ("py3", "cp311", "py2.py3"); sdist: "source"
	Size       int64
	// Digests of the content, hex.
	SHA256, BLAKE2b256, MD5 string
	// Metadata are the core metadata fields the upload form carries, in
	// file order, a repeated field repeated. Fields the form has no name
	// for are left out, and so is License-File before Metadata-Version 2.4
	// (setuptools writes it into 2.1 metadata, where it is not defined).
	Metadata []Field
}

// Field is one metadata field. Name is the form field's: lower-case with
// '_' for '-' (Requires-Dist is requires_dist), and the plural or singular
// twine uses (Classifier is classifiers, Project-URL project_urls,
// License-File license_file). Description is the body after the headers,
// or the Description header when the body is empty.
type Field struct{ Name, Value string }

// Project is the distribution name as the metadata spells it.
func (f File) Project() string { return f.first("name") }

// Version is the version as the metadata spells it.
func (f File) Version() string { return f.first("version") }

func (f File) first(name string) string {
	for _, m := range f.Metadata {
		if m.Name == name {
			return m.Value
		}
	}
	return ""
}

// formNames maps core metadata headers (lower-case) to upload form fields,
// as twine's package.py and Warehouse's form do.
var formNames = map[string]string{
	"metadata-version":         "metadata_version",
	"name":                     "name",
	"version":                  "version",
	"platform":                 "platform",
	"summary":                  "summary",
	"description":              "description",
	"keywords":                 "keywords",
	"home-page":                "home_page",
	"author":                   "author",
	"author-email":             "author_email",
	"license":                  "license",
	"supported-platform":       "supported_platform",
	"download-url":             "download_url",
	"classifier":               "classifiers",
	"requires":                 "requires",
	"provides":                 "provides",
	"obsoletes":                "obsoletes",
	"maintainer":               "maintainer",
	"maintainer-email":         "maintainer_email",
	"requires-dist":            "requires_dist",
	"provides-dist":            "provides_dist",
	"obsoletes-dist":           "obsoletes_dist",
	"requires-python":          "requires_python",
	"requires-external":        "requires_external",
	"project-url":              "project_urls",
	"description-content-type": "description_content_type",
	"provides-extra":           "provides_extra",
	"dynamic":                  "dynamic",
	"license-expression":       "license_expression",
	"license-file":             "license_file",
}

// maxMetadata bounds a METADATA or PKG-INFO read into memory; real ones,
// long READMEs included, are far smaller.
const maxMetadata = 32 << 20

// ReadFile reads a wheel (.whl) or sdist (.tar.gz, .zip): its digests, in
// one pass over the file, and its METADATA or PKG-INFO.
func ReadFile(path string) (File, error) {
	f := File{Path: path, Name: filepath.Base(path)}
	switch {
	case strings.HasSuffix(f.Name, ".whl"):
		f.Filetype, f.Pyversion = FiletypeWheel, wheelPyversion(f.Name)
	case strings.HasSuffix(f.Name, ".tar.gz"), strings.HasSuffix(f.Name, ".zip"):
		f.Filetype, f.Pyversion = FiletypeSdist, "source"
	default:
		return File{}, fmt.Errorf("pypi: %s: %w: the name ends in neither .whl, .tar.gz nor .zip", path, ErrDistribution)
	}
	if err := f.hash(); err != nil {
		return File{}, err
	}
	var raw []byte
	var err error
	switch {
	case f.Filetype == FiletypeWheel:
		raw, err = wheelMetadata(path)
	case strings.HasSuffix(f.Name, ".zip"):
		raw, err = zipSdistMetadata(path)
	default:
		raw, err = tarSdistMetadata(path)
	}
	if err != nil {
		return File{}, fmt.Errorf("pypi: %s: %w", path, err)
	}
	if f.Metadata, err = parseMetadata(raw); err != nil {
		return File{}, fmt.Errorf("pypi: %s: %w", path, err)
	}
	for _, need := range []string{"metadata_version", "name", "version"} {
		if f.first(need) == "" {
			return File{}, fmt.Errorf("pypi: %s: %w: the metadata has no %s", path, ErrDistribution, need)
		}
	}
	return f, nil
}

func (f *File) hash() error {
	r, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("pypi: %w", err)
	}
	defer r.Close()
	sha, md, b2 := sha256.New(), md5.New(), mustBlake2b256()
	n, err := io.Copy(io.MultiWriter(sha, md, b2), r)
	if err != nil {
		return fmt.Errorf("pypi: reading %s: %w", f.Path, err)
	}
	f.Size = n
	f.SHA256, f.MD5, f.BLAKE2b256 = hex.EncodeToString(sha.Sum(nil)), hex.EncodeToString(md.Sum(nil)), hex.EncodeToString(b2.Sum(nil))
	return nil
}

func mustBlake2b256() interface {
	io.Writer
	Sum([]byte) []byte
} {
	h, err := blake2b.New256(nil)
	if err != nil {
		panic(err) // only a key longer than 64 bytes fails, and there is none
	}
	return h
}

// wheelFileRE is twine's wheel name pattern, for the python tag it sends
// as pyversion.
var wheelFileRE = regexp.MustCompile(`^(?P<namever>(?P<name>.+?)(-(?P<ver>\d.+?))?)((-(?P<build>\d.*?))?-(?P<pyver>.+?)-(?P<abi>.+?)-(?P<plat>.+?)\.whl|\.dist-info)$`)

func wheelPyversion(name string) string {
	m := wheelFileRE.FindStringSubmatch(name)
	if m == nil || m[wheelFileRE.SubexpIndex("pyver")] == "" {
		return "any"
	}
	return m[wheelFileRE.SubexpIndex("pyver")]
}

// wheelMetadata reads {name}-{version}.dist-info/METADATA. Like twine, when
// several .dist-info directories exist it takes the first in sorted order
// that holds a Metadata-Version.
func wheelMetadata(path string) ([]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrDistribution, err)
	}
	defer zr.Close()
	var cands []*zip.File
	for _, e := range zr.File {
		dir, base, ok := strings.Cut(e.Name, "/")
		if ok && base == "METADATA" && strings.HasSuffix(dir, ".dist-info") {
			cands = append(cands, e)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Name < cands[j].Name })
	for _, e := range cands {
		data, err := readZipEntry(e)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(data, []byte("Metadata-Version")) {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%w: no .dist-info/METADATA with a Metadata-Version", ErrDistribution)
}

func readZipEntry(e *zip.File) ([]byte, error) {
	if e.UncompressedSize64 > maxMetadata {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than metadata can be", ErrDistribution, e.Name, e.UncompressedSize64)
	}
	r, err := e.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDistribution, e.Name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxMetadata+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDistribution, e.Name, err)
	}
	return data, nil
}

// zipSdistMetadata reads {root}/PKG-INFO of a legacy zip sdist.
func zipSdistMetadata(path string) ([]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrDistribution, err)
	}
	defer zr.Close()
	var names []string
	for _, e := range zr.File {
		names = append(names, e.Name)
	}
	root, err := sdistRoot(names)
	if err != nil {
		return nil, err
	}
	for _, e := range zr.File {
		if e.Name == root+"/PKG-INFO" {
			return pkgInfo(readZipEntry(e))
		}
	}
	return nil, fmt.Errorf("%w: no %s/PKG-INFO", ErrDistribution, root)
}

// tarSdistMetadata reads {root}/PKG-INFO of a .tar.gz sdist. Every member is
// looked at, since the single top-level directory is only known at the end.
func tarSdistMetadata(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("%w: not gzip: %v", ErrDistribution, err)
	}
	tr := tar.NewReader(gz)
	var names []string
	infos := map[string][]byte{} // top-level dir -> its PKG-INFO
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: reading tar: %v", ErrDistribution, err)
		}
		names = append(names, h.Name)
		dir, base, ok := strings.Cut(h.Name, "/")
		if !ok || base != "PKG-INFO" || h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size > maxMetadata {
			return nil, fmt.Errorf("%w: %s is %d bytes, more than metadata can be", ErrDistribution, h.Name, h.Size)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%w: reading %s: %v", ErrDistribution, h.Name, err)
		}
		infos[dir] = data
	}
	root, err := sdistRoot(names)
	if err != nil {
		return nil, err
	}
	data, ok := infos[root]
	if !ok {
		return nil, fmt.Errorf("%w: no %s/PKG-INFO file", ErrDistribution, root)
	}
	return pkgInfo(data, nil)
}

func pkgInfo(data []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(data, []byte("Metadata-Version")) {
		return nil, fmt.Errorf("%w: PKG-INFO has no Metadata-Version", ErrDistribution)
	}
	return data, nil
}

// sdistRoot is the one top-level directory an sdist must have.
func sdistRoot(names []string) (string, error) {
	root := ""
	for _, n := range names {
		first, _, _ := strings.Cut(strings.TrimPrefix(n, "./"), "/")
		switch {
		case first == "" || first == ".":
			continue
		case root == "":
			root = first
		case root != first:
			return "", fmt.Errorf("%w: more than one top-level entry (%s, %s): an sdist holds one {name}-{version}/ directory", ErrDistribution, root, first)
		}
	}
	if root == "" {
		return "", fmt.Errorf("%w: empty archive", ErrDistribution)
	}
	return root, nil
}

// parseMetadata reads core metadata as Python's email parser with the
// compat32 policy does (which is what twine and packaging use): headers up
// to the first empty line or the first line that is not a header, folded
// lines joined with their line breaks kept, the rest the body. It keeps
// the fields the upload form knows, in file order.
func parseMetadata(data []byte) ([]Field, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: metadata is not UTF-8", ErrDistribution)
	}
	text := string(data)
	// The header block: lines that look like headers, continuations or
	// an mbox "From " line, up to an empty line (dropped) or any other
	// line (the body's first).
	var block []string
	rest := text
	for rest != "" {
		line := nextLine(rest)
		if line == "\n" || line == "\r\n" || line == "\r" {
			rest = rest[len(line):]
			break
		}
		if line[0] != ' ' && line[0] != '\t' && !strings.HasPrefix(line, "From ") && !isHeaderLine(line) {
			break
		}
		block = append(block, line)
		rest = rest[len(line):]
	}
	body := rest
	type header struct{ name, value string }
	var headers []header
	var cur []string // source lines of the header being read
	flush := func() {
		if cur == nil {
			return
		}
		name, value, _ := strings.Cut(cur[0], ":")
		value = strings.TrimLeft(value, " \t") + strings.Join(cur[1:], "")
		headers = append(headers, header{name: name, value: strings.TrimRight(value, "\r\n")})
		cur = nil
	}
	for i, line := range block {
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if cur != nil {
				cur = append(cur, line)
			}
			continue
		}
		flush()
		switch {
		case strings.HasPrefix(line, "From "):
			// An mbox envelope line: skipped, except as the last line of
			// the block, where the email parser takes it for the body's.
			if i > 0 && i == len(block)-1 {
				body = line + body
			}
		case strings.HasPrefix(line, ":"):
			// A header without a name is dropped.
		default:
			cur = []string{line}
		}
	}
	flush()
	var fields []Field
	metadataVersion := ""
	for _, h := range headers {
		if strings.ToLower(h.name) == "metadata-version" {
			metadataVersion = h.value
			break
		}
	}
	dropLicenseFile := true
	if v, err := pep440.Parse(metadataVersion); err == nil && v.Compare(pep440.MustParse("2.4")) >= 0 {
		dropLicenseFile = false
	}
	hasBody := body != ""
	for _, h := range headers {
		name, ok := formNames[strings.ToLower(h.name)]
		switch {
		case !ok:
		case name == "description" && hasBody:
		case name == "license_file" && dropLicenseFile:
		default:
			fields = append(fields, Field{Name: name, Value: h.value})
		}
	}
	if hasBody {
		fields = append(fields, Field{Name: "description", Value: body})
	}
	return fields, nil
}

// nextLine returns s up to and including its first line break (\r\n, \r or
// \n, as the email parser splits), or all of s.
func nextLine(s string) string {
	i := strings.IndexAny(s, "\r\n")
	switch {
	case i < 0:
		return s
	case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		return s[:i+2]
	default:
		return s[:i+1]
	}
}

// isHeaderLine is the email parser's headerRE for a non-continuation line:
// printable ASCII other than ':' up to a ':'.
func isHeaderLine(line string) bool {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ':':
			return true
		case c < 0x21 || c > 0x7e:
			return false
		}
	}
	return false
}

// SortForUpload returns the files with wheels before sdists, otherwise in
// their order, as twine uploads them: an index may take a release's
// metadata from its first file, and a wheel's metadata is the one
// installers read.
func SortForUpload(files []File) []File {
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b File) int {
		rank := func(f File) int {
			if f.Filetype == FiletypeWheel {
				return 0
			}
			return 1
		}
		return rank(a) - rank(b)
	})
	return out
}
