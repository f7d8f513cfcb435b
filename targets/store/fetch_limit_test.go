package store

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// hangLimit bounds a fetch that might wait for ever: a hang then fails
// the test instead of blocking the run.
const hangLimit = 20 * time.Second

// endlessCap is where an "endless" body of these tests really ends, so
// that code reading it all only fills the disk that much.
const endlessCap = 64 << 20

// slowPolicy retries at once and cuts off transfers below 1 KiB/s over
// 300ms.
func slowPolicy(attempts int) httpretry.Policy {
	p := noWait
	p.Attempts = attempts
	p.LowSpeed = httpretry.LowSpeed{Limit: 1024, Time: 300 * time.Millisecond}
	return p
}

// endless writes 32 KiB chunks until the client hangs up (or endlessCap)
// and returns how many bytes it wrote.
func endless(w http.ResponseWriter, r *http.Request) int64 {
	chunk := []byte(strings.Repeat("e", 32<<10))
	var n int64
	for n < endlessCap && r.Context().Err() == nil {
		m, err := w.Write(chunk)
		n += int64(m)
		if err != nil {
			break
		}
	}
	return n
}

// trickle writes a byte every 50ms until the client hangs up.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	for {
		if _, err := w.Write([]byte("t")); err != nil {
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

func fetchCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	t.Cleanup(cancel)
	return ctx
}

// checkNothingLeft checks that dir holds no file, temporary or not.
func checkNothingLeft(t *testing.T, dir string) {
	t.Helper()
	if es := dirEntries(t, dir); len(es) != 0 {
		t.Errorf("dir holds %q, want nothing", es)
	}
}

// TestFetchStopsPastKnownSize checks that a download longer than its
// sidecar says is cut off one byte past that size, whatever the server
// announces, and leaves nothing behind.
func TestFetchStopsPastKnownSize(t *testing.T) {
	data := []byte("0123456789")
	sc := Sidecar{Project: "foo", Version: "1.0", Kind: dist.KindSdist, Size: int64(len(data)), SHA256: sha(data), File: "foo-1.0.tar.gz"}
	tests := map[string]struct {
		serve func(w http.ResponseWriter, r *http.Request) int64
		want  string
	}{
		"endless body": {
			serve: endless,
			want:  "more than the expected 10 bytes",
		},
		"longer Content-Length": {
			serve: func(w http.ResponseWriter, r *http.Request) int64 {
				w.Header().Set("Content-Length", strconv.Itoa(endlessCap))
				return endless(w, r)
			},
			want: "announced as 67108864 bytes, expected 10 bytes",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var wrote atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/simple/foo/":
					io.WriteString(w, `<a href="/f/foo-1.0.tar.gz">foo-1.0.tar.gz</a>`)
				case "/f/foo-1.0.tar.gz.json":
					w.Write(sc.Marshal())
				default:
					wrote.Store(tc.serve(w, r))
				}
			}))
			defer srv.Close()
			dir := t.TempDir()
			_, err := Fetch(fetchCtx(t), FetchOptions{IndexURL: srv.URL + "/simple/foo/", Project: "foo", Version: "1.0", Dir: dir, Retry: noWait})
			if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrMismatch) {
				t.Fatalf("err = %v, want ErrTooLarge and ErrMismatch", err)
			}
			for _, want := range []string{"foo-1.0.tar.gz from " + srv.URL + "/f/foo-1.0.tar.gz", tc.want} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			srv.Close() // waits for the handler
			if n := wrote.Load(); n >= endlessCap {
				t.Errorf("the server wrote all of its %d bytes: the download was not cut off", n)
			}
			checkNothingLeft(t, dir)
		})
	}
}

// TestFetchCapsUnknownSize checks that a file known only by its hash stops
// at MaxSize.
func TestFetchCapsUnknownSize(t *testing.T) {
	tests := map[string]struct {
		serve func(w http.ResponseWriter, r *http.Request) int64
		want  string
	}{
		"endless body": {
			serve: endless,
			want:  "more than the limit of 1048576 bytes for a file of unknown size",
		},
		"announced": {
			serve: func(w http.ResponseWriter, r *http.Request) int64 {
				w.Header().Set("Content-Length", strconv.Itoa(endlessCap))
				return endless(w, r)
			},
			want: "announced as 67108864 bytes, more than the limit of 1048576 bytes for a file of unknown size",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var wrote atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/simple/foo/" {
					io.WriteString(w, `<a href="/f/foo-1.0.tar.gz#sha256=`+hashA+`">foo-1.0.tar.gz</a>`)
					return
				}
				wrote.Store(tc.serve(w, r))
			}))
			defer srv.Close()
			dir := t.TempDir()
			_, err := Fetch(fetchCtx(t), FetchOptions{IndexURL: srv.URL + "/simple/foo/", Project: "foo", Version: "1.0", Dir: dir, Retry: noWait, MaxSize: 1 << 20})
			if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMismatch) {
				t.Fatalf("err = %v, want ErrTooLarge alone", err)
			}
			if !strings.Contains(err.Error(), "foo-1.0.tar.gz from ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name the file and say %q", err, tc.want)
			}
			srv.Close()
			if n := wrote.Load(); n >= endlessCap {
				t.Errorf("the server wrote all of its %d bytes: the download was not cut off", n)
			}
			checkNothingLeft(t, dir)
		})
	}
}

// TestFetchIndexStalled checks that a page, a sidecar or a file served a
// byte now and then fails the fetch with the low-speed error, after the
// retries, naming the URL.
func TestFetchIndexStalled(t *testing.T) {
	data := []byte(strings.Repeat("sdist", 1000)) // more than a trickle sends in a window
	sc := Sidecar{Project: "foo", Version: "1.0", Kind: dist.KindSdist, Size: int64(len(data)), SHA256: sha(data), File: "foo-1.0.tar.gz"}
	for _, stalled := range []string{"/simple/foo/", "/f/foo-1.0.tar.gz.json", "/f/foo-1.0.tar.gz"} {
		t.Run(stalled, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == stalled {
					hits.Add(1)
					trickle(w, r)
					return
				}
				switch r.URL.Path {
				case "/simple/foo/":
					io.WriteString(w, `<a href="/f/foo-1.0.tar.gz">foo-1.0.tar.gz</a>`)
				case "/f/foo-1.0.tar.gz.json":
					w.Write(sc.Marshal())
				default:
					w.Write(data)
				}
			}))
			defer srv.Close()
			dir := t.TempDir()
			_, err := Fetch(fetchCtx(t), FetchOptions{IndexURL: srv.URL + "/simple/foo/?token=hunter2", Project: "foo", Version: "1.0", Dir: dir, Retry: slowPolicy(2)})
			var slow *httpretry.SlowError
			if !errors.As(err, &slow) {
				t.Fatalf("err = %v, want a *httpretry.SlowError", err)
			}
			msg := err.Error()
			for _, want := range []string{srv.URL + stalled, "1024 bytes/s", "300ms"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error %q leaks the token", msg)
			}
			if hits.Load() != 2 {
				t.Errorf("%s asked %d times, want 2 (the stalled transfer retried)", stalled, hits.Load())
			}
			checkNothingLeft(t, dir)
		})
	}
}

// fakeS3 is just enough of S3 for a store's List and Open, with objects
// whose GET is answered by a handler of the test's.
type fakeS3 struct {
	*httptest.Server
	mu   sync.Mutex
	objs map[string]func(w http.ResponseWriter, r *http.Request)
	size map[string]int64
}

func newFakeS3(t *testing.T) *fakeS3 {
	f := &fakeS3{objs: map[string]func(http.ResponseWriter, *http.Request){}, size: map[string]int64{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeS3) put(key string, size int64, serve func(w http.ResponseWriter, r *http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objs[key], f.size[key] = serve, size
}

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket != "bucket" {
		http.Error(w, "no such bucket", http.StatusNotFound)
		return
	}
	f.mu.Lock()
	defer func() {
		if serve := f.objs[key]; key != "" && serve != nil {
			f.mu.Unlock()
			serve(w, r)
		}
	}()
	if key != "" {
		if f.objs[key] == nil {
			f.mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<Error><Code>NoSuchKey</Code></Error>`)
		}
		return
	}
	type content struct {
		Key          string
		Size         int64
		LastModified string
	}
	list := struct {
		XMLName     xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name        string
		Prefix      string
		KeyCount    int
		IsTruncated bool
		Contents    []content
	}{Name: bucket, Prefix: r.URL.Query().Get("prefix")}
	for k, size := range f.size {
		if strings.HasPrefix(k, list.Prefix) {
			list.Contents = append(list.Contents, content{Key: k, Size: size, LastModified: "2026-01-01T00:00:00.000Z"})
		}
	}
	f.mu.Unlock()
	list.KeyCount = len(list.Contents)
	w.Header().Set("Content-Type", "application/xml")
	xml.NewEncoder(w).Encode(list)
}

func fakeS3Store(t *testing.T, f *fakeS3) *S3 {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PROFILE": "",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "",
	} {
		t.Setenv(k, v)
	}
	st, err := NewS3(t.Context(), S3Options{Bucket: "bucket", Endpoint: f.URL, PathStyle: true, PathStyleSet: true, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestFetchS3Stalled checks fetch from an S3 store whose server sends an
// object's bytes one by one: the low-speed limit cuts it off, naming the
// object, where nothing else would.
func TestFetchS3Stalled(t *testing.T) {
	data := []byte(strings.Repeat("sdist", 1000)) // more than a trickle sends in a window
	sc := Sidecar{Project: "foo", Version: "1.0", Kind: dist.KindSdist, Size: int64(len(data)), SHA256: sha(data), File: "foo-1.0.tar.gz"}
	for _, stalled := range []string{"snapshots/v1.0/foo-1.0.tar.gz", "snapshots/v1.0/foo-1.0.tar.gz.json"} {
		t.Run(stalled, func(t *testing.T) {
			f := newFakeS3(t)
			serveBytes := func(b []byte) func(http.ResponseWriter, *http.Request) {
				return func(w http.ResponseWriter, r *http.Request) { w.Write(b) }
			}
			f.put("snapshots/v1.0/foo-1.0.tar.gz", int64(len(data)), serveBytes(data))
			f.put("snapshots/v1.0/foo-1.0.tar.gz.json", int64(len(sc.Marshal())), serveBytes(sc.Marshal()))
			f.put(stalled, 1000, trickle)
			st := fakeS3Store(t, f)
			dir := t.TempDir()
			_, err := Fetch(fetchCtx(t), FetchOptions{Store: st, Project: "foo", Version: "1.0", Dir: dir, Retry: slowPolicy(1)})
			var slow *httpretry.SlowError
			if !errors.As(err, &slow) {
				t.Fatalf("err = %v, want a *httpretry.SlowError", err)
			}
			if !strings.Contains(err.Error(), "s3://bucket/"+stalled) || !strings.Contains(err.Error(), "1024 bytes/s") {
				t.Errorf("error %q does not name s3://bucket/%s and the limit", err, stalled)
			}
			checkNothingLeft(t, dir)
		})
	}
}

// TestFetchS3StopsPastKnownSize is a lying sidecar in S3: the object goes
// on and on.
func TestFetchS3StopsPastKnownSize(t *testing.T) {
	data := []byte("sdist")
	sc := Sidecar{Project: "foo", Version: "1.0", Kind: dist.KindSdist, Size: int64(len(data)), SHA256: sha(data), File: "foo-1.0.tar.gz"}
	f := newFakeS3(t)
	var wrote atomic.Int64
	f.put("snapshots/v1.0/foo-1.0.tar.gz", endlessCap, func(w http.ResponseWriter, r *http.Request) { wrote.Store(endless(w, r)) })
	f.put("snapshots/v1.0/foo-1.0.tar.gz.json", int64(len(sc.Marshal())), func(w http.ResponseWriter, r *http.Request) { w.Write(sc.Marshal()) })
	st := fakeS3Store(t, f)
	dir := t.TempDir()
	_, err := Fetch(fetchCtx(t), FetchOptions{Store: st, Project: "foo", Version: "1.0", Dir: dir, Retry: slowPolicy(1)})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "foo-1.0.tar.gz from s3://bucket/snapshots/v1.0/foo-1.0.tar.gz: more than the expected 5 bytes") {
		t.Errorf("err = %v, want ErrTooLarge naming the file and its size", err)
	}
	f.Close()
	if n := wrote.Load(); n >= endlessCap {
		t.Errorf("the server wrote all of its %d bytes: the download was not cut off", n)
	}
	checkNothingLeft(t, dir)
}

// TestFetchRefusesHugeSidecar checks that a sidecar beyond
// maxSidecarBytes is refused as too large, by name, rather than read in
// part and reported as broken JSON.
func TestFetchRefusesHugeSidecar(t *testing.T) {
	huge := []byte(strings.Repeat(" ", maxSidecarBytes) + "{}")
	t.Run("index", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/simple/foo/":
				io.WriteString(w, `<a href="/f/foo-1.0.tar.gz">foo-1.0.tar.gz</a>`)
			case "/f/foo-1.0.tar.gz.json":
				w.Write(huge)
			default:
				io.WriteString(w, "sdist")
			}
		}))
		defer srv.Close()
		dir := t.TempDir()
		_, err := Fetch(fetchCtx(t), FetchOptions{IndexURL: srv.URL + "/simple/foo/", Project: "foo", Version: "1.0", Dir: dir, Retry: noWait})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "sidecar "+srv.URL+"/f/foo-1.0.tar.gz.json: more than 1048576 bytes") {
			t.Errorf("err = %v, want ErrTooLarge naming the sidecar", err)
		}
		checkNothingLeft(t, dir)
	})
	t.Run("store", func(t *testing.T) {
		m := newMemStore()
		m.publish(t, "snapshots/v1.0/foo-1.0.tar.gz", "foo", "1.0", []byte("sdist"))
		m.objs["snapshots/v1.0/foo-1.0.tar.gz.json"] = huge
		dir := t.TempDir()
		_, err := Fetch(fetchCtx(t), FetchOptions{Store: m, Project: "foo", Version: "1.0", Dir: dir})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "sidecar mem://bucket/snapshots/v1.0/foo-1.0.tar.gz.json: more than 1048576 bytes") {
			t.Errorf("err = %v, want ErrTooLarge naming the sidecar", err)
		}
		checkNothingLeft(t, dir)
	})
}
