package gitread

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func (o *objReader) loosePath(dir string, id OID) string {
	h := id.String()
	return filepath.Join(dir, h[:2], h[2:])
}

// readLoose returns the compressed bytes of a loose object, if any.
func (o *objReader) readLoose(id OID) ([]byte, error) {
	for _, dir := range o.db.Dirs {
		data, err := os.ReadFile(o.loosePath(dir, id))
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, &ObjectError{ID: id.String(), Reason: "cannot read loose object", Err: err}
		}
	}
	return nil, nil
}

// looseHeader starts inflating a loose object: its type, its size, and
// the content bytes already inflated along with the header. The inflater
// is left positioned after them.
func (o *objReader) looseHeader(id OID, raw []byte) (ObjType, int, []byte, error) {
	bad := func(reason string, err error) error {
		if err == nil {
			err = ErrCorrupt
		}
		return &ObjectError{ID: id.String(), Reason: reason, Err: err}
	}
	if err := o.resetInflater(raw); err != nil {
		return 0, 0, nil, bad("cannot inflate loose object", err)
	}
	n, err := io.ReadFull(o.zr, o.hdr[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, 0, nil, bad("cannot inflate loose object", err)
	}
	nul := bytes.IndexByte(o.hdr[:n], 0)
	if nul < 0 {
		return 0, 0, nil, bad("bad loose object header", nil)
	}
	name, sizeStr, ok := strings.Cut(string(o.hdr[:nul]), " ")
	typ := typeFromName(name)
	size, err := strconv.Atoi(sizeStr)
	if !ok || typ == TypeNone || err != nil || size < 0 {
		return 0, 0, nil, bad("bad loose object header", nil)
	}
	rest := o.hdr[nul+1 : n]
	if len(rest) > size {
		rest = rest[:size]
	}
	return typ, size, rest, nil
}

// inflateLoose decodes a loose object: its header, then want bytes of
// content (all of it when want < 0). It also returns the full size.
func (o *objReader) inflateLoose(id OID, raw []byte, want int) (ObjType, []byte, int, error) {
	typ, size, first, err := o.looseHeader(id, raw)
	if err != nil {
		return 0, nil, 0, err
	}
	if want < 0 || want > size {
		want = size
	}
	data := make([]byte, want)
	got := copy(data, first)
	if got < want {
		if _, err := io.ReadFull(o.zr, data[got:]); err != nil {
			return 0, nil, 0, &ObjectError{ID: id.String(), Reason: "truncated loose object", Err: err}
		}
	}
	return typ, data, size, nil
}
