package gitread

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// ReadCommitHeader parses the header of commit id, inflating only as much
// of the object as the header needs: a commit's message is never read.
func (o *objReader) ReadCommitHeader(id OID) (CommitHeader, error) {
	if p, off, ok := o.findPacked(id); ok {
		return o.commitHeaderAt(p, off, id)
	}
	raw, err := o.readLoose(id)
	if err != nil {
		return CommitHeader{}, err
	}
	if raw == nil {
		return CommitHeader{}, o.notFound(id)
	}
	// The loose header ("commit <size>\0") comes first in the stream.
	for want := 384; ; want *= 4 {
		data, err := o.pi.inflatePrefix(raw, want, o.scratch)
		if err != nil {
			return CommitHeader{}, &ObjectError{ID: id.String(), Reason: "cannot inflate loose object", Err: err}
		}
		o.scratch = data[:0]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 {
			if len(data) < want {
				return CommitHeader{}, &ObjectError{ID: id.String(), Reason: "bad loose object header", Err: ErrCorrupt}
			}
			continue
		}
		name, sizeStr, _ := strings.Cut(string(data[:nul]), " ")
		size, err := strconv.Atoi(sizeStr)
		if typ := typeFromName(name); typ != TypeCommit || err != nil {
			if typ == TypeNone || err != nil {
				return CommitHeader{}, &ObjectError{ID: id.String(), Reason: "bad loose object header", Err: ErrCorrupt}
			}
			return CommitHeader{}, notCommit(id, typ)
		}
		body := data[nul+1:]
		if len(body) > size {
			body = body[:size]
		}
		h, more, err := ParseCommitHeader(body, len(body) == size)
		if err != nil {
			return CommitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !more {
			return h, nil
		}
		if len(body) >= size || len(data) < want {
			return CommitHeader{}, &ObjectError{ID: id.String(), Reason: "truncated loose object", Err: ErrCorrupt}
		}
	}
}

// commitHeaderAt parses the header of the commit stored at off.
func (o *objReader) commitHeaderAt(p *pack, off uint64, id OID) (CommitHeader, error) {
	d, err := p.bytes(o.db)
	if err != nil {
		return CommitHeader{}, err
	}
	typ, size, hl, err := entryHeader(d, off)
	if err != nil {
		return CommitHeader{}, o.packCorrupt(p, off, id, err)
	}
	if typ == typeOfsDelta || typ == typeRefDelta {
		t, data, err := o.readPacked(p, off, id)
		if err != nil {
			return CommitHeader{}, err
		}
		if t != TypeCommit {
			return CommitHeader{}, notCommit(id, t)
		}
		h, _, err := ParseCommitHeader(data, true)
		if err != nil {
			return CommitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		return h, nil
	}
	if typ != TypeCommit {
		return CommitHeader{}, notCommit(id, typ)
	}
	return o.packedCommitHeader(d[off+uint64(hl):], int(size), id, func(err error) error { return o.packCorrupt(p, off, id, err) })
}

// packedCommitHeader inflates a packed commit's stream in growing
// prefixes until its header parses.
func (o *objReader) packedCommitHeader(src []byte, size int, id OID, bad func(error) error) (CommitHeader, error) {
	for want := 320; ; want *= 4 {
		n := min(want, size)
		data, err := o.pi.inflatePrefix(src, n, o.scratch)
		if err != nil {
			return CommitHeader{}, bad(err)
		}
		o.scratch = data[:0]
		if len(data) < n {
			return CommitHeader{}, bad(errors.New("stream shorter than its size"))
		}
		h, more, err := ParseCommitHeader(data, n == size)
		if err != nil {
			return CommitHeader{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !more {
			return h, nil
		}
	}
}

func notCommit(id OID, t ObjType) error {
	return &ObjectError{ID: id.String(), Reason: "is a " + t.String() + ", not a commit", Err: ErrCorrupt}
}
