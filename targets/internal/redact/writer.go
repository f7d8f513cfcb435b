package redact

import (
	"bytes"
	"io"
	"sync"
)

// flushAt is how much text without a line ending a Writer holds before it
// writes out all but a tail that could still be the start of a secret.
const flushAt = 64 << 10

// Writer cleans what passes through it, line by line, before writing to
// the writer underneath. Close writes what is left of the last line.
type Writer struct {
	mu  sync.Mutex
	set *Set
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer cleaning w's input of set's secrets (Default
// when set is nil).
func NewWriter(w io.Writer, set *Set) *Writer {
	if set == nil {
		set = Default
	}
	return &Writer{set: set, w: w}
}

// Write takes p whole; complete lines (ending in \n or \r, as progress
// bars end theirs) are cleaned and written at once.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	end := bytes.LastIndexAny(w.buf, "\r\n") + 1
	if end == 0 && len(w.buf) >= flushAt {
		// A secret is far shorter than this: keep a tail that might hold the
		// start of one.
		end = len(w.buf) - 4<<10
	}
	if end > 0 {
		if err := w.emit(w.buf[:end]); err != nil {
			return 0, err
		}
		w.buf = append(w.buf[:0], w.buf[end:]...)
	}
	return len(p), nil
}

// Close writes what is buffered; it does not close the writer underneath.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	err := w.emit(w.buf)
	w.buf = w.buf[:0]
	return err
}

func (w *Writer) emit(b []byte) error {
	_, err := io.WriteString(w.w, w.set.String(string(b)))
	return err
}
