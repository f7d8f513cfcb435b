package version

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// readCommitHeader parses the header of commit id, inflating only as much
// of the object as the header needs: a commit's message is never read.
func (o *objReader) readCommitHeader(id oid) (commitHeader, error) {
	if p, off, ok := o.findPacked(id); ok {
		return o.commitHeaderAt(p, off, id)
	}
	raw, err := o.readLoose(id)
	if err != nil {
		return commitHeader{}, err
	}
	if raw == nil {
		return commitHeader{}, o.notFound(id)
	}
	// The loose header ("commit <size>\0") comes first in the stream.
	for want := 384; ; want *= 4 {
		data, err := o.pi.inflatePrefix(raw, want, o.scratch)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: "cannot inflate loose object", Err: err}
		}
		o.scratch = data[:0]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 {
			if len(data) < want {
				return commitHeader{}, &ObjectError{ID: id.String(), Reason: "bad loose object header", Err: ErrCorrupt}
			}
			continue
		}
		name, sizeStr, _ := strings.Cut(string(data[:nul]), " ")
		size, err := strconv.Atoi(sizeStr)
		if typ := typeFromName(name); typ != typeCommit || err != nil {
			if typ == typeNone || err != nil {
				return commitHeader{}, &ObjectError{ID: id.String(), Reason: "bad loose object header", Err: ErrCorrupt}
			}
			return commitHeader{}, notCommit(id, typ)
		}
		body := data[nul+1:]
		if len(body) > size {
			body = body[:size]
		}
		h, more, err := parseCommitHeader(body, len(body) == size)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !more {
			return h, nil
		}
		if len(body) >= size || len(data) < want {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: "truncated loose object", Err: ErrCorrupt}
		}
	}
}

// commitHeaderAt parses the header of the commit stored at off.
func (o *objReader) commitHeaderAt(p *pack, off uint64, id oid) (commitHeader, error) {
	d, err := p.bytes(o.db)
	if err != nil {
		return commitHeader{}, err
	}
	typ, size, hl, err := entryHeader(d, off)
	if err != nil {
		return commitHeader{}, o.packCorrupt(p, off, id, err)
	}
	if typ == typeOfsDelta || typ == typeRefDelta {
		t, data, err := o.readPacked(p, off, id)
		if err != nil {
			return commitHeader{}, err
		}
		if t != typeCommit {
			return commitHeader{}, notCommit(id, t)
		}
		h, _, err := parseCommitHeader(data, true)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		return h, nil
	}
	if typ != typeCommit {
		return commitHeader{}, notCommit(id, typ)
	}
	return o.packedCommitHeader(d[off+uint64(hl):], int(size), id, func(err error) error { return o.packCorrupt(p, off, id, err) })
}

// packedCommitHeader inflates a packed commit's stream in growing
// prefixes until its header parses.
func (o *objReader) packedCommitHeader(src []byte, size int, id oid, bad func(error) error) (commitHeader, error) {
	for want := 320; ; want *= 4 {
		n := min(want, size)
		data, err := o.pi.inflatePrefix(src, n, o.scratch)
		if err != nil {
			return commitHeader{}, bad(err)
		}
		o.scratch = data[:0]
		if len(data) < n {
			return commitHeader{}, bad(errors.New("stream shorter than its size"))
		}
		h, more, err := parseCommitHeader(data, n == size)
		if err != nil {
			return commitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !more {
			return h, nil
		}
	}
}

func notCommit(id oid, t objType) error {
	return &ObjectError{ID: id.String(), Reason: "is a " + t.String() + ", not a commit", Err: ErrCorrupt}
}
