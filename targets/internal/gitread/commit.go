package gitread

import (
	"bytes"
	"fmt"
)

// CommitHeader is what a history walk needs of a commit: its tree, its
// parents and its committer date, as git's parse_commit_buffer reads them.
type CommitHeader struct {
	Tree    OID
	Parents []OID
	Date    uint64
}

// ParseCommitHeader ports git's parse_commit_buffer and parse_commit_date
// (2.39), including their tolerance of odd headers, so that dates and
// parents are exactly the ones git's walk sees. With complete false, b
// may be a prefix of the object; more reports that the answer needs bytes
// beyond it.
func ParseCommitHeader(b []byte, complete bool) (h CommitHeader, more bool, err error) {
	const treeLen = 5 + HexLen
	const parentLen = 7 + HexLen
	if len(b) <= treeLen+1 {
		if !complete {
			return h, true, nil
		}
		return h, false, fmt.Errorf("bogus commit object")
	}
	if !bytes.HasPrefix(b, []byte("tree ")) || b[treeLen] != '\n' {
		return h, false, fmt.Errorf("bogus commit object")
	}
	t, ok := ParseOID(b[5:treeLen])
	if !ok {
		return h, false, fmt.Errorf("bad tree pointer")
	}
	h.Tree = t
	p := treeLen + 1
	for {
		if p+parentLen >= len(b) {
			if !complete {
				return h, true, nil
			}
			break
		}
		if !bytes.HasPrefix(b[p:], []byte("parent ")) {
			break
		}
		if len(b) <= p+parentLen+1 {
			if !complete {
				return h, true, nil
			}
			return h, false, fmt.Errorf("bad parents")
		}
		id, ok := ParseOID(b[p+7 : p+parentLen])
		if !ok || b[p+parentLen] != '\n' {
			return h, false, fmt.Errorf("bad parents")
		}
		h.Parents = append(h.Parents, id)
		p += parentLen + 1
	}
	d, more := parseCommitDate(b[p:], complete)
	if more {
		return h, true, nil
	}
	h.Date = d
	return h, false, nil
}

func parseCommitDate(b []byte, complete bool) (uint64, bool) {
	short := func() (uint64, bool) { return 0, !complete }
	if 6 >= len(b) {
		return short()
	}
	if !bytes.HasPrefix(b, []byte("author")) {
		return 0, false
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return short()
	}
	p := i + 1
	if p+9 >= len(b) {
		return short()
	}
	if !bytes.HasPrefix(b[p:], []byte("committer")) {
		return 0, false
	}
	j := bytes.IndexByte(b[p:], '>')
	if j < 0 {
		return short()
	}
	p += j + 1
	if p >= len(b) {
		return short()
	}
	datePos := p
	k := bytes.IndexByte(b[p:], '\n')
	if k < 0 {
		return short()
	}
	p += k + 1
	if p >= len(b) {
		return short()
	}
	return strtoumax(b[datePos:]), false
}

// strtoumax is C's strtoumax in base 10 as git's parse_timestamp uses it:
// leading space, an optional sign (a minus wraps around), saturation at
// the maximum on overflow, and 0 when there are no digits.
func strtoumax(b []byte) uint64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	overflow := false
	digits := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		digits = true
		d := uint64(b[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if !digits {
		return 0
	}
	if overflow {
		return ^uint64(0)
	}
	if neg {
		return -v
	}
	return v
}
