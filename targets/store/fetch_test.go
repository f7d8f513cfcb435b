package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// memStore is a Store in memory, enough for Fetch.
type memStore struct {
	mu    sync.Mutex
	objs  map[string][]byte
	opens map[string]int
}

func newMemStore() *memStore {
	return &memStore{objs: map[string][]byte{}, opens: map[string]int{}}
}

func (m *memStore) Put(ctx context.Context, key, path string, o PutOptions) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return m.PutBytes(ctx, key, data, o)
}

func (m *memStore) PutBytes(_ context.Context, key string, data []byte, _ PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[key] = slices.Clone(data)
	return nil
}

func (m *memStore) Open(_ context.Context, key string) (io.ReadCloser, Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objs[key]
	if !ok {
		return nil, Object{}, fmt.Errorf("store: %s: %w", m.Location(key), ErrNotExist)
	}
	m.opens[key]++
	return io.NopCloser(bytes.NewReader(data)), Object{Key: key, Size: int64(len(data))}, nil
}

func (m *memStore) Stat(_ context.Context, key string) (Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objs[key]
	if !ok {
		return Object{}, fmt.Errorf("store: %s: %w", m.Location(key), ErrNotExist)
	}
	return Object{Key: key, Size: int64(len(data))}, nil
}

func (m *memStore) List(_ context.Context, prefix string) ([]Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Object
	for k, v := range m.objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, Object{Key: k, Size: int64(len(v))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (m *memStore) Verify(ctx context.Context, key string, size int64, sum string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objs[key]
	if !ok {
		return ErrNotExist
	}
	if int64(len(data)) != size || sha(data) != sum {
		return ErrMismatch
	}
	return nil
}

func (m *memStore) Upload(context.Context, string, string, PutOptions) (Pending, error) {
	return nil, errors.New("memStore: no uploads")
}

func (m *memStore) Sweep(context.Context, time.Time) ([]string, error) { return nil, nil }

func (m *memStore) Move(_ context.Context, from, to string, _ PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[to] = m.objs[from]
	delete(m.objs, from)
	return nil
}

func (m *memStore) Link(_ context.Context, alias, target string, _ PutOptions) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[alias] = m.objs[target]
	return false, nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, key)
	return nil
}

func (m *memStore) Location(key string) string { return "mem://bucket/" + key }

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// publish stores data at key with a sidecar as Publish writes it.
func (m *memStore) publish(t *testing.T, key, project, version string, data []byte) Sidecar {
	t.Helper()
	name := key[strings.LastIndex(key, "/")+1:]
	sc := Sidecar{Project: project, Version: version, Commit: "c0ffee", Kind: dist.KindOf(name), Size: int64(len(data)), SHA256: sha(data), File: name, BuiltAt: time.Unix(0, 0).UTC()}
	m.objs[key] = data
	m.objs[key+SidecarExt] = sc.Marshal()
	return sc
}

func names(fs []Fetched) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// dirEntries lists the files under a directory as slash paths, sorted:
// archives and installers land in .pyrelease/.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir && d.IsDir() && d.Name() != dist.Sub {
			out = append(out, d.Name()+"/")
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		} else if path != dir {
			if es, _ := os.ReadDir(path); len(es) == 0 {
				out = append(out, d.Name()+"/") // an empty .pyrelease/ is left behind too
			}
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func checkContent(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
}

func TestFetchStore(t *testing.T) {
	wheel, sdist := []byte("wheel bytes"), []byte("sdist bytes")
	tests := map[string]struct {
		setup   func(t *testing.T, m *memStore)
		project string
		version string
		expect  []string
		want    []string
		sources []string
		files   []string // what Dir holds, when not want: archives go to .pyrelease/
	}{
		"tag directory": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v5.0.0/foo_bar-5.0.0-py3-none-any.whl", "foo-bar", "5.0.0", wheel)
				m.publish(t, "snapshots/v5.0.0/foo_bar-5.0.0.tar.gz", "foo-bar", "5.0.0", sdist)
				m.publish(t, "snapshots/v5.0.0/other-5.0.0.tar.gz", "other", "5.0.0", []byte("other"))
				m.publish(t, "snapshots/v5.0.1/foo_bar-5.0.1.tar.gz", "foo-bar", "5.0.1", []byte("newer"))
				m.publish(t, "branches/main/foo_bar-5.0.0.tar.gz", "foo-bar", "5.0.0", []byte("not looked at: the tag has files"))
			},
			project: "Foo.Bar", version: "v5.0.0",
			want:    []string{"foo_bar-5.0.0-py3-none-any.whl", "foo_bar-5.0.0.tar.gz"},
			sources: []string{"mem://bucket/snapshots/v5.0.0/foo_bar-5.0.0-py3-none-any.whl", "mem://bucket/snapshots/v5.0.0/foo_bar-5.0.0.tar.gz"},
		},
		"dev version from a branch": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "branches/feature-x/foo-5.0.1.dev4-py3-none-any.whl", "foo", "5.0.1.dev4", wheel)
				m.publish(t, "branches/main/foo-5.0.1.dev3-py3-none-any.whl", "foo", "5.0.1.dev3", []byte("older"))
				m.publish(t, "branches/feature-x/tool-5.0.1.dev4-linux-x86_64.tar.gz", "foo", "5.0.1.dev4", sdist)
				alias := m.publish(t, "branches/feature-x/tool-latest-linux-x86_64.tar.gz", "foo", "5.0.1.dev4", sdist)
				alias.AliasOf = "branches/feature-x/tool-5.0.1.dev4-linux-x86_64.tar.gz"
				m.objs["branches/feature-x/tool-latest-linux-x86_64.tar.gz.json"] = alias.Marshal()
				m.publish(t, ".incoming/run1/foo-5.0.1.dev4-py3-none-any.whl", "foo", "5.0.1.dev4", []byte("in flight"))
				m.publish(t, "branches/feature-x/.incoming/foo-5.0.1.dev4-py3-none-any.whl", "foo", "5.0.1.dev4", []byte("in flight"))
			},
			project: "foo", version: "5.0.1.dev0004",
			want:    []string{"foo-5.0.1.dev4-py3-none-any.whl", "tool-5.0.1.dev4-linux-x86_64.tar.gz"},
			sources: []string{"mem://bucket/branches/feature-x/foo-5.0.1.dev4-py3-none-any.whl", "mem://bucket/branches/feature-x/tool-5.0.1.dev4-linux-x86_64.tar.gz"},
			files:   []string{".pyrelease/tool-5.0.1.dev4-linux-x86_64.tar.gz", "foo-5.0.1.dev4-py3-none-any.whl"},
		},
		"dev version in its directory and a branch": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v5.0.1.dev4/foo-5.0.1.dev4-py3-none-any.whl", "foo", "5.0.1.dev4", wheel)
				m.publish(t, "branches/main/foo-5.0.1.dev4-py3-none-any.whl", "foo", "5.0.1.dev4", wheel)
				m.publish(t, "branches/main/foo-5.0.1.dev4.tar.gz", "foo", "5.0.1.dev4", sdist)
			},
			project: "foo", version: "5.0.1.dev4",
			want:    []string{"foo-5.0.1.dev4-py3-none-any.whl", "foo-5.0.1.dev4.tar.gz"},
			sources: []string{"mem://bucket/snapshots/v5.0.1.dev4/foo-5.0.1.dev4-py3-none-any.whl", "mem://bucket/branches/main/foo-5.0.1.dev4.tar.gz"},
		},
		"unnormalised directory name": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v5.0.0-RC.1/foo-5.0.0rc1-py3-none-any.whl", "foo", "5.0.0-RC.1", wheel)
			},
			project: "foo", version: "5.0.0-RC.1",
			want:    []string{"foo-5.0.0rc1-py3-none-any.whl"},
			sources: []string{"mem://bucket/snapshots/v5.0.0-RC.1/foo-5.0.0rc1-py3-none-any.whl"},
		},
		"artifact without sidecar, sidecar without artifact, alias": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v1.0/foo-1.0.tar.gz", "foo", "1.0", sdist)
				m.objs["snapshots/v1.0/foo-1.0-py3-none-any.whl"] = wheel // not published yet
				m.publish(t, "snapshots/v1.0/foo-1.0-cp311-cp311-win_amd64.whl", "foo", "1.0", wheel)
				delete(m.objs, "snapshots/v1.0/foo-1.0-cp311-cp311-win_amd64.whl") // pruned meanwhile
				alias := m.publish(t, "snapshots/v1.0/foo-1.0-copy.tar.gz", "foo", "1.0", sdist)
				alias.AliasOf = "snapshots/v1.0/foo-1.0.tar.gz"
				m.objs["snapshots/v1.0/foo-1.0-copy.tar.gz.json"] = alias.Marshal()
			},
			project: "foo", version: "1.0",
			want:    []string{"foo-1.0.tar.gz"},
			sources: []string{"mem://bucket/snapshots/v1.0/foo-1.0.tar.gz"},
		},
		"expected file found on a branch": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v2.0/foo-2.0-py3-none-any.whl", "foo", "2.0", wheel)
				m.publish(t, "branches/release-2/foo-2.0.tar.gz", "foo", "2.0", sdist)
			},
			project: "foo", version: "2.0", expect: []string{"*.whl", "*.tar.gz"},
			want:    []string{"foo-2.0-py3-none-any.whl", "foo-2.0.tar.gz"},
			sources: []string{"mem://bucket/snapshots/v2.0/foo-2.0-py3-none-any.whl", "mem://bucket/branches/release-2/foo-2.0.tar.gz"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := newMemStore()
			tc.setup(t, m)
			dir := filepath.Join(t.TempDir(), "dist")
			got, err := Fetch(t.Context(), FetchOptions{Store: m, Project: tc.project, Version: tc.version, Dir: dir, Expect: tc.expect})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names(got), tc.want) {
				t.Fatalf("fetched %q, want %q", names(got), tc.want)
			}
			files := tc.want
			if tc.files != nil {
				files = tc.files
			}
			if !slices.Equal(dirEntries(t, dir), files) {
				t.Errorf("dist holds %q, want %q", dirEntries(t, dir), files)
			}
			for i, f := range got {
				if f.Source != tc.sources[i] {
					t.Errorf("%s came from %s, want %s", f.Name, f.Source, tc.sources[i])
				}
				key := strings.TrimPrefix(f.Source, "mem://bucket/")
				checkContent(t, f.Path, m.objs[key])
				if f.Sidecar == nil || f.Sidecar.SHA256 != f.SHA256 || f.SHA256 != sha(m.objs[key]) || f.Size != int64(len(m.objs[key])) || f.Skipped {
					t.Errorf("%s: got %+v, want its sidecar, hash and size, not skipped", f.Name, f)
				}
			}
		})
	}
}

func TestFetchStoreErrors(t *testing.T) {
	tests := map[string]struct {
		setup   func(t *testing.T, m *memStore)
		version string
		is      error
		want    string
	}{
		"nothing published": {
			setup:   func(t *testing.T, m *memStore) {},
			version: "1.0",
			want:    "no file of foo 1.0 in mem://bucket/",
		},
		"two builds of one name": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "branches/main/foo-1.1.dev2.tar.gz", "foo", "1.1.dev2", []byte("main"))
				m.publish(t, "branches/topic/foo-1.1.dev2.tar.gz", "foo", "1.1.dev2", []byte("topic"))
			},
			version: "1.1.dev2",
			want:    "foo-1.1.dev2.tar.gz is at mem://bucket/branches/main/foo-1.1.dev2.tar.gz with sha256",
		},
		"wrong hash": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v1.0/foo-1.0.tar.gz", "foo", "1.0", []byte("right"))
				m.objs["snapshots/v1.0/foo-1.0.tar.gz"] = []byte("wrong")
			},
			version: "1.0",
			is:      ErrMismatch,
			want:    "foo-1.0.tar.gz from mem://bucket/snapshots/v1.0/foo-1.0.tar.gz: got sha256 " + sha([]byte("wrong")) + ", expected " + sha([]byte("right")),
		},
		"wrong size": {
			setup: func(t *testing.T, m *memStore) {
				m.publish(t, "snapshots/v1.0/foo-1.0.tar.gz", "foo", "1.0", []byte("right"))
				m.objs["snapshots/v1.0/foo-1.0.tar.gz"] = []byte("longer!")
			},
			version: "1.0",
			is:      ErrMismatch,
			want:    "foo-1.0.tar.gz from mem://bucket/snapshots/v1.0/foo-1.0.tar.gz: announced as 7 bytes, expected 5 bytes",
		},
		"bad sidecar": {
			setup: func(t *testing.T, m *memStore) {
				m.objs["snapshots/v1.0/foo-1.0.tar.gz"] = []byte("x")
				m.objs["snapshots/v1.0/foo-1.0.tar.gz.json"] = []byte("{")
			},
			version: "1.0",
			want:    "sidecar mem://bucket/snapshots/v1.0/foo-1.0.tar.gz.json",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := newMemStore()
			tc.setup(t, m)
			dir := t.TempDir()
			got, err := Fetch(t.Context(), FetchOptions{Store: m, Project: "foo", Version: tc.version, Dir: dir})
			if err == nil {
				t.Fatalf("fetched %q, want an error", names(got))
			}
			if !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("err = %v\nwant it to contain %q (and wrap %v)", err, tc.want, tc.is)
			}
			if es := dirEntries(t, dir); len(es) != 0 {
				t.Errorf("dist holds %q after a failed fetch, want nothing", es)
			}
		})
	}
}

func TestFetchOptionErrors(t *testing.T) {
	m := newMemStore()
	tests := map[string]struct {
		o    FetchOptions
		want string
	}{
		"no source":    {o: FetchOptions{Project: "foo", Version: "1.0", Dir: "d"}, want: "exactly one"},
		"two sources":  {o: FetchOptions{Store: m, IndexURL: "http://h/", Project: "foo", Version: "1.0", Dir: "d"}, want: "exactly one"},
		"no project":   {o: FetchOptions{Store: m, Project: " ", Version: "1.0", Dir: "d"}, want: "no project"},
		"bad version":  {o: FetchOptions{Store: m, Project: "foo", Version: "one", Dir: "d"}, want: "version"},
		"no dir":       {o: FetchOptions{Store: m, Project: "foo", Version: "1.0"}, want: "no destination"},
		"bad glob":     {o: FetchOptions{Store: m, Project: "foo", Version: "1.0", Dir: "d", Expect: []string{"[x"}}, want: `glob "[x"`},
		"ftp index":    {o: FetchOptions{IndexURL: "ftp://h/", Project: "foo", Version: "1.0", Dir: "d"}, want: "want an http, https or file URL"},
		"secret index": {o: FetchOptions{IndexURL: "gopher://u:hunter2@h/", Project: "foo", Version: "1.0", Dir: "d"}, want: "gopher://h/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Fetch(t.Context(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("err = %v, want it to contain %q and no secret", err, tc.want)
			}
		})
	}
}

func TestFetchMissingExpected(t *testing.T) {
	m := newMemStore()
	m.publish(t, "snapshots/v3.0/foo-3.0.tar.gz", "foo", "3.0", []byte("sdist"))
	dir := t.TempDir()
	got, err := Fetch(t.Context(), FetchOptions{Store: m, Project: "foo", Version: "3.0", Dir: dir, Expect: []string{"foo-*.tar.gz", "*.whl", "*-windows-*.zip"}})
	var me *MissingError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *MissingError", err)
	}
	if me.Version != "3.0" || !slices.Equal(me.Missing, []string{"*.whl", "*-windows-*.zip"}) {
		t.Errorf("MissingError = %+v, want version 3.0 missing *.whl and *-windows-*.zip", me)
	}
	if want := "fetch: version 3.0: no file matches *.whl, *-windows-*.zip"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want it to contain %q", err, want)
	}
	if !slices.Equal(names(got), []string{"foo-3.0.tar.gz"}) || !slices.Equal(dirEntries(t, dir), []string{"foo-3.0.tar.gz"}) {
		t.Errorf("fetched %q, dist holds %q; want the sdist downloaded anyway", names(got), dirEntries(t, dir))
	}
}

func TestFetchStoreSkipsAndReplaces(t *testing.T) {
	m := newMemStore()
	m.publish(t, "snapshots/v1.0/foo-1.0.tar.gz", "foo", "1.0", []byte("sdist"))
	m.publish(t, "snapshots/v1.0/foo-1.0-py3-none-any.whl", "foo", "1.0", []byte("wheel"))
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "foo-1.0.tar.gz"), []byte("sdist"), 0o644)
	os.WriteFile(filepath.Join(dir, "foo-1.0-py3-none-any.whl"), []byte("stale wheel"), 0o644)
	got, err := Fetch(t.Context(), FetchOptions{Store: m, Project: "foo", Version: "1.0", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Name != "foo-1.0-py3-none-any.whl" || got[0].Skipped || got[1].Name != "foo-1.0.tar.gz" || !got[1].Skipped {
		t.Errorf("got %+v, want the wheel replaced and the sdist skipped", got)
	}
	if m.opens["snapshots/v1.0/foo-1.0.tar.gz"] != 0 {
		t.Error("the skipped sdist was read from the store")
	}
	checkContent(t, filepath.Join(dir, "foo-1.0-py3-none-any.whl"), []byte("wheel"))
}

// index is an HTTP package index for tests: a page and files, with counters.
type index struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	files  map[string][]byte // path -> content
	status map[string][]int  // path -> statuses to answer first, one per request
	hits   map[string]int
	page   string
}

func newIndex(t *testing.T) *index {
	ix := &index{t: t, files: map[string][]byte{}, status: map[string][]int{}, hits: map[string]int{}}
	ix.srv = httptest.NewServer(http.HandlerFunc(ix.serve))
	t.Cleanup(ix.srv.Close)
	return ix
}

func (ix *index) serve(w http.ResponseWriter, r *http.Request) {
	ix.mu.Lock()
	ix.hits[r.URL.Path]++
	if q := ix.status[r.URL.Path]; len(q) > 0 {
		ix.status[r.URL.Path] = q[1:]
		ix.mu.Unlock()
		w.WriteHeader(q[0])
		return
	}
	data, ok := ix.files[r.URL.Path]
	page := ix.page
	ix.mu.Unlock()
	switch {
	case r.URL.Path == "/simple/foo/":
		io.WriteString(w, page)
	case ok:
		w.Write(data)
	default:
		http.NotFound(w, r)
	}
}

func (ix *index) url() string { return ix.srv.URL + "/simple/foo/" }

func (ix *index) hitCount(path string) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.hits[path]
}

// noWait retries at once.
var noWait = httpretry.Policy{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}

func TestFetchIndex(t *testing.T) {
	ix := newIndex(t)
	wheel, sdist, exe := []byte("wheel"), []byte("sdist"), []byte("installer")
	ix.files["/packages/foo-1.0-py3-none-any.whl"] = wheel
	ix.files["/files/foo-1.0.tar.gz"] = sdist
	ix.files["/files/foo-1.0-windows-x86_64-installer.exe"] = exe
	sc := Sidecar{Project: "foo", Version: "1.0", File: "foo-1.0-windows-x86_64-installer.exe", SHA256: sha(exe), Size: int64(len(exe)), Kind: "installer"}
	ix.files["/files/foo-1.0-windows-x86_64-installer.exe.json"] = sc.Marshal()
	ix.page = `<html><body>
<a href="../../packages/foo-1.0-py3-none-any.whl#sha256=` + sha(wheel) + `">relative</a>
<a href="` + ix.srv.URL + `/files/foo-1.0.tar.gz#sha256=` + strings.ToUpper(sha(sdist)) + `">absolute</a>
<a href="/files/foo-1.0-windows-x86_64-installer.exe">sidecar next to it</a>
<a href="/files/foo-1.0-windows-x86_64-installer.exe.json">the sidecar itself</a>
<a href="/files/foo-1.1.tar.gz#sha256=` + hashA + `">other version</a>
<a href="/files/foobar-1.0.tar.gz#sha256=` + hashA + `">other project</a>
<a href="https://elsewhere.test/foo-1.1.tar.gz">other host, other version</a>
<a href="../">up</a>
</body></html>`
	dir := filepath.Join(t.TempDir(), "dist")
	var progressed sync.Map
	got, err := Fetch(t.Context(), FetchOptions{
		IndexURL: ix.url(), Project: "FOO", Version: "1.0", Dir: dir, Retry: noWait,
		Progress: func(name string, total int64) func(int64) {
			var sum atomic.Int64
			progressed.Store(name, &sum)
			return func(n int64) { sum.Add(n) }
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"foo-1.0-py3-none-any.whl", "foo-1.0-windows-x86_64-installer.exe", "foo-1.0.tar.gz"}
	if !slices.Equal(names(got), want) {
		t.Fatalf("fetched %q, want %q", names(got), want)
	}
	// Installers go beside the manifest, executable, as built.
	want = []string{".pyrelease/foo-1.0-windows-x86_64-installer.exe", "foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz"}
	if fi, err := os.Stat(filepath.Join(dir, ".pyrelease", "foo-1.0-windows-x86_64-installer.exe")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("the installer: %v, %v; want mode 0755", fi, err)
	}
	contents := [][]byte{wheel, exe, sdist}
	for i, f := range got {
		checkContent(t, f.Path, contents[i])
		if f.SHA256 != sha(contents[i]) || f.Size != int64(len(contents[i])) {
			t.Errorf("%s: sha256 %s size %d, want %s %d", f.Name, f.SHA256, f.Size, sha(contents[i]), len(contents[i]))
		}
		if v, ok := progressed.Load(f.Name); !ok || v.(*atomic.Int64).Load() != f.Size {
			t.Errorf("%s: progress summed to %v, want %d", f.Name, v, f.Size)
		}
	}
	if got[1].Sidecar == nil || got[1].Sidecar.Kind != "installer" || got[0].Sidecar != nil {
		t.Errorf("sidecars %v, %v: want one for the installer only", got[0].Sidecar, got[1].Sidecar)
	}
	if got[0].Source != ix.srv.URL+"/packages/foo-1.0-py3-none-any.whl" {
		t.Errorf("source %s, want the resolved URL without fragment", got[0].Source)
	}
	if !slices.Equal(dirEntries(t, dir), want) {
		t.Errorf("dist holds %q, want %q", dirEntries(t, dir), want)
	}
}

func TestFetchIndexRefuses(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "elsewhere") }))
	defer other.Close()
	otherHost := strings.TrimPrefix(other.URL, "http://")
	tests := map[string]struct {
		page  string
		allow []string
		is    error
		want  string
	}{
		"other host": {
			page: `<a href="` + other.URL + `/foo-1.0.tar.gz#sha256=` + sha([]byte("elsewhere")) + `">x</a>`,
			is:   ErrUnsafe,
			want: `host "` + otherHost + `" is neither the page's`,
		},
		"escaped slash in the name": {
			page: `<a href="/files/foo-1.0-a%2F..%2F..%2Fb.tar.gz#sha256=` + hashA + `">x</a>`,
			is:   ErrUnsafe,
			want: `file name "foo-1.0-a/../../b.tar.gz"`,
		},
		"control character in the name": {
			page: `<a href="/files/foo-1.0-%01.tar.gz#sha256=` + hashA + `">x</a>`,
			is:   ErrUnsafe,
			want: "file name",
		},
		"local file from a web page": {
			page: `<a href="file:///etc/foo-1.0.tar.gz#sha256=` + hashA + `">x</a>`,
			is:   ErrUnsafe,
			want: "a http page may not link to local files",
		},
		"ftp link": {
			page: `<a href="ftp://h/foo-1.0.tar.gz#sha256=` + hashA + `">x</a>`,
			is:   ErrUnsafe,
			want: "want an http, https or file URL",
		},
		"no links": {
			page: `<html><body><p>Not a package index</p></body></html>`,
			want: "/simple/foo/: the page has no links",
		},
		"no hash anywhere": {
			page: `<a href="/files/foo-1.0.tar.gz">x</a>`,
			want: "/files/foo-1.0.tar.gz: no #sha256= in its link and no sidecar at ",
		},
		"sidecar of another file": {
			page: `<a href="/files/foo-1.0.zip">x</a>`,
			want: `sidecar SRV/files/foo-1.0.zip.json says file "foo-1.0.tar.gz", but the file name foo-1.0.zip says "foo-1.0.zip"`,
		},
		"file gone": {
			page: `<a href="/files/foo-1.0-gone.tar.gz#sha256=` + hashA + `">x</a>`,
			want: "store: fetch: foo-1.0-gone.tar.gz: httpretry: GET SRV/files/foo-1.0-gone.tar.gz: 404 Not Found after 1 attempt",
		},
		"wrong hash": {
			page: `<a href="/files/foo-1.0.tar.gz#sha256=` + hashA + `">x</a>`,
			is:   ErrMismatch,
			want: "foo-1.0.tar.gz from " + "SRV" + "/files/foo-1.0.tar.gz: got sha256 " + sha([]byte("sdist")) + ", expected " + hashA,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ix := newIndex(t)
			ix.files["/files/foo-1.0.tar.gz"] = []byte("sdist")
			ix.files["/files/foo-1.0.zip"] = []byte("zip")
			ix.files["/files/foo-1.0.zip.json"] = Sidecar{File: "foo-1.0.tar.gz", SHA256: sha([]byte("zip")), Size: 3}.Marshal()
			ix.page = tc.page
			dir := t.TempDir()
			_, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), AllowHosts: tc.allow, Project: "foo", Version: "1.0", Dir: dir, Retry: noWait})
			want := strings.ReplaceAll(tc.want, "SRV", ix.srv.URL)
			if err == nil || !strings.Contains(err.Error(), want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("err = %v\nwant it to contain %q (and wrap %v)", err, want, tc.is)
			}
			if es := dirEntries(t, dir); len(es) != 0 {
				t.Errorf("dist holds %q after a failed fetch, want nothing", es)
			}
		})
	}
}

func TestFetchIndexAllowedHost(t *testing.T) {
	data := []byte("elsewhere")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(data) }))
	defer other.Close()
	ix := newIndex(t)
	ix.page = `<a href="` + other.URL + `/p/foo-1.0.tar.gz#sha256=` + sha(data) + `">x</a>`
	u, _ := url.Parse(other.URL)
	for name, allow := range map[string]string{"host and port": u.Host, "host name": u.Hostname()} {
		t.Run(name, func(t *testing.T) {
			got, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), AllowHosts: []string{"unrelated.test", allow}, Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
			if err != nil {
				t.Fatal(err)
			}
			checkContent(t, got[0].Path, data)
		})
	}
}

func TestFetchIndexNoMatch(t *testing.T) {
	ix := newIndex(t)
	ix.page = `<a href="foo-2.0.tar.gz">a</a><a href="bar-1.0.tar.gz">b</a><a href="foo-1.0.tar.gz.json">c</a>`
	_, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url() + "?token=hunter2", Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
	want := "/simple/foo/?token=REDACTED: no file of foo 1.0 among the 3 links of the page"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to contain %q", err, want)
	}
}

func TestFetchIndexSkipsRightFile(t *testing.T) {
	ix := newIndex(t)
	data := []byte("sdist")
	ix.files["/files/foo-1.0.tar.gz"] = data
	ix.files["/files/foo-1.0.zip"] = []byte("zip")
	ix.page = `<a href="/files/foo-1.0.tar.gz#sha256=` + sha(data) + `">a</a><a href="/files/foo-1.0.zip#sha256=` + sha([]byte("zip")) + `">b</a>`
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "foo-1.0.tar.gz"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "foo-1.0.zip"), []byte("a broken earlier download"), 0o644)
	got, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), Project: "foo", Version: "1.0", Dir: dir, Retry: noWait})
	if err != nil {
		t.Fatal(err)
	}
	if n := ix.hitCount("/files/foo-1.0.tar.gz"); n != 0 || !got[0].Skipped || got[0].Name != "foo-1.0.tar.gz" {
		t.Errorf("sdist: %d requests, got %+v; want no request and Skipped", n, got[0])
	}
	if n := ix.hitCount("/files/foo-1.0.zip"); n != 1 || got[1].Skipped {
		t.Errorf("zip: %d requests, got %+v; want it downloaded again", n, got[1])
	}
	checkContent(t, filepath.Join(dir, "foo-1.0.zip"), []byte("zip"))
}

func TestFetchIndexMismatchLeavesNothing(t *testing.T) {
	ix := newIndex(t)
	var links strings.Builder
	for i := range 8 {
		name := fmt.Sprintf("/files/foo-1.0-part%d.tar.gz", i)
		data := bytes.Repeat([]byte{byte('a' + i)}, 64<<10)
		ix.files[name] = data
		sum := sha(data)
		if i == 5 {
			sum = hashA
		}
		fmt.Fprintf(&links, `<a href="%s#sha256=%s">%d</a>`, name, sum, i)
	}
	ix.page = links.String()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, dist.Sub), 0o755)
	os.WriteFile(filepath.Join(dir, dist.Sub, "foo-1.0-part5.tar.gz"), []byte("old"), 0o644)
	_, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), Project: "foo", Version: "1.0", Dir: dir, Retry: noWait, Concurrency: 3})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "foo-1.0-part5.tar.gz") {
		t.Fatalf("err = %v, want a mismatch of part5", err)
	}
	// Files that finished before the failure stay: they are right.
	for _, e := range dirEntries(t, dir) {
		if strings.HasPrefix(path.Base(e), ".") || path.Base(e) == "foo-1.0-part5.tar.gz" {
			t.Errorf("%s left behind", e)
			continue
		}
		checkContent(t, filepath.Join(dir, filepath.FromSlash(e)), ix.files["/files/"+path.Base(e)])
	}
}

func TestFetchIndexRetries(t *testing.T) {
	ix := newIndex(t)
	data := []byte("sdist")
	ix.files["/files/foo-1.0.tar.gz"] = data
	ix.files["/files/foo-1.0.tar.gz.json"] = Sidecar{File: "foo-1.0.tar.gz", SHA256: sha(data), Size: 5}.Marshal()
	ix.status["/simple/foo/"] = []int{503}
	ix.status["/files/foo-1.0.tar.gz.json"] = []int{502}
	ix.status["/files/foo-1.0.tar.gz"] = []int{503, 429}
	ix.page = `<a href="/files/foo-1.0.tar.gz">a</a>`
	got, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, got[0].Path, data)
	for path, want := range map[string]int{"/simple/foo/": 2, "/files/foo-1.0.tar.gz.json": 2, "/files/foo-1.0.tar.gz": 3} {
		if n := ix.hitCount(path); n != want {
			t.Errorf("%s: %d requests, want %d", path, n, want)
		}
	}
}

func TestFetchIndexBrokenDownloadStartsOver(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	var n atomic.Int32
	var page string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			io.WriteString(w, page)
			return
		}
		if n.Add(1) == 1 {
			conn, buf, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(data), data[:4000])
			buf.Flush()
			conn.Close()
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	page = `<a href="foo-1.0.tar.gz#sha256=` + sha(data) + `">a</a>`
	var sum atomic.Int64
	got, err := Fetch(t.Context(), FetchOptions{IndexURL: srv.URL + "/", Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait,
		Progress: func(string, int64) func(int64) { return func(d int64) { sum.Add(d) } }})
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, got[0].Path, data)
	if n.Load() != 2 || sum.Load() != int64(len(data)) {
		t.Errorf("%d requests, progress summed to %d; want 2 and %d", n.Load(), sum.Load(), len(data))
	}
}

func TestFetchIndexFile(t *testing.T) {
	root := t.TempDir()
	data := []byte("wheel")
	os.MkdirAll(filepath.Join(root, "wheels"), 0o755)
	os.WriteFile(filepath.Join(root, "wheels", "foo-1.0-py3-none-any.whl"), data, 0o644)
	os.WriteFile(filepath.Join(root, "foo-1.0.tar.gz"), []byte("sdist"), 0o644)
	os.WriteFile(filepath.Join(root, "foo-1.0.tar.gz.json"), Sidecar{File: "foo-1.0.tar.gz", SHA256: sha([]byte("sdist")), Size: 5}.Marshal(), 0o644)
	os.WriteFile(filepath.Join(root, "index.html"), []byte(`<a href="wheels/foo-1.0-py3-none-any.whl#sha256=`+sha(data)+`">w</a><a href="foo-1.0.tar.gz">s</a>`), 0o644)
	page := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(root, "index.html"))}).String()
	dir := filepath.Join(root, "dist")
	got, err := Fetch(t.Context(), FetchOptions{IndexURL: page, Project: "foo", Version: "1.0", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), []string{"foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz"}) || got[1].Sidecar == nil {
		t.Fatalf("fetched %+v, want the wheel and the sdist with its sidecar", got)
	}
	checkContent(t, got[0].Path, data)
	checkContent(t, got[1].Path, []byte("sdist"))

	os.WriteFile(filepath.Join(root, "index.html"), []byte(`<a href="foo-1.0-py3-none-any.whl">no hash</a>`), 0o644)
	os.WriteFile(filepath.Join(root, "foo-1.0-py3-none-any.whl"), data, 0o644)
	_, err = Fetch(t.Context(), FetchOptions{IndexURL: page, Project: "foo", Version: "1.0", Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no #sha256=") {
		t.Errorf("err = %v, want a refusal of the file without hash", err)
	}
}

func TestFetchCancelled(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			io.WriteString(w, `<a href="/f/foo-1.0.tar.gz#sha256=`+hashA+`">a</a>`)
			return
		}
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	dir := t.TempDir()
	start := time.Now()
	_, err := Fetch(ctx, FetchOptions{IndexURL: srv.URL + "/", Project: "foo", Version: "1.0", Dir: dir, Retry: noWait})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Fetch took %v, want a prompt return", d)
	}
	if es := dirEntries(t, dir); len(es) != 0 {
		t.Errorf("dist holds %q, want nothing", es)
	}
}

func TestVersionSpellings(t *testing.T) {
	for _, c := range []struct {
		normalised, spelled string
		want                []string
	}{
		{"1.0.0", "1.0.0", []string{"1.0.0", "1.0", "1"}},
		{"0.1.0.0", "0.1.0.0", []string{"0.1.0.0", "0.1.0", "0.1"}},
		{"5.0.0.dev4", "5.0.0.dev0004", []string{"5.0.0.dev4", "5.0.0.dev0004", "5.0.dev4", "5.dev4"}},
		{"1.2.3", "1.2.3", []string{"1.2.3"}},
		{"10.0rc1", "10.0rc1", []string{"10.0rc1", "10rc1"}},
	} {
		if got := versionSpellings(c.normalised, c.spelled); !slices.Equal(got, c.want) {
			t.Errorf("versionSpellings(%q, %q) = %q, want %q", c.normalised, c.spelled, got, c.want)
		}
	}
	if !sameVersion("5.0.0.dev0004", "5.0.0.dev4") || !sameVersion("1.0", "1.0.0") || sameVersion("1.0", "1.0.1") || sameVersion("x", "x") {
		t.Error("sameVersion")
	}
}

// TestFetchRefusesLyingSidecar checks that a sidecar disagreeing with its
// file's name is refused, naming the file and the field, instead of its
// project, version, kind or tags being recorded for the file.
func TestFetchRefusesLyingSidecar(t *testing.T) {
	const wheelName = "foo-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
	tests := map[string]struct {
		key   string
		lie   func(sc *Sidecar)
		field string
	}{
		"another project's file":  {key: "snapshots/v1.0/evil-1.0.tar.gz", field: "project"},
		"another version's file":  {key: "snapshots/v1.0/foo-2.0.tar.gz", field: "version"},
		"another file's name":     {key: "snapshots/v1.0/foo-1.0.tar.gz", lie: func(sc *Sidecar) { sc.File = "foo-1.0.zip" }, field: "file"},
		"an sdist as installer":   {key: "snapshots/v1.0/foo-1.0.tar.gz", lie: func(sc *Sidecar) { sc.Kind = dist.KindInstaller }, field: "kind"},
		"a wheel as archive":      {key: "snapshots/v1.0/" + wheelName, lie: func(sc *Sidecar) { sc.Kind = dist.KindArchive }, field: "kind"},
		"a linux wheel for win":   {key: "snapshots/v1.0/" + wheelName, lie: func(sc *Sidecar) { sc.Platform = "win_amd64" }, field: "platform"},
		"tags of another wheel":   {key: "snapshots/v1.0/" + wheelName, lie: func(sc *Sidecar) { sc.Tags = []string{"cp312-cp312-win_amd64"} }, field: "tags"},
		"an sdist for a platform": {key: "snapshots/v1.0/foo-1.0.tar.gz", lie: func(sc *Sidecar) { sc.Platform = "linux-x86_64" }, field: "platform"},
		"an archive for macOS": {
			key: "snapshots/v1.0/tool-1.0-linux-x86_64.tar.gz", lie: func(sc *Sidecar) { sc.Platform = "macos-arm64" }, field: "platform",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := newMemStore()
			sc := m.publish(t, tc.key, "foo", "1.0", []byte("bytes"))
			if tc.lie != nil {
				tc.lie(&sc)
				m.objs[tc.key+SidecarExt] = sc.Marshal()
			}
			dir := t.TempDir()
			_, err := Fetch(t.Context(), FetchOptions{Store: m, Project: "foo", Version: "1.0", Dir: dir})
			file := path.Base(tc.key)
			var me *SidecarMismatchError
			if !errors.As(err, &me) || me.Field != tc.field || me.File != file || !strings.Contains(err.Error(), file) {
				t.Fatalf("err = %v, want a *SidecarMismatchError naming %s and its %s", err, file, tc.field)
			}
			if es := dirEntries(t, dir); len(es) != 0 {
				t.Errorf("dist holds %q after a refused sidecar, want nothing", es)
			}
		})
	}

	t.Run("index link", func(t *testing.T) {
		ix := newIndex(t)
		data := []byte("wheel")
		ix.files["/files/"+wheelName] = data
		ix.files["/files/"+wheelName+SidecarExt] = Sidecar{Project: "foo", Version: "1.0", Kind: dist.KindSdist, File: wheelName, SHA256: sha(data), Size: int64(len(data))}.Marshal()
		ix.page = `<a href="/files/` + wheelName + `">x</a>`
		_, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
		var me *SidecarMismatchError
		if !errors.As(err, &me) || me.Field != "kind" || me.File != wheelName {
			t.Fatalf("err = %v, want a *SidecarMismatchError naming %s and its kind", err, wheelName)
		}
	})
}

// TestFetchIndexPartNameIsAFile checks that a listed file named like
// another's temporary download, x.tar.gz.part beside x.tar.gz, is fetched
// as itself and not overwritten by the download of x.tar.gz.
func TestFetchIndexPartNameIsAFile(t *testing.T) {
	const archive = "foo-1.0-linux-x86_64.tar.gz"
	ix := newIndex(t)
	ix.files["/files/"+archive] = []byte("the archive")
	ix.files["/files/"+archive+".part"] = []byte("a file of its own")
	var links strings.Builder
	for _, name := range []string{archive + ".part", archive} {
		fmt.Fprintf(&links, `<a href="/files/%s#sha256=%s">%[1]s</a>`, name, sha(ix.files["/files/"+name]))
	}
	ix.page = links.String()
	dir := t.TempDir()
	got, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), Project: "foo", Version: "1.0", Dir: dir, Retry: noWait, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("fetched %q, want both files", names(got))
	}
	for _, f := range got {
		checkContent(t, f.Path, ix.files["/files/"+f.Name])
	}
	for _, e := range dirEntries(t, dir) {
		if strings.HasPrefix(path.Base(e), ".") {
			t.Errorf("temporary file %s left behind", e)
		}
	}
}

// TestFetchIndexRedirectHopsFollowAllowHosts: a link on the page's own
// host that redirects to another host is held to the same rule as a link
// there: refused unless that host is allowed, at every hop.
func TestFetchIndexRedirectHopsFollowAllowHosts(t *testing.T) {
	data := []byte("elsewhere")
	var served atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Write(data)
	}))
	defer other.Close()
	ix := newIndex(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/p/foo-1.0.tar.gz", http.StatusFound)
	}))
	defer redirect.Close()
	// The page's own host redirects; so does an allowed host.
	ix.status = nil
	ix.page = `<a href="/go/foo-1.0.tar.gz#sha256=` + sha(data) + `">x</a>`
	ix.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/go/foo-1.0.tar.gz" {
			http.Redirect(w, r, redirect.URL+"/hop", http.StatusFound)
			return
		}
		ix.serve(w, r)
	})
	ru, _ := url.Parse(redirect.URL)
	ou, _ := url.Parse(other.URL)

	_, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
	if !errors.Is(err, ErrUnsafe) || served.Load() != 0 {
		t.Fatalf("redirect to a host not allowed: err %v, served %d; want ErrUnsafe before any request there", err, served.Load())
	}
	// Allowing the first hop is not enough: the second is checked too.
	_, err = Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), AllowHosts: []string{ru.Host}, Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
	if !errors.Is(err, ErrUnsafe) || served.Load() != 0 {
		t.Fatalf("second hop to a host not allowed: err %v, served %d; want ErrUnsafe", err, served.Load())
	}
	got, err := Fetch(t.Context(), FetchOptions{IndexURL: ix.url(), AllowHosts: []string{ru.Host, ou.Host}, Project: "foo", Version: "1.0", Dir: t.TempDir(), Retry: noWait})
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, got[0].Path, data)
}
