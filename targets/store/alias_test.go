package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// testCopyLimit splits buildDist's files: its archives (3200 bytes at
// version 1.0.0) get pointers, its installers (2900 bytes) copies.
const testCopyLimit = 3000

var errNoSymlinks = errors.New("symlinks not allowed here")

// pointerStore is a store of pointerBackends.
type pointerStore struct {
	Store
	pointers  bool      // whether its large files' aliases are pointers
	redirects *sync.Map // S3: key to the website redirect its PUT carried
}

// pointerBackends returns fresh stores whose aliases of files from
// testCopyLimit bytes up are pointers where they make any: a folder with
// symlinks links everything cheaply and makes none.
func pointerBackends(parent *testing.T) map[string]func(t *testing.T) pointerStore {
	var m *testenv.MinIO
	n := 0
	return map[string]func(t *testing.T) pointerStore{
		"dir": func(t *testing.T) pointerStore {
			d, err := NewDir(filepath.Join(t.TempDir(), "store"))
			if err != nil {
				t.Fatal(err)
			}
			d.copyLimit = testCopyLimit
			return pointerStore{Store: d}
		},
		"dir-without-symlinks": func(t *testing.T) pointerStore {
			return pointerStore{Store: noSymlinkDir(t, testCopyLimit), pointers: true}
		},
		"s3": func(t *testing.T) pointerStore {
			if m == nil {
				m = testenv.StartMinIO(parent)
			}
			n++
			bucket := fmt.Sprintf("pointers-%d", n)
			m.MakeBucket(bucket, false)
			// MinIO has no website hosting and drops the redirect: what
			// the requests carried is recorded on the way.
			redirects := &sync.Map{}
			proxy := newFaultProxy(t, m.Endpoint, func(_ int64, r *http.Request) string {
				if to := r.Header.Get("X-Amz-Website-Redirect-Location"); r.Method == http.MethodPut && to != "" {
					redirects.Store(strings.TrimPrefix(r.URL.Path, "/"+bucket+"/greet/"), to)
				}
				return ""
			})
			for _, kv := range m.Env() {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			st, err := Open(context.Background(), "s3://"+bucket+"/greet?endpoint="+proxy.URL, "", S3Options{MaxAttempts: 3, LatestCopyLimit: testCopyLimit})
			if err != nil {
				t.Fatal(err)
			}
			return pointerStore{Store: st, pointers: true, redirects: redirects}
		},
	}
}

// noSymlinkDir is a folder store on a file system without symlinks.
func noSymlinkDir(t *testing.T, limit int64) *Dir {
	t.Helper()
	d, err := NewDir(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	d.copyLimit = limit
	d.symlink = func(string, string) error { return errNoSymlinks }
	return d
}

func TestPublishLatestPointer(t *testing.T) {
	ctx := context.Background()
	for name, newStore := range pointerBackends(t) {
		t.Run(name, func(t *testing.T) {
			ps := newStore(t)
			st, pointers := ps.Store, ps.pointers
			dir, arts := buildDist(t, "1.0.0", "linux_x86_64", allKinds...)
			archive, installer := arts[2], arts[3]
			if archive.Size < testCopyLimit || installer.Size >= testCopyLimit {
				t.Fatalf("test files of %d and %d bytes do not straddle the limit", archive.Size, installer.Size)
			}
			res, err := Publish(ctx, PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "1.0.0", Tagged: true}})
			if err != nil {
				t.Fatal(err)
			}
			archiveAlias, installerAlias := "snapshots/greet-latest-linux_x86_64.tar.gz", "snapshots/greet-latest-linux_x86_64.run"
			archiveKey, installerKey := "snapshots/v1.0.0/"+archive.Name, "snapshots/v1.0.0/"+installer.Name
			if want := []string{installerAlias, archiveAlias}; !slices.Equal(res.Latest, want) {
				t.Errorf("latest = %q, want %q", res.Latest, want)
			}
			wantPointers := map[string]string{}
			if pointers {
				wantPointers[archiveAlias] = archiveKey
			}
			if !mapsEqual(res.Pointers, wantPointers) {
				t.Errorf("pointers = %v, want %v", res.Pointers, wantPointers)
			}

			// A small file's alias is a whole copy (or symlink): a plain URL
			// gets the file.
			if got, want := read(t, st, installerAlias), readFile(t, dir, installer); got != want {
				t.Errorf("%s holds %.40q, want a copy of %s", installerAlias, got, installer.Name)
			}
			aliasSC := storedAlias(t, st, installerAlias)
			if aliasSC.Pointer || aliasSC.AliasOf != installerKey || aliasSC.SHA256 != installer.SHA256 {
				t.Errorf("%s sidecar = %+v", installerAlias, aliasSC)
			}

			// A large file's alias is a pointer: a page naming the file,
			// written after it, and said so by its sidecar.
			page := read(t, st, archiveAlias)
			aliasSC = storedAlias(t, st, archiveAlias)
			if aliasSC.Pointer != pointers || aliasSC.AliasOf != archiveKey || aliasSC.SHA256 != archive.SHA256 || aliasSC.Size != archive.Size {
				t.Errorf("%s sidecar = %+v, want pointer %v to %s", archiveAlias, aliasSC, pointers, archiveKey)
			}
			target, isPointer := pointerTarget(archiveAlias, []byte(page))
			switch {
			case !pointers && page != readFile(t, dir, archive):
				t.Errorf("%s holds %.60q, want the file", archiveAlias, page)
			case pointers && (!isPointer || target != archiveKey):
				t.Errorf("%s holds %q, want a pointer page to %s", archiveAlias, page, archiveKey)
			case pointers && !strings.Contains(page, archive.SHA256):
				t.Errorf("pointer page does not name the sha256:\n%s", page)
			}
			if ps.redirects != nil {
				// S3 static website hosting answers the alias with a 301.
				got, _ := ps.redirects.Load(archiveAlias)
				if want := "/greet/" + archiveKey; got != want {
					t.Errorf("website redirect of %s = %v, want %q", archiveAlias, got, want)
				}
				if got, ok := ps.redirects.Load(installerAlias); ok {
					t.Errorf("the copy %s redirects to %v", installerAlias, got)
				}
				if err := st.Verify(ctx, archiveAlias, archive.Size, archive.SHA256); err == nil {
					t.Error("a pointer passes for the file it names")
				}
			}

			// The download page links the pointer's row to the file itself,
			// and a copy's row to the alias.
			index := read(t, st, IndexFile)
			archiveHref := `href="` + archiveAlias + `#sha256=`
			if pointers {
				archiveHref = `href="` + archiveKey + `#sha256=`
			}
			i := strings.Index(index, `id="stable"`)
			if i < 0 {
				t.Fatalf("index.html has no stable links:\n%s", index)
			}
			stable := index[i:]
			for _, want := range []string{archiveHref + archive.SHA256 + `"`, `href="` + installerAlias + `#sha256=` + installer.SHA256 + `"`, "greet-latest-linux_x86_64.tar.gz</a>"} {
				if !strings.Contains(stable, want) {
					t.Errorf("stable links lack %s:\n%s", want, stable)
				}
			}
			if pointers && strings.Contains(index, `href="`+archiveAlias) {
				t.Errorf("index.html links the pointer itself:\n%s", index)
			}

			// fetch gets the file, checked, from the store and from the page.
			srv := httptest.NewServer(storeHandler(st))
			defer srv.Close()
			for how, o := range map[string]FetchOptions{"store": {Store: st}, "page": {IndexURL: srv.URL + "/" + IndexFile}} {
				o.Project, o.Version, o.Dir = "greet", "1.0.0", t.TempDir()
				got, err := Fetch(ctx, o)
				if err != nil {
					t.Fatalf("fetch from the %s: %v", how, err)
				}
				i := slices.IndexFunc(got, func(f Fetched) bool { return f.Name == archive.Name })
				if i < 0 || len(got) != len(arts) {
					t.Fatalf("fetch from the %s got %q", how, names(got))
				}
				if data, _ := os.ReadFile(got[i].Path); string(data) != readFile(t, dir, archive) || got[i].SHA256 != archive.SHA256 {
					t.Errorf("fetch from the %s: %s holds %.40q", how, archive.Name, data)
				}
			}

			// A sweep a day later leaves the pointer and its file.
			if _, err := Publish(ctx, PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "1.0.0", Tagged: true},
				Now: func() time.Time { return time.Now().Add(25 * time.Hour) }}); err != nil {
				t.Fatal(err)
			}
			if err := st.Verify(ctx, archiveKey, archive.Size, archive.SHA256); err != nil {
				t.Error(err)
			}
			if got := read(t, st, archiveAlias); got != page {
				t.Errorf("after a sweep %s holds %.60q", archiveAlias, got)
			}
		})
	}
}

func TestBranchPointerMovesForwardOnly(t *testing.T) {
	ctx := context.Background()
	for name, newStore := range pointerBackends(t) {
		t.Run(name, func(t *testing.T) {
			ps := newStore(t)
			st, pointers := ps.Store, ps.pointers
			alias := "branches/main/greet-latest-linux_x86_64.tar.gz"
			publish := func(version string) *Result {
				t.Helper()
				dir, arts := buildDist(t, version, "linux_x86_64", dist.KindArchive)
				res, err := Publish(ctx, PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: version, Branch: "main"}})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			publish("1.0.1.dev1")
			res := publish("1.0.1.dev2")
			newest := "branches/main/greet-1.0.1.dev2-linux_x86_64.tar.gz"
			if !slices.Equal(res.Pruned, []string{"branches/main/greet-1.0.1.dev1-linux_x86_64.tar.gz"}) {
				t.Errorf("pruned %q", res.Pruned)
			}
			if pointers && res.Pointers[alias] != newest {
				t.Errorf("pointers %v, want %s to %s", res.Pointers, alias, newest)
			}
			// An older build published late neither takes latest nor
			// removes what the pointer names.
			res = publish("1.0.1.dev1")
			if len(res.Latest) != 0 || slices.Contains(res.Pruned, newest) {
				t.Errorf("the older build moved latest (%q) or pruned the newer (%q)", res.Latest, res.Pruned)
			}
			if sc := storedAlias(t, st, alias); sc.AliasOf != newest || sc.Pointer != pointers {
				t.Errorf("alias sidecar %+v, want it at %s", sc, newest)
			}
			if _, err := st.Stat(ctx, newest); err != nil {
				t.Errorf("the file latest names: %v", err)
			}
			if target, ok := pointerTarget(alias, []byte(read(t, st, alias))); ok != pointers || ok && target != newest {
				t.Errorf("alias points at %q (%v)", target, ok)
			}
		})
	}
}

// TestPruneSparesPointedFile races two publishers of a branch: the older
// build's slower publisher points latest at its file after the newer one
// moved it, and before the newer one prunes the older build. The prune
// leaves that file, so the pointer never leads nowhere; the next publish
// moves latest forward again and prunes it.
func TestPruneSparesPointedFile(t *testing.T) {
	ctx := context.Background()
	d := noSymlinkDir(t, 1)
	alias := "branches/main/greet-latest-linux_x86_64.tar.gz"
	old := "branches/main/greet-1.0.1.dev1-linux_x86_64.tar.gz"
	publish := func(st Store, version string) *Result {
		t.Helper()
		dir, arts := buildDist(t, version, "linux_x86_64", dist.KindArchive)
		res, err := Publish(ctx, PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: version, Branch: "main"}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	publish(d, "1.0.1.dev1")
	racer := &afterAliasStore{Store: d, alias: alias + SidecarExt, then: func() {
		// What the older build's publisher writes, having read the alias
		// before the newer one moved it.
		file, err := readSidecar(ctx, d, old+SidecarExt)
		if err != nil {
			t.Fatal(err)
		}
		sc := aliasSidecar{Sidecar: file.Sidecar, Pointer: true}
		sc.AliasOf, sc.File = old, path.Base(alias)
		if _, err := d.Link(ctx, alias, old, PutOptions{SHA256: sc.SHA256}); err != nil {
			t.Fatal(err)
		}
		if err := d.PutBytes(ctx, alias+SidecarExt, sc.Marshal(), sidecarOptions); err != nil {
			t.Fatal(err)
		}
	}}
	res := publish(racer, "1.0.1.dev2")
	if racer.fired.Load() != 1 {
		t.Fatal("the racing publisher did not run")
	}
	if slices.Contains(res.Pruned, old) {
		t.Errorf("pruned %s while latest points at it", old)
	}
	if _, err := d.Stat(ctx, old); err != nil {
		t.Errorf("latest points at %s: %v", old, err)
	}
	if target, ok := pointerTarget(alias, []byte(read(t, d, alias))); !ok || target != old {
		t.Fatalf("alias points at %q", target)
	}
	res = publish(d, "1.0.1.dev3")
	if want := "branches/main/greet-1.0.1.dev3-linux_x86_64.tar.gz"; res.Pointers[alias] != want || !slices.Contains(res.Pruned, old) {
		t.Errorf("next publish: pointers %v, pruned %q", res.Pointers, res.Pruned)
	}
}

// TestPointerToRemovedFileMoves: a pointer left at a file since removed
// (the window of TestPruneSparesPointedFile lost) does not hold latest
// back, even at a newer version.
func TestPointerToRemovedFileMoves(t *testing.T) {
	ctx := context.Background()
	d := noSymlinkDir(t, 1)
	alias := "branches/main/greet-latest-linux_x86_64.tar.gz"
	dir, arts := buildDist(t, "1.0.1.dev5", "linux_x86_64", dist.KindArchive)
	o := PublishOptions{Store: d, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "1.0.1.dev5", Branch: "main"}}
	if _, err := Publish(ctx, o); err != nil {
		t.Fatal(err)
	}
	gone := "branches/main/" + arts[0].Name
	if err := d.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	dir, arts = buildDist(t, "1.0.1.dev4", "linux_x86_64", dist.KindArchive)
	res, err := Publish(ctx, PublishOptions{Store: d, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "1.0.1.dev4", Branch: "main"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "branches/main/" + arts[0].Name; res.Pointers[alias] != want {
		t.Errorf("pointers %v, want %s moved to %s", res.Pointers, alias, want)
	}
	if strings.Contains(read(t, d, IndexFile), gone) {
		t.Error("index.html links the removed file")
	}
}

func TestRelativeHref(t *testing.T) {
	for name, tc := range map[string]struct{ dir, key, want string }{
		"tag":        {dir: "snapshots", key: "snapshots/v1.0.0/greet-1.0.0.tar.gz", want: "v1.0.0/greet-1.0.0.tar.gz"},
		"branch":     {dir: "branches/main", key: "branches/main/greet-1.0.1.dev1.tar.gz", want: "greet-1.0.1.dev1.tar.gz"},
		"elsewhere":  {dir: "branches/main", key: "snapshots/v1/x", want: "../../snapshots/v1/x"},
		"escaped":    {dir: "branches/a", key: "branches/a/x#1 %.run", want: "x%231%20%25.run"},
		"colon":      {dir: "branches/a", key: "branches/a/c:d", want: "./c:d"},
		"same-named": {dir: "a/b", key: "a/b", want: "../b"},
	} {
		if got := relativeHref(tc.dir, tc.key); got != tc.want {
			t.Errorf("%s: relativeHref(%q, %q) = %q, want %q", name, tc.dir, tc.key, got, tc.want)
		}
	}
}

// afterAliasStore runs then once, right after the sidecar at alias is
// written.
type afterAliasStore struct {
	Store
	alias string
	then  func()
	fired atomic.Int32
}

func (a *afterAliasStore) PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error {
	if err := a.Store.PutBytes(ctx, key, data, o); err != nil {
		return err
	}
	if key == a.alias && a.fired.Add(1) == 1 {
		a.then()
	}
	return nil
}

// storeHandler serves a store over HTTP, as a web server in front of a
// folder or a bucket's endpoint would.
func storeHandler(st Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, _, err := st.Open(r.Context(), strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer rc.Close()
		io.Copy(w, rc)
	})
}

func storedAlias(t *testing.T, st Store, alias string) storedSidecar {
	t.Helper()
	sc, err := readSidecar(context.Background(), st, alias+SidecarExt)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func readFile(t *testing.T, dir string, a dist.Artifact) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, a.Path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
