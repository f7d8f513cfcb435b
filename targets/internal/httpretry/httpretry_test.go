package httpretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a Policy whose sleeps return at once and are remembered.
type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (r *recorder) policy() Policy {
	return Policy{
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.sleeps = append(r.sleeps, d)
			return ctx.Err()
		},
		Rand: func() float64 { return 0.5 },
	}
}

func get(u string) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	}
}

// sequence answers request i with statuses[i], the last one repeating.
func sequence(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		w.WriteHeader(status)
		fmt.Fprintf(w, "answer %d", i+1)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestDoRetries503(t *testing.T) {
	srv, n := sequence(t, 503, 200)
	var rec recorder
	resp, err := rec.policy().Do(t.Context(), srv.Client(), get(srv.URL+"/f"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "answer 2" {
		t.Errorf("got %d %q, want 200 \"answer 2\"", resp.StatusCode, body)
	}
	if n.Load() != 2 || len(rec.sleeps) != 1 {
		t.Errorf("requests=%d sleeps=%v, want 2 requests and 1 sleep", n.Load(), rec.sleeps)
	}
	// Full jitter with Rand()=0.5 on the first retry: half of Base.
	if want := DefaultBase / 2; rec.sleeps[0] != want {
		t.Errorf("slept %v, want %v", rec.sleeps[0], want)
	}
}

func TestDoHonoursRetryAfter(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	var rec recorder
	p := rec.policy()
	p.Base = time.Millisecond
	resp, err := p.Do(t.Context(), srv.Client(), get(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.sleeps) != 1 || rec.sleeps[0] < time.Second {
		t.Errorf("sleeps %v, want one of at least 1s", rec.sleeps)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		header string
		want   time.Duration
		ok     bool
	}{
		"seconds":     {header: "7", want: 7 * time.Second, ok: true},
		"zero":        {header: "0", want: 0, ok: true},
		"date":        {header: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second, ok: true},
		"date passed": {header: now.Add(-time.Hour).Format(http.TimeFormat), want: 0, ok: true},
		"empty":       {header: "", ok: false},
		"negative":    {header: "-3", ok: false},
		"garbage":     {header: "soon", ok: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := retryAfter(tc.header, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(503)
	}))
	defer srv.Close()
	var rec recorder
	p := rec.policy()
	p.Attempts, p.Max = 2, time.Second
	resp, err := p.Do(t.Context(), srv.Client(), get(srv.URL))
	if err == nil {
		t.Fatal("want an error after two 503s")
	}
	resp.Body.Close()
	if len(rec.sleeps) != 1 || rec.sleeps[0] != 4*time.Second {
		t.Errorf("sleeps %v, want [4s] (4*Max)", rec.sleeps)
	}
}

func TestBackoff(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second, Rand: func() float64 { return 0.999999 }}.withDefaults()
	tests := map[string]struct {
		attempt int
		want    time.Duration
	}{
		"first":    {attempt: 1, want: 100 * time.Millisecond},
		"second":   {attempt: 2, want: 200 * time.Millisecond},
		"fourth":   {attempt: 4, want: 800 * time.Millisecond},
		"capped":   {attempt: 5, want: time.Second},
		"overflow": {attempt: 80, want: time.Second},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := p.backoff(tc.attempt)
			if got > tc.want || got < tc.want*99/100 {
				t.Errorf("backoff(%d) = %v, want just under %v", tc.attempt, got, tc.want)
			}
		})
	}
	p.Rand = func() float64 { return 0 }
	if got := p.backoff(3); got != 0 {
		t.Errorf("backoff with Rand()=0 = %v, want 0 (full jitter)", got)
	}
}

// hijackFirst answers the first n requests by writing a status line, headers
// announcing 1000 bytes and 10 of them, then closing the connection.
func hijackFirst(t *testing.T, n int32, whole string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var count atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
			buf.Flush()
			conn.Close()
			return
		}
		io.WriteString(w, whole)
	}))
	t.Cleanup(srv.Close)
	return srv, &count
}

func TestReadRetriesBrokenBody(t *testing.T) {
	srv, count := hijackFirst(t, 2, "the whole body")
	var rec recorder
	var got []string
	err := rec.policy().Read(t.Context(), srv.Client(), get(srv.URL), func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		got = append(got, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if count.Load() != 3 || len(rec.sleeps) != 2 {
		t.Errorf("requests=%d sleeps=%d, want 3 and 2", count.Load(), len(rec.sleeps))
	}
	if last := got[len(got)-1]; last != "the whole body" || len(got) != 3 {
		t.Errorf("read calls saw %q, want three calls ending with the whole body", got)
	}
}

func TestReadBrokenBodyExhausts(t *testing.T) {
	srv, count := hijackFirst(t, 100, "")
	var rec recorder
	p := rec.policy()
	p.Attempts = 3
	err := p.Read(t.Context(), srv.Client(), get(srv.URL+"/big.whl"), func(resp *http.Response) error {
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	})
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 3 || !strings.Contains(err.Error(), "/big.whl") || !strings.Contains(err.Error(), "reading the body") {
		t.Fatalf("err = %v, want an *Error after 3 attempts naming the URL and the broken body", err)
	}
	if count.Load() != 3 {
		t.Errorf("requests = %d, want 3", count.Load())
	}
}

func TestReadOwnErrorNotRetried(t *testing.T) {
	srv, n := sequence(t, 200)
	var rec recorder
	mine := errors.New("checksum mismatch")
	err := rec.policy().Read(t.Context(), srv.Client(), get(srv.URL), func(resp *http.Response) error {
		_, _ = io.ReadAll(resp.Body)
		return mine
	})
	if !errors.Is(err, mine) || n.Load() != 1 {
		t.Errorf("err=%v requests=%d, want the read error after 1 request", err, n.Load())
	}
}

func TestReadStatus(t *testing.T) {
	srv, _ := sequence(t, 404)
	var rec recorder
	called := false
	err := rec.policy().Read(t.Context(), srv.Client(), get(srv.URL+"/x.json"), func(*http.Response) error {
		called = true
		return nil
	})
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 404 || called {
		t.Errorf("err=%v called=%v, want an *Error with StatusCode 404 and read not called", err, called)
	}
}

func TestDoConnectionClosedBeforeAnswer(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	var rec recorder
	resp, err := rec.policy().Do(t.Context(), srv.Client(), get(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n.Load() != 3 || len(rec.sleeps) != 2 {
		t.Errorf("requests=%d sleeps=%d, want 3 and 2", n.Load(), len(rec.sleeps))
	}
}

func TestDo404NotRetried(t *testing.T) {
	srv, n := sequence(t, 404, 200)
	var rec recorder
	resp, err := rec.policy().Do(t.Context(), srv.Client(), get(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || string(body) != "answer 1" || n.Load() != 1 || len(rec.sleeps) != 0 {
		t.Errorf("got %d %q after %d requests and %d sleeps, want the first 404 unread, 1 request, no sleep", resp.StatusCode, body, n.Load(), len(rec.sleeps))
	}
}

func TestDoAttemptsExhausted(t *testing.T) {
	srv, n := sequence(t, 502)
	var rec recorder
	p := rec.policy()
	p.Attempts = 3
	u := srv.URL + "/simple/foo/?token=hunter2"
	resp, err := p.Do(t.Context(), srv.Client(), get(u))
	if resp == nil {
		t.Fatal("want the last response returned")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "answer 3" {
		t.Errorf("body %q, want the last response unread (\"answer 3\")", body)
	}
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"GET", srv.URL + "/simple/foo/", "502 Bad Gateway", "3 attempts"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error %q leaks the token", msg)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d, want 3", n.Load())
	}
}

func TestDoConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	var rec recorder
	p := rec.policy()
	p.Attempts = 2
	_, err := p.Do(t.Context(), nil, get("http://user:pw@"+strings.TrimPrefix(u, "http://")+"/x?X-Amz-Signature=abc"))
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 2 || e.Err == nil {
		t.Fatalf("err = %#v, want an *Error with the connection error after 2 attempts", err)
	}
	if msg := err.Error(); strings.Contains(msg, "pw") || strings.Contains(msg, "abc") {
		t.Errorf("error %q leaks a secret", msg)
	}
}

func TestDoUntrustedCertificateNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	var rec recorder
	_, err := rec.policy().Do(t.Context(), &http.Client{}, get(srv.URL))
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 1 || len(rec.sleeps) != 0 || n.Load() != 0 {
		t.Errorf("err=%v sleeps=%v, want an *Error after 1 attempt and no sleep", err, rec.sleeps)
	}
}

func TestDoContextCancelStopsPromptly(t *testing.T) {
	srv, _ := sequence(t, 503)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	p := Policy{Attempts: 100, Base: time.Minute, Max: time.Minute}
	start := time.Now()
	resp, err := p.Do(ctx, srv.Client(), get(srv.URL))
	if resp != nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Do took %v after cancel, want prompt return", d)
	}
}

func TestDoContextCancelDuringRequest(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var rec recorder
	_, err := rec.policy().Do(ctx, srv.Client(), get(srv.URL))
	var e *Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &e) || e.Attempts != 1 {
		t.Errorf("err = %v, want DeadlineExceeded after 1 attempt", err)
	}
}

func TestRedact(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"plain":     {in: "https://example.test/simple/foo/", want: "https://example.test/simple/foo/"},
		"userinfo":  {in: "https://__token__:pypi-abc@example.test/legacy/", want: "https://example.test/legacy/"},
		"user only": {in: "https://ghp_secret@example.test/x", want: "https://example.test/x"},
		"presigned": {
			in:   "https://b.example.test/k.whl?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ff&X-Amz-Security-Token=tt&x-id=GetObject",
			want: "https://b.example.test/k.whl?X-Amz-Algorithm=AWS4&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED&x-id=GetObject",
		},
		"api key":        {in: "http://h/p?api_key=1&page=2", want: "http://h/p?api_key=REDACTED&page=2"},
		"escaped key":    {in: "http://h/p?access%5Ftoken=1", want: "http://h/p?access%5Ftoken=REDACTED"},
		"key no value":   {in: "http://h/p?token", want: "http://h/p?token"},
		"fragment kept":  {in: "http://h/f.whl?sig=1#sha256=ab", want: "http://h/f.whl?sig=REDACTED#sha256=ab"},
		"case":           {in: "http://h/p?Signature=1", want: "http://h/p?Signature=REDACTED"},
		"file":           {in: "file:///srv/index.html", want: "file:///srv/index.html"},
		"empty password": {in: "http://u:@h/", want: "http://h/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			before := u.String()
			if got := Redact(u); got != tc.want {
				t.Errorf("Redact(%s) = %s, want %s", tc.in, got, tc.want)
			}
			if after := u.String(); after != before {
				t.Errorf("Redact changed its argument from %s to %s", before, after)
			}
		})
	}
	if got := Redact(nil); got != "" {
		t.Errorf("Redact(nil) = %q, want \"\"", got)
	}
}

func TestDoNewReqErrorNotRetried(t *testing.T) {
	var rec recorder
	calls := 0
	_, err := rec.policy().Do(t.Context(), nil, func(context.Context) (*http.Request, error) {
		calls++
		return nil, errors.New("cannot open body")
	})
	if err == nil || calls != 1 || !strings.Contains(err.Error(), "cannot open body") {
		t.Errorf("err=%v calls=%d, want the newReq error after one call", err, calls)
	}
}

func TestDoReopensBodyPerAttempt(t *testing.T) {
	var bodies []string
	var mu sync.Mutex
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if n.Add(1) == 1 {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	var rec recorder
	resp, err := rec.policy().Do(t.Context(), srv.Client(), func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("payload"))
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(bodies) != 2 || bodies[0] != "payload" || bodies[1] != "payload" {
		t.Errorf("server saw bodies %q, want the payload twice", bodies)
	}
}
