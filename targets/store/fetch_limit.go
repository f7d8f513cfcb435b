package store

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is wrapped when a download is longer than its known size or,
// for a file of unknown size, than FetchOptions.MaxSize: its reading stops
// there rather than when the disk is full.
var ErrTooLarge = errors.New("file too large")

// DefaultMaxSize is FetchOptions.MaxSize when unset: above any wheel or
// frozen program a release holds, far below a full disk.
const DefaultMaxSize = 2 << 30

// sizeLimit is how many bytes a download of src may have: its sidecar's
// size when known, else max.
func sizeLimit(src fetchSource, max int64) (limit int64, known bool) {
	if src.size >= 0 {
		return src.size, true
	}
	return max, false
}

// tooLarge is the error of a download of pw.src longer than limit:
// announced so (its Content-Length), or found so when reading, with
// announced -1.
func (pw *partWriter) tooLarge(limit int64, known bool, announced int64) error {
	what := "more than"
	if announced >= 0 {
		what = fmt.Sprintf("announced as %d bytes,", announced)
	}
	if known {
		// A size other than the sidecar's is also a mismatch, as callers
		// of fetch have always been told.
		if announced < 0 {
			what += " the"
		}
		return fmt.Errorf("store: fetch: %s from %s: %s expected %d bytes: %w: %w", pw.src.name, pw.src.source, what, limit, ErrTooLarge, ErrMismatch)
	}
	if announced >= 0 {
		what += " more than"
	}
	return fmt.Errorf("store: fetch: %s from %s: %s the limit of %d bytes for a file of unknown size: %w", pw.src.name, pw.src.source, what, limit, ErrTooLarge)
}

// readSidecarBytes reads a sidecar of at most maxSidecarBytes from r;
// where names it in errors.
func readSidecarBytes(r io.Reader, where string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSidecarBytes+1))
	if err != nil {
		return nil, fmt.Errorf("store: fetch: reading %s: %w", where, err)
	}
	if len(data) > maxSidecarBytes {
		return nil, fmt.Errorf("store: fetch: sidecar %s: more than %d bytes, where a sidecar has a few hundred: %w", where, maxSidecarBytes, ErrTooLarge)
	}
	return data, nil
}

// openWatched opens key in o.Store with the transfer watched by
// o.Retry.LowSpeed: a store server that sends a byte now and then is cut
// off with an *httpretry.SlowError. Closing the reader ends the watch.
func openWatched(ctx context.Context, o FetchOptions, key string) (io.ReadCloser, Object, error) {
	wctx, w := o.Retry.LowSpeed.Watch(ctx, o.Store.Location(key))
	rc, obj, err := o.Store.Open(wctx, key)
	if err != nil {
		w.Stop()
		if slow := w.Err(); slow != nil && ctx.Err() == nil {
			return nil, Object{}, fmt.Errorf("store: fetch: opening %s: %w", o.Store.Location(key), slow)
		}
		return nil, Object{}, err
	}
	return &watchedObject{Reader: w.Reader(rc), rc: rc, stop: w.Stop}, obj, nil
}

type watchedObject struct {
	io.Reader
	rc   io.Closer
	stop func()
}

func (o *watchedObject) Close() error {
	err := o.rc.Close()
	o.stop()
	return err
}
