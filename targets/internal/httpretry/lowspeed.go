package httpretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// LowSpeed aborts a transfer that crawls, as curl's --speed-limit and
// --speed-time do. A server sending a byte every few seconds never trips
// a connection error or an idle timeout, so without it a download (and
// the job waiting on it) could last for ever. The zero value is usable:
// unset fields take their defaults.
type LowSpeed struct {
	// Limit is the lowest acceptable rate in bytes per second, averaged
	// over Time; default 1 KiB/s. A negative Limit turns the check off.
	Limit int64
	// Time is the window the rate is averaged over, and so the longest a
	// stalled transfer lasts; default 30s.
	Time time.Duration
}

// Defaults of LowSpeed.
const (
	DefaultLowSpeedLimit = 1 << 10
	DefaultLowSpeedTime  = 30 * time.Second
)

// lowSpeedSamples is how many times per window the rate is looked at: a
// stalled transfer is caught at most Time/lowSpeedSamples late.
const lowSpeedSamples = 5

func (l LowSpeed) withDefaults() LowSpeed {
	if l.Limit == 0 {
		l.Limit = DefaultLowSpeedLimit
	}
	if l.Time <= 0 {
		l.Time = DefaultLowSpeedTime
	}
	return l
}

// SlowError is a transfer that LowSpeed aborted: over the last Time it
// received Bytes, fewer than Limit bytes per second. Errors wrapping it
// name the URL; it is a transient failure, retried like a broken
// connection.
type SlowError struct {
	URL   string        // redacted with Redact, or a store location
	Bytes int64         // received during the window
	Limit int64         // bytes per second
	Time  time.Duration // the window
}

func (e *SlowError) Error() string {
	rate := float64(e.Bytes) / e.Time.Seconds()
	return fmt.Sprintf("transfer stalled: %.1f bytes/s over the last %s (%d bytes), below the low-speed limit of %d bytes/s",
		rate, e.Time, e.Bytes, e.Limit)
}

// Watch times one transfer for LowSpeed.
type Watch struct {
	mu      sync.Mutex
	n       int64 // bytes counted so far
	err     *SlowError
	stopped bool
	stop    chan struct{}
	cancel  context.CancelCauseFunc
}

// Watch starts timing a transfer from where (a URL redacted with Redact,
// or a store location). The context it returns is ctx, cancelled with a
// *SlowError when the bytes counted through the Watch stay below the
// limit for a whole window: make the request with it, so that a read
// blocked on a silent server returns. Stop ends the watch and cancels
// the context; call it when the transfer is over.
func (l LowSpeed) Watch(ctx context.Context, where string) (context.Context, *Watch) {
	wctx, cancel := context.WithCancelCause(ctx)
	return wctx, l.watch(wctx, cancel, where)
}

func (l LowSpeed) watch(ctx context.Context, cancel context.CancelCauseFunc, where string) *Watch {
	w := &Watch{stop: make(chan struct{}), cancel: cancel}
	l = l.withDefaults()
	if l.Limit < 0 {
		return w
	}
	go w.run(ctx, l, where)
	return w
}

// run samples the byte count lowSpeedSamples times per window and trips
// when the bytes of the last full window are below the limit. A transfer
// shorter than the window is never judged.
func (w *Watch) run(ctx context.Context, l LowSpeed, where string) {
	t := time.NewTicker(max(l.Time/lowSpeedSamples, time.Millisecond))
	defer t.Stop()
	var ring [lowSpeedSamples]int64 // ring[i%len] is the count at tick i; tick 0 is the start
	least := float64(l.Limit) * l.Time.Seconds()
	for tick := 1; ; tick++ {
		select {
		case <-w.stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.mu.Lock()
		now := w.n
		w.mu.Unlock()
		slot := tick % lowSpeedSamples
		if got := now - ring[slot]; tick >= lowSpeedSamples && float64(got) < least {
			err := &SlowError{URL: where, Bytes: got, Limit: l.Limit, Time: l.Time}
			w.mu.Lock()
			if !w.stopped {
				w.err = err
			}
			w.mu.Unlock()
			w.cancel(err)
			return
		}
		ring[slot] = now
	}
}

// Add counts n bytes received.
func (w *Watch) Add(n int) {
	w.mu.Lock()
	w.n += int64(n)
	w.mu.Unlock()
}

// Err is the *SlowError once the watch tripped, else nil.
func (w *Watch) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		return nil
	}
	return w.err
}

// Stop ends the watch and cancels its context. It may be called more
// than once.
func (w *Watch) Stop() {
	w.mu.Lock()
	if !w.stopped {
		w.stopped = true
		close(w.stop)
	}
	w.mu.Unlock()
	w.cancel(context.Canceled)
}

// Reader returns r counting into the watch. Once the watch tripped, the
// error of a read (whatever the aborted transfer reports) is the
// *SlowError, so that messages say why the transfer ended.
func (w *Watch) Reader(r io.Reader) io.Reader { return &watchReader{r: r, w: w} }

type watchReader struct {
	r io.Reader
	w *Watch
}

func (r *watchReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.w.Add(n)
	if err != nil && !errors.Is(err, io.EOF) {
		if slow := r.w.Err(); slow != nil {
			err = slow
		}
	}
	return n, err
}

// watchBody is a response body counted by a Watch that ends the watch
// when it is closed.
type watchBody struct {
	io.Reader
	rc io.ReadCloser
	w  *Watch
}

func (b *watchBody) Close() error {
	err := b.rc.Close()
	b.w.Stop()
	return err
}
