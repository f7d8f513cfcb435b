// Package httpretry sends HTTP requests again when the failure is one that
// waiting can fix: a dropped connection, a 5xx answer, or a 429 asking the
// client to slow down. Everything else (a 404, a bad token) comes back at
// once, because asking again would only delay the same answer.
package httpretry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Policy says how often and how long to retry. The zero value is usable:
// unset fields take their defaults.
type Policy struct {
	Attempts int           // tries in all, the first included; default 5
	Base     time.Duration // backoff before the second try; default 500ms
	Max      time.Duration // longest backoff; default 10s. Retry-After is capped at 4*Max
	// Sleep waits d or until ctx is done; tests replace it to record waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for jitter; tests replace it.
	Rand func() float64
	// LowSpeed aborts a request of Read whose answer crawls, from the
	// request sent to the last byte of the body; Do, whose caller reads
	// the body, is not watched.
	LowSpeed LowSpeed
}

// Defaults of Policy.
const (
	DefaultAttempts = 5
	DefaultBase     = 500 * time.Millisecond
	DefaultMax      = 10 * time.Second
)

// drainLimit is how much of a retried response's body is read so the
// connection can be reused; larger bodies are cut off with the connection.
const drainLimit = 64 << 10

// Error reports a request that failed for good. It names the request with
// secrets redacted, so it can be logged as is.
type Error struct {
	Method     string
	URL        string // redacted with Redact
	Attempts   int    // tries made
	StatusCode int    // last status; 0 when the last try got no response
	Status     string // last status line, such as "503 Service Unavailable"
	Err        error  // last connection error or context error; nil after a status
}

func (e *Error) Error() string {
	tries := "attempt"
	if e.Attempts != 1 {
		tries = "attempts"
	}
	if e.Err == nil {
		return fmt.Sprintf("httpretry: %s %s: %s after %d %s", e.Method, e.URL, e.Status, e.Attempts, tries)
	}
	return fmt.Sprintf("httpretry: %s %s: after %d %s: %v", e.Method, e.URL, e.Attempts, tries, e.Err)
}

// Unwrap gives the connection or context error, so errors.Is(err,
// context.Canceled) holds for a cancelled request.
func (e *Error) Unwrap() error { return e.Err }

func (p Policy) withDefaults() Policy {
	if p.Attempts <= 0 {
		p.Attempts = DefaultAttempts
	}
	if p.Base <= 0 {
		p.Base = DefaultBase
	}
	if p.Max <= 0 {
		p.Max = DefaultMax
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Do sends the request made by newReq, which is called once per attempt so
// that a request body can be opened afresh. It retries with exponential
// backoff and full jitter on connection errors, 5xx and 429, honouring
// Retry-After; never on other statuses nor when ctx is done.
//
// A response that is not retried is returned unread with a nil error; the
// caller checks its status and closes its body. When the attempts are spent
// on a retryable status, Do returns that last response unread AND an
// *Error naming it, so a caller can still read what the server said: close
// resp.Body whenever resp is not nil. Every other failure is an *Error and
// a nil response.
func (p Policy) Do(ctx context.Context, c *http.Client, newReq func(ctx context.Context) (*http.Request, error)) (*http.Response, error) {
	resp, _, err := p.withDefaults().do(ctx, c, newReq, 1, false)
	return resp, err
}

// do is Do counting tries from first; it also returns the number of the
// try that produced its result. With watch, each try is watched by
// p.LowSpeed until the body of the response returned is closed.
func (p Policy) do(ctx context.Context, c *http.Client, newReq func(ctx context.Context) (*http.Request, error), first int, watch bool) (*http.Response, int, error) {
	if c == nil {
		c = http.DefaultClient
	}
	c = guarded(c)
	for attempt := first; ; attempt++ {
		actx, cancel := context.WithCancelCause(ctx)
		req, err := newReq(actx)
		if err != nil {
			cancel(nil)
			return nil, attempt, fmt.Errorf("httpretry: making request: %w", err)
		}
		fail := func(last *http.Response, err error) *Error {
			e := &Error{Method: req.Method, URL: Redact(req.URL), Attempts: attempt, Err: err}
			if last != nil {
				e.StatusCode, e.Status = last.StatusCode, last.Status
			}
			return e
		}
		w := &Watch{stop: make(chan struct{}), cancel: cancel} // a watch that never trips
		if watch {
			w = p.LowSpeed.watch(actx, cancel, Redact(req.URL))
		}
		resp, err := c.Do(req)
		if err == nil {
			// The body is read under the attempt's context: closing it ends both.
			resp.Body = &watchBody{Reader: w.Reader(resp.Body), rc: resp.Body, w: w}
		}
		var wait time.Duration
		switch {
		case err != nil:
			w.Stop()
			if ctx.Err() != nil {
				return nil, attempt, fail(nil, context.Cause(ctx))
			}
			err = unwrapURLError(err)
			if slow := w.Err(); slow != nil {
				err = slow
			}
			if attempt >= p.Attempts || permanent(err) {
				return nil, attempt, fail(nil, err)
			}
			wait = p.backoff(attempt)
		case !Retryable(resp.StatusCode):
			return resp, attempt, nil
		case attempt >= p.Attempts:
			return resp, attempt, fail(resp, nil)
		default:
			wait = p.backoff(attempt)
			if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = min(d, 4*p.Max)
			}
			discard(resp)
		}
		if err := p.Sleep(ctx, wait); err != nil {
			return nil, attempt, fail(nil, err)
		}
	}
}

// Read is Do for a caller that consumes the whole body: read is called with
// each 2xx response and Read closes its body afterwards. When the body
// breaks off while read is receiving it, or the answer crawls below
// p.LowSpeed (a *SlowError), the whole request is retried as for a
// connection error, so read must start over each time it is called
// (truncate what it wrote). An error of read's own (a full disk, a wrong
// checksum) is returned as is, without retrying. A final status other than
// 2xx is an *Error with StatusCode set, so callers can branch on 404.
func (p Policy) Read(ctx context.Context, c *http.Client, newReq func(ctx context.Context) (*http.Request, error), read func(resp *http.Response) error) error {
	p = p.withDefaults()
	for next := 1; ; {
		resp, attempt, err := p.do(ctx, c, newReq, next, true)
		if err != nil {
			if resp != nil {
				discard(resp)
			}
			return err
		}
		fail := func(err error) *Error {
			e := &Error{Method: resp.Request.Method, URL: Redact(resp.Request.URL), Attempts: attempt, Err: err}
			if err == nil {
				e.StatusCode, e.Status = resp.StatusCode, resp.Status
			}
			return e
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			discard(resp)
			return fail(nil)
		}
		body := &watchedBody{r: resp.Body}
		resp.Body = body
		err = read(resp)
		_ = body.r.Close()
		if err == nil {
			return nil
		}
		if body.err == nil || ctx.Err() != nil {
			return err
		}
		// The body broke off: the server or the network failed, not read.
		if attempt >= p.Attempts {
			return fail(fmt.Errorf("reading the body: %w", unwrapURLError(body.err)))
		}
		if err := p.Sleep(ctx, p.backoff(attempt)); err != nil {
			return fail(err)
		}
		next = attempt + 1
	}
}

// Retryable reports whether a status is worth asking again for: every 5xx
// (a server restarting or overloaded) and 429 Too Many Requests.
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500 && status <= 599
}

// watchedBody remembers the first error other than EOF from the body, which
// is how Read tells a broken connection from an error of the caller's own.
type watchedBody struct {
	r   io.ReadCloser
	err error
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *watchedBody) Close() error { return b.r.Close() }

// backoff is full jitter: a uniform wait up to Base*2^(attempt-1), capped
// at Max, so clients that failed together do not come back together.
func (p Policy) backoff(attempt int) time.Duration {
	ceiling := p.Max
	if shift := attempt - 1; shift < 30 {
		if d := p.Base << shift; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return time.Duration(p.Rand() * float64(ceiling))
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	_ = resp.Body.Close()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// unwrapURLError drops net/http's *url.Error wrapper, whose message repeats
// the URL with its query secrets; Error names the URL redacted instead.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// permanent reports connection errors that no retry can fix: a server
// certificate that is not trusted, or a server that does not speak TLS.
func permanent(err error) bool {
	var verify *tls.CertificateVerificationError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	return errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &record)
}
