package httpretry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// window is the low-speed window of these tests: short, so a stalled
// transfer is caught within a second.
const window = 300 * time.Millisecond

// hangLimit bounds a test whose code under test might wait for ever: a
// hang then fails the test instead of blocking the run.
const hangLimit = 20 * time.Second

// trickle answers 200 and then one byte every 50ms until the client goes.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "100000")
	w.WriteHeader(http.StatusOK)
	for {
		if _, err := w.Write([]byte("x")); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func lowSpeedPolicy(attempts int) Policy {
	p := (&recorder{}).policy()
	p.Attempts = attempts
	p.LowSpeed = LowSpeed{Limit: 1024, Time: window}
	return p
}

// checkSlow checks that err is the low-speed abort of a request to u.
func checkSlow(t *testing.T, err error, u string, attempts int) {
	t.Helper()
	var slow *SlowError
	if !errors.As(err, &slow) {
		t.Fatalf("err = %v, want a *SlowError", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Attempts != attempts {
		t.Errorf("err = %v, want an *Error after %d attempts", err, attempts)
	}
	msg := err.Error()
	for _, want := range []string{u, "1024 bytes/s", "300ms"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error %q leaks the token", msg)
	}
}

func TestReadAbortsTrickledBody(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		trickle(w, r)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	defer cancel()
	calls := 0
	err := lowSpeedPolicy(2).Read(ctx, srv.Client(), get(srv.URL+"/f.whl?token=hunter2"), func(resp *http.Response) error {
		calls++
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	})
	checkSlow(t, err, srv.URL+"/f.whl", 2)
	t.Log(err)
	if calls != 2 || n.Load() != 2 {
		t.Errorf("read called %d times for %d requests, want the stalled body retried once", calls, n.Load())
	}
}

func TestReadAbortsSilentServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	defer cancel()
	err := lowSpeedPolicy(2).Read(ctx, srv.Client(), get(srv.URL+"/simple/"), func(resp *http.Response) error {
		t.Error("read called without an answer")
		return nil
	})
	checkSlow(t, err, srv.URL+"/simple/", 2)
}

func TestReadRetriesStalledBodyThenSucceeds(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			trickle(w, r)
			return
		}
		io.WriteString(w, "the whole body")
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	defer cancel()
	var got string
	err := lowSpeedPolicy(3).Read(ctx, srv.Client(), get(srv.URL), func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		got = string(b)
		return err
	})
	if err != nil || got != "the whole body" {
		t.Errorf("got %q, %v; want the second answer", got, err)
	}
}

// TestReadSteadyBodyLongerThanWindow checks that a transfer lasting
// several windows at a good rate is left alone.
func TestReadSteadyBodyLongerThanWindow(t *testing.T) {
	chunk := strings.Repeat("y", 16<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 10 {
			io.WriteString(w, chunk)
			w.(http.Flusher).Flush()
			time.Sleep(60 * time.Millisecond)
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	defer cancel()
	var size int64
	err := lowSpeedPolicy(1).Read(ctx, srv.Client(), get(srv.URL), func(resp *http.Response) error {
		var err error
		size, err = io.Copy(io.Discard, resp.Body)
		return err
	})
	if err != nil || size != 10*int64(len(chunk)) {
		t.Errorf("read %d bytes, err %v; want %d and no error", size, err, 10*len(chunk))
	}
}

// TestDoIsNotWatched checks that Do, whose caller reads the body at its
// own pace (an upload's answer after the index hashed the file), is not
// cut off by the low-speed limit.
func TestDoIsNotWatched(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 3 {
			io.WriteString(w, "z")
			w.(http.Flusher).Flush()
			time.Sleep(150 * time.Millisecond)
		}
	}))
	defer srv.Close()
	p := lowSpeedPolicy(1)
	p.LowSpeed.Time = 100 * time.Millisecond
	resp, err := p.Do(t.Context(), srv.Client(), get(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "zzz" {
		t.Errorf("got %q, %v; want \"zzz\"", b, err)
	}
}

func TestLowSpeedOff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		time.Sleep(2 * window)
		io.WriteString(w, "b")
	}))
	defer srv.Close()
	p := lowSpeedPolicy(1)
	p.LowSpeed.Limit = -1
	var got string
	err := p.Read(t.Context(), srv.Client(), get(srv.URL), func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		got = string(b)
		return err
	})
	if err != nil || got != "ab" {
		t.Errorf("got %q, %v; want \"ab\" with the limit off", got, err)
	}
}

// TestWatchCancelsContext checks the Watch used outside Read: its context
// ends with the *SlowError, which the counting reader reports.
func TestWatchCancelsContext(t *testing.T) {
	ctx, w := LowSpeed{Limit: 10, Time: 100 * time.Millisecond}.Watch(t.Context(), "s3://bucket/key")
	defer w.Stop()
	pr, pw := io.Pipe()
	go func() {
		<-ctx.Done()
		pw.CloseWithError(ctx.Err())
	}()
	_, err := io.Copy(io.Discard, w.Reader(pr))
	var slow *SlowError
	if !errors.As(err, &slow) || slow.URL != "s3://bucket/key" || slow.Limit != 10 {
		t.Fatalf("err = %#v, want a *SlowError for s3://bucket/key", err)
	}
	if cause := context.Cause(ctx); !errors.As(cause, &slow) {
		t.Errorf("context cause = %v, want the *SlowError", cause)
	}
}
