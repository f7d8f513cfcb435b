package wheel

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// recordEntry is one row of a wheel's RECORD.
type recordEntry struct {
	Path   string
	Algo   string // "sha256"; empty when the row has no hash
	Digest []byte
	Size   int64 // -1 when the row has no size
	Line   int
}

// recordAlgos are the hashes the wheel specification allows: sha256 or
// stronger. md5 and sha1 are forbidden by name; pip accepts any hashlib
// algorithm, an index checks nothing, so anything else is refused here.
var recordAlgos = map[string]func() hash.Hash{
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// parseRecord reads RECORD, a CSV file in Python's default dialect. A row
// that cannot be understood is a finding, not a fatal error, so every bad
// row is reported; the returned entries hold the rows that could be read.
func parseRecord(data []byte) ([]recordEntry, []string) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var entries []recordEntry
	var bad []string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("not valid CSV: %v", err))
			break
		}
		line, _ := r.FieldPos(0)
		if len(row) != 3 {
			bad = append(bad, fmt.Sprintf("line %d: expected 3 columns (path,hash,size), found %d", line, len(row)))
			continue
		}
		e := recordEntry{Path: row[0], Size: -1, Line: line}
		if row[1] != "" {
			algo, digest, reason := parseRecordHash(row[1])
			if reason != "" {
				bad = append(bad, fmt.Sprintf("%s: %s", row[0], reason))
				continue
			}
			e.Algo, e.Digest = algo, digest
		}
		if row[2] != "" {
			n, err := strconv.ParseInt(row[2], 10, 64)
			if err != nil || n < 0 || strings.TrimLeft(row[2], "0123456789") != "" {
				bad = append(bad, fmt.Sprintf("%s: size %q is not a decimal byte count", row[0], row[2]))
				continue
			}
			e.Size = n
		}
		entries = append(entries, e)
	}
	return entries, bad
}

// parseRecordHash reads "sha256=<urlsafe base64 without padding>".
func parseRecordHash(s string) (algo string, digest []byte, reason string) {
	algo, enc, ok := strings.Cut(s, "=")
	if !ok {
		return "", nil, fmt.Sprintf("hash %q: expected sha256=<urlsafe base64 digest>", s)
	}
	newHash, known := recordAlgos[algo]
	if !known {
		return "", nil, fmt.Sprintf("hash algorithm %q: expected sha256 (or sha384, sha512); md5 and sha1 are forbidden", algo)
	}
	digest, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil {
		return "", nil, fmt.Sprintf("hash %q: digest is not urlsafe base64 without padding", s)
	}
	if len(digest) != newHash().Size() {
		return "", nil, fmt.Sprintf("hash %q: a %s digest is %d bytes, found %d", s, algo, newHash().Size(), len(digest))
	}
	return algo, digest, ""
}

// recordHash formats a digest the way RECORD spells it.
func recordHash(algo string, digest []byte) string {
	return algo + "=" + base64.RawURLEncoding.EncodeToString(digest)
}

// isRecordFile reports whether a member is the RECORD or one of its
// signatures, which RECORD cannot hash.
func isRecordFile(name, distInfo string) bool {
	switch name {
	case distInfo + "/RECORD", distInfo + "/RECORD.jws", distInfo + "/RECORD.p7s":
		return true
	}
	return false
}

// pathProblem says what is wrong with an archive member path, or "": a path
// an installer must refuse to write. Archive members use "/" only.
func pathProblem(p string) string {
	switch {
	case p == "":
		return "empty path"
	case strings.Contains(p, "\\"):
		return "path contains a backslash; archive paths use \"/\""
	case strings.HasPrefix(p, "/"):
		return "absolute path; archive paths are relative"
	case len(p) >= 2 && p[1] == ':' && isAlnum(p[0]):
		return "path starts with a drive letter; archive paths are relative"
	case strings.ContainsRune(p, 0):
		return "path contains a NUL byte"
	}
	for seg := range strings.SplitSeq(strings.TrimSuffix(p, "/"), "/") {
		if seg == ".." {
			return "path has a \"..\" segment and would escape the install directory"
		}
	}
	return ""
}
