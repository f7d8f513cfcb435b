package run

import (
	"io"
	"strings"
	"sync"
)

// defaultTailBytes bounds a Tail without Bytes: a runaway line without
// newlines must not grow it without end.
const defaultTailBytes = 64 << 10

// Tail keeps the end of what a command writes, for its error: the last
// Lines lines (all, when Lines is 0) of at most the last Bytes bytes
// (64 KiB when 0). Writes may come from several goroutines, as a
// command's stdout and stderr copiers are.
type Tail struct {
	Lines int
	Bytes int

	mu  sync.Mutex
	buf []byte
}

// Write keeps p's end.
func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	limit := t.Bytes
	if limit <= 0 {
		limit = defaultTailBytes
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > limit {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-limit:]...)
	}
	return len(p), nil
}

// String returns what is kept, without a final newline.
func (t *Tail) String() string {
	t.mu.Lock()
	s := strings.TrimSuffix(string(t.buf), "\n")
	t.mu.Unlock()
	if t.Lines <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	if len(lines) > t.Lines {
		lines = lines[len(lines)-t.Lines:]
	}
	return strings.Join(lines, "\n")
}

// Tee returns the writer for both of a command's outputs: t alone, or t
// and w (when not nil) with writes serialised, so lines of stdout and
// stderr do not interleave mid-line in w.
func (t *Tail) Tee(w io.Writer) io.Writer {
	if w == nil {
		return t
	}
	return &locked{w: io.MultiWriter(t, w)}
}

// locked serialises writes to w.
type locked struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *locked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
