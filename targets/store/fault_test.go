package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// faultProxy stands in front of MinIO and misbehaves on purpose.
type faultProxy struct {
	*httptest.Server
	requests atomic.Int64
	injected atomic.Int64
	// fault decides, per request number, what goes wrong: "" (nothing),
	// "503", "drop" (connection closed without an answer), "slow", "hold"
	// (kept waiting until Release).
	fault   func(n int64, r *http.Request) string
	release chan struct{}
	once    sync.Once
}

// Release lets held requests through, and every later one at once.
func (p *faultProxy) Release() { p.once.Do(func() { close(p.release) }) }

func newFaultProxy(t *testing.T, target string, fault func(n int64, r *http.Request) string) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{fault: fault, release: make(chan struct{})}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Host = r.In.Host // the request was signed for the proxy's address
	}, ErrorLog: log.New(io.Discard, "", 0)}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.requests.Add(1)
		switch p.fault(n, r) {
		case "503":
			p.injected.Add(1)
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected: please reduce your request rate</Message></Error>`)
			return
		case "drop":
			p.injected.Add(1)
			// Read part of the body, then drop the connection mid-request.
			io.CopyN(io.Discard, r.Body, 1024)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		case "slow":
			p.injected.Add(1)
			time.Sleep(300 * time.Millisecond)
		case "hold":
			p.injected.Add(1)
			select {
			case <-p.release:
			case <-r.Context().Done():
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	t.Cleanup(p.Release) // runs first: held requests end before Close waits for them
	return p
}

func minioStore(t *testing.T, m *testenv.MinIO, bucket, endpoint string, o S3Options) *S3 {
	t.Helper()
	m.SetEnv(t)
	o.Bucket, o.Prefix, o.Endpoint, o.PathStyle = bucket, "greet", endpoint, true
	st, err := NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func bigFile(t *testing.T, dir, name string, size int) dist.Artifact {
	t.Helper()
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i/4096)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, n, err := dist.Hash(path)
	if err != nil {
		t.Fatal(err)
	}
	return dist.Artifact{Name: name, Path: name, Kind: dist.KindArchive, Version: "3.0.0", Tags: []string{"linux_x86_64"}, SHA256: sum, Size: n, Project: "greet"}
}

func TestS3RetriesThroughFaults(t *testing.T) {
	m := testenv.StartMinIO(t)
	m.MakeBucket("faults", false)
	proxy := newFaultProxy(t, m.Endpoint, func(n int64, r *http.Request) string {
		switch {
		case n%5 == 2:
			return "503"
		case n%7 == 3:
			return "drop"
		case n%4 == 0:
			return "slow"
		}
		return ""
	})
	st := minioStore(t, m, "faults", proxy.URL, S3Options{PartSize: minPartSize, MaxAttempts: 8})
	dir, arts := buildDist(t, "3.0.0", "linux_x86_64", allKinds...)
	arts = append(arts, bigFile(t, dir, "greet-3.0.0-big.tar.gz", 3*minPartSize+12345))
	_, err := Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts,
		Build: Build{Project: "greet", Version: "3.0.0", Tagged: true}})
	if err != nil {
		t.Fatalf("publish through the faulty proxy: %v", err)
	}
	if proxy.injected.Load() < 5 {
		t.Fatalf("only %d faults injected in %d requests", proxy.injected.Load(), proxy.requests.Load())
	}
	t.Logf("%d requests, %d faults injected", proxy.requests.Load(), proxy.injected.Load())
	direct := minioStore(t, m, "faults", m.Endpoint, S3Options{})
	for _, a := range arts {
		key := "snapshots/v3.0.0/" + a.Name
		rc, _, err := direct.Open(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		want, _ := os.ReadFile(filepath.Join(dir, a.Name))
		if string(got) != string(want) {
			t.Errorf("%s: stored bytes differ (%d vs %d bytes)", key, len(got), len(want))
		}
	}
	if got := keys(t, direct, IncomingDir+"/"); len(got) != 0 {
		t.Errorf("left in .incoming: %q", got)
	}
}

func TestS3PermanentFailureNamesKeyAndMessage(t *testing.T) {
	m := testenv.StartMinIO(t)
	m.MakeBucket("broken", false)
	proxy := newFaultProxy(t, m.Endpoint, func(n int64, r *http.Request) string {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/snapshots/") {
			return "503"
		}
		return ""
	})
	st := minioStore(t, m, "broken", proxy.URL, S3Options{MaxAttempts: 3})
	dir, arts := buildDist(t, "3.0.0", "linux_x86_64", dist.KindWheel, dist.KindArchive)
	_, err := Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts,
		Build: Build{Project: "greet", Version: "3.0.0", Tagged: true}})
	if err == nil {
		t.Fatal("publish succeeded through a server that refuses every write")
	}
	msg := err.Error()
	for _, want := range []string{"s3://broken/greet/snapshots/v3.0.0/greet-3.0.0", "503 SlowDown", "injected: please reduce your request rate"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Count(msg, "\n") > 0 {
		t.Errorf("error spans lines: %q", msg)
	}
	direct := minioStore(t, m, "broken", m.Endpoint, S3Options{})
	if got := keys(t, direct, ""); len(got) != 0 {
		t.Errorf("visible after a failed publish: %q", got)
	}
}

func TestS3ServerKilledMidUpload(t *testing.T) {
	m := testenv.StartMinIO(t)
	m.MakeBucket("killed", false)
	ctx := context.Background()
	// A previous release is in the store.
	prevDir, prev := buildDist(t, "2.9.0", "linux_x86_64", dist.KindWheel)
	st := minioStore(t, m, "killed", m.Endpoint, S3Options{MaxAttempts: 2})
	if _, err := Publish(ctx, PublishOptions{Store: st, Dir: prevDir, Artifacts: prev, Build: Build{Project: "greet", Version: "2.9.0", Tagged: true}}); err != nil {
		t.Fatal(err)
	}
	before := published(t, st)

	// Kill the server once a few parts of a large file have gone through.
	var once sync.Once
	parts := atomic.Int64{}
	proxy := newFaultProxy(t, m.Endpoint, func(n int64, r *http.Request) string {
		if r.URL.Query().Has("partNumber") && parts.Add(1) == 3 {
			once.Do(m.Stop)
		}
		return ""
	})
	slow := minioStore(t, m, "killed", proxy.URL, S3Options{PartSize: minPartSize, Concurrency: 1, MaxAttempts: 2})
	dir, arts := buildDist(t, "3.0.0", "linux_x86_64", dist.KindWheel)
	arts = append(arts, bigFile(t, dir, "greet-3.0.0-big.tar.gz", 8*minPartSize))
	o := PublishOptions{Store: slow, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "3.0.0", Tagged: true}}
	if _, err := Publish(ctx, o); err == nil {
		t.Fatal("publish succeeded while the server was killed")
	} else {
		t.Logf("interrupted: %v", err)
	}
	m.Start()
	// What is published (files with sidecars, and the pages) is the
	// previous state; a new file that reached its key before the kill has
	// no sidecar, so nobody reads it, and it is whole.
	if got := published(t, st); !slices.Equal(got, before) {
		t.Errorf("after the kill the store publishes\n%q\nwant the previous state\n%q", got, before)
	}
	for _, k := range keys(t, st, "") {
		if !slices.Contains(before, k) {
			a := arts[slices.IndexFunc(arts, func(a dist.Artifact) bool { return strings.HasSuffix(k, "/"+a.Name) })]
			if err := st.Verify(ctx, k, a.Size, a.SHA256); err != nil {
				t.Errorf("unpublished %s is not whole: %v", k, err)
			}
		}
	}
	// Running again converges.
	o.Store = st
	if _, err := Publish(ctx, o); err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if err := st.Verify(ctx, "snapshots/v3.0.0/"+a.Name, a.Size, a.SHA256); err != nil {
			t.Error(err)
		}
	}
	// What the killed run had uploaded stays hidden under .incoming until it
	// is stale; a publish a day later removes it.
	for _, k := range keys(t, st, IncomingDir+"/") {
		if !strings.HasPrefix(k, IncomingDir+"/") {
			t.Errorf("unexpected key %s", k)
		}
	}
	o.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	if _, err := Publish(ctx, o); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, st, IncomingDir+"/"); len(got) != 0 {
		t.Errorf("left in .incoming a day later: %q", got)
	}
	// The killed run's unfinished multipart upload was aborted too.
	s3st := st
	out, err := s3st.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("killed")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 0 {
		t.Errorf("%d multipart uploads left a day later", len(out.Uploads))
	}
}

// published lists the keys readers use: files with a sidecar, sidecars
// and index pages.
func published(t *testing.T, st Store) []string {
	t.Helper()
	all := keys(t, st, "")
	var out []string
	for _, k := range all {
		if IsSidecar(k) || strings.HasSuffix(k, IndexFile) || slices.Contains(all, k+SidecarExt) {
			out = append(out, k)
		}
	}
	return out
}

// crashStore fails every call from the n-th mutating one on, as if the
// process had been killed there.
type crashStore struct {
	Store
	at      int64
	calls   atomic.Int64
	crashed atomic.Bool
}

var errCrash = errors.New("crashed")

func (c *crashStore) step() error {
	if c.crashed.Load() || c.calls.Add(1) >= c.at {
		c.crashed.Store(true)
		return errCrash
	}
	return nil
}

func (c *crashStore) Upload(ctx context.Context, key, path string, o PutOptions) (Pending, error) {
	if err := c.step(); err != nil {
		return nil, err
	}
	up, err := c.Store.Upload(ctx, key, path, o)
	if err != nil {
		return nil, err
	}
	return &crashPending{Pending: up, c: c}, nil
}

// crashPending counts putting an upload in place as a write.
type crashPending struct {
	Pending
	c *crashStore
}

func (p *crashPending) Place(ctx context.Context) error {
	if err := p.c.step(); err != nil {
		return err
	}
	return p.Pending.Place(ctx)
}

// Discard after the crash does nothing, as a killed process cleans nothing up.
func (p *crashPending) Discard(ctx context.Context) error {
	if p.c.crashed.Load() {
		return errCrash
	}
	return p.Pending.Discard(ctx)
}

func (c *crashStore) PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error {
	if err := c.step(); err != nil {
		return err
	}
	return c.Store.PutBytes(ctx, key, data, o)
}

func (c *crashStore) Link(ctx context.Context, alias, target string, o PutOptions) (bool, error) {
	if err := c.step(); err != nil {
		return false, err
	}
	return c.Store.Link(ctx, alias, target, o)
}

func (c *crashStore) Delete(ctx context.Context, key string) error {
	if err := c.step(); err != nil {
		return err
	}
	return c.Store.Delete(ctx, key)
}

// visible returns what a reader sees: every published file with its bytes'
// hash, checked against its sidecar.
func visible(t *testing.T, st Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	aliases := map[string]bool{}
	pointed := map[string]string{} // pointer alias to the file its sidecar names
	for _, k := range keys(t, st, "") {
		if !IsSidecar(k) || !strings.HasPrefix(k, SnapshotsDir+"/") && !strings.HasPrefix(k, BranchesDir+"/") {
			continue
		}
		sc, err := readSidecar(ctx, st, k)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		art := strings.TrimSuffix(k, SidecarExt)
		if _, err := st.Stat(ctx, art); errors.Is(err, ErrNotExist) {
			continue // a sidecar whose file a prune already removed: not published
		}
		if sc.AliasOf != "" {
			aliases[art] = true
			if sc.Pointer {
				pointed[art] = sc.AliasOf
			}
			continue
		}
		if err := st.Verify(ctx, art, sc.Size, sc.SHA256); err != nil {
			t.Errorf("published file is not what its sidecar says: %v", err)
		}
		out[art] = sc.SHA256
	}
	// An alias is a whole copy of one of the published files of its family,
	// or a pointer to one (its sidecar may lag behind after a crash, see
	// updateLatest): never a pointer to a missing file.
	sums := map[string]bool{}
	for _, sum := range out {
		sums[sum] = true
	}
	for art, target := range pointed {
		if out[target] == "" {
			t.Errorf("the sidecar of %s says it points at %s, which is not published", art, target)
		}
	}
	for art := range aliases {
		data := []byte(read(t, st, art))
		if target, ok := pointerTarget(art, data); ok {
			if out[target] == "" {
				t.Errorf("alias %s points at %s, which is not published", art, target)
			}
			out[art] = "pointer to " + target
			continue
		}
		sum := sha256.Sum256(data)
		if !sums[hex.EncodeToString(sum[:])] {
			t.Errorf("alias %s is not a copy of a published file", art)
		}
		out[art] = hex.EncodeToString(sum[:])
	}
	return out
}

var pointerRefresh = regexp.MustCompile(`<meta http-equiv="refresh" content="0; url=([^"]+)">`)

// pointerTarget returns the key a pointer page at alias sends readers to.
func pointerTarget(alias string, page []byte) (string, bool) {
	m := pointerRefresh.FindSubmatch(page)
	if m == nil || !bytes.Contains(page, []byte(`<meta name="pyrelease-alias-of"`)) {
		return "", false
	}
	u, err := url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return "", false
	}
	return path.Join(path.Dir(alias), u.Path), true
}

// TestPublishCrashAtEveryStep kills the publisher before each of its
// writes in turn: the store keeps showing complete files only, and a
// second run reaches the same state as an uninterrupted one. In a folder
// without symlinks the archives' aliases are pointers: no crash leaves
// one pointing at a file that is not published.
func TestPublishCrashAtEveryStep(t *testing.T) {
	for name, newDir := range map[string]func(t *testing.T) *Dir{
		"copies": func(t *testing.T) *Dir {
			st, err := NewDir(filepath.Join(t.TempDir(), "store"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"pointers": func(t *testing.T) *Dir { return noSymlinkDir(t, testCopyLimit) },
	} {
		t.Run(name, func(t *testing.T) { crashAtEveryStep(t, newDir, name == "pointers") })
	}
}

func crashAtEveryStep(t *testing.T, newDir func(t *testing.T) *Dir, pointers bool) {
	ctx := context.Background()
	setup := func(t *testing.T) (*Dir, PublishOptions) {
		st := newDir(t)
		for _, v := range []string{"1.0.1.dev1", "1.0.1.dev2"} {
			dir, arts := buildDist(t, v, "linux_x86_64", dist.KindWheel, dist.KindArchive)
			if _, err := Publish(ctx, PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: v, Branch: "main"}}); err != nil {
				t.Fatal(err)
			}
		}
		dir, arts := buildDist(t, "1.0.1.dev3", "linux_x86_64", allKinds...)
		return st, PublishOptions{Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "1.0.1.dev3", Branch: "main"}}
	}
	// The uninterrupted run, and how many writes it makes.
	ref, o := setup(t)
	counter := &crashStore{Store: ref, at: 1 << 62}
	o.Store = counter
	res, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Pointers); (got > 0) != pointers {
		t.Fatalf("%d pointers made, want some: %v", got, pointers)
	}
	want := visible(t, ref)
	wantKeys := keys(t, ref, "")
	steps := counter.calls.Load()
	if steps < 15 {
		t.Fatalf("only %d writes counted", steps)
	}
	for at := int64(1); at <= steps; at++ {
		t.Run(fmt.Sprintf("crash-before-write-%d", at), func(t *testing.T) {
			st, o := setup(t)
			before := visible(t, st)
			o.Store = &crashStore{Store: st, at: at}
			if _, err := Publish(ctx, o); !errors.Is(err, errCrash) {
				t.Fatalf("err = %v, want the crash", err)
			}
			after := visible(t, st) // fails on any incomplete file or dangling pointer
			for k, sum := range after {
				if b, ok := before[k]; ok && b != sum && !strings.Contains(k, "-latest-") {
					t.Errorf("%s changed", k)
				}
			}
			o.Store = st
			if _, err := Publish(ctx, o); err != nil {
				t.Fatal(err)
			}
			if got := visible(t, st); !mapsEqual(got, want) {
				t.Errorf("after re-running:\n%v\nwant\n%v", got, want)
			}
			got := keys(t, st, "")
			if !slices.Equal(got, wantKeys) {
				t.Errorf("keys after re-running:\n%q\nwant\n%q", got, wantKeys)
			}
		})
	}
}
