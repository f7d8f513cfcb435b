//go:build linux

package targets_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/store"
)

// crashStore is one kind of store the snapshot crashes publish to.
type crashStore struct {
	kind string
	url  func(name string) string // the URL of a store of that name
	env  []string                 // what mage needs to reach it
}

// storeState is what a reader of a store can see.
type storeState struct {
	keys      []string          // every object, .incoming left out
	published map[string]string // artifact key -> sha256 of its sidecar, for artifacts with both
	links     []string          // "page -> key#sha256" of every index page
}

func (s storeState) equal(o storeState) bool {
	return slices.Equal(s.keys, o.keys) && maps.Equal(s.published, o.published) && slices.Equal(s.links, o.links)
}

func (s storeState) String() string {
	return fmt.Sprintf("keys %q\npublished %v\nlinks %q", s.keys, s.published, s.links)
}

// isPage reports whether key is an index page rather than an artifact.
func isPage(key string) bool { return path.Base(key) == store.IndexFile }

func readObject(ctx context.Context, st store.Store, key string) ([]byte, error) {
	rc, _, err := st.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// readStore lists a store as a reader sees it, checking what a reader
// relies on: each artifact beside a sidecar has the sidecar's size and
// sha256, each artifact at all is a complete file of a known build
// (want: name -> sha256), sidecars parse, and index pages link only to
// published files with their sha256. Links to files that are gone are
// returned apart: an index written before a prune still names them.
func readStore(ctx context.Context, st store.Store, want map[string]string) (storeState, []string, error) {
	s := storeState{published: map[string]string{}}
	objs, err := st.List(ctx, "")
	if err != nil {
		return s, nil, err
	}
	present := map[string]bool{}
	for _, o := range objs {
		s.keys = append(s.keys, o.Key)
		present[o.Key] = true
	}
	var errs []error
	sums, sizes := map[string]string{}, map[string]int64{}
	for _, key := range s.keys {
		if store.IsSidecar(key) || isPage(key) {
			continue
		}
		data, err := readObject(ctx, st, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sums[key], sizes[key] = fileSHA256(data), int64(len(data))
		if w, ok := want[path.Base(key)]; !ok || w != sums[key] {
			errs = append(errs, fmt.Errorf("%s is not a complete file of a build: sha256 %s (%d bytes), the build's is %q", st.Location(key), sums[key], len(data), w))
		}
	}
	for _, key := range s.keys {
		if !store.IsSidecar(key) {
			continue
		}
		data, err := readObject(ctx, st, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sc, err := store.ParseSidecar(key, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("a sidecar readers cannot trust: %w", err))
			continue
		}
		art := strings.TrimSuffix(key, store.SidecarExt)
		sum, ok := sums[art]
		if !ok {
			continue // the file is pruned first; its sidecar goes next
		}
		if sum != sc.SHA256 || sizes[art] != sc.Size {
			errs = append(errs, fmt.Errorf("%s has sha256 %s (%d bytes), its sidecar says %s (%d bytes)", st.Location(art), sum, sizes[art], sc.SHA256, sc.Size))
		}
		s.published[art] = sc.SHA256
	}
	var dangling []string
	for _, page := range s.keys {
		if !isPage(page) {
			continue
		}
		data, err := readObject(ctx, st, page)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		base := &url.URL{Scheme: "http", Host: "store.invalid", Path: "/" + page}
		links, err := store.ParseLinks(base, bytes.NewReader(data))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, l := range links {
			if l.SHA256 == "" {
				continue // a link to a project page
			}
			key := strings.TrimPrefix(l.URL.Path, "/")
			s.links = append(s.links, page+" -> "+key+"#"+l.SHA256)
			switch {
			case !present[key]:
				dangling = append(dangling, page+" -> "+key)
			case s.published[key] == "":
				errs = append(errs, fmt.Errorf("%s links %s, which has no sidecar", page, key))
			case s.published[key] != l.SHA256:
				errs = append(errs, fmt.Errorf("%s links %s with sha256 %s, the file has %s", page, key, l.SHA256, s.published[key]))
			}
		}
	}
	slices.Sort(s.links)
	return s, dangling, errors.Join(errs...)
}

// copyStore copies every object of from, .incoming left out, into to.
func copyStore(ctx context.Context, from, to store.Store) error {
	objs, err := from.List(ctx, "")
	if err != nil {
		return err
	}
	for _, o := range objs {
		data, err := readObject(ctx, from, o.Key)
		if err != nil {
			return err
		}
		if err := to.PutBytes(ctx, o.Key, data, store.PutOptions{SHA256: o.SHA256}); err != nil {
			return err
		}
	}
	return nil
}

// hiddenLeftovers lists the hidden files of a folder store outside
// .incoming: temporary files of writes a kill interrupted, which no reader
// sees and nothing removes.
func hiddenLeftovers(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == store.IncomingDir {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func crashSnapshot(t *testing.T, bin string) {
	ctx := t.Context()
	folders := t.TempDir()
	kinds := []crashStore{{
		kind: "folder",
		url:  func(name string) string { return filepath.Join(folders, name) },
	}}
	if _, err := servers.Binary("PYRELEASE_MINIO", "minio"); err == nil || testenv.InCI() {
		minio := testenv.StartMinIO(t)
		minio.MakeBucket("crash", false)
		// The checks read the bucket with package store, which takes its
		// credentials from the environment, as mage does.
		minio.SetEnv(t)
		kinds = append(kinds, crashStore{
			kind: "s3",
			url:  func(name string) string { return "s3://crash/" + name + "?endpoint=" + minio.Endpoint },
			env:  minio.Env(),
		})
	} else {
		t.Log("no MinIO: the snapshot crashes publish to a folder only")
	}
	open := func(t *testing.T, u string) store.Store {
		t.Helper()
		st, err := store.Open(ctx, u, "", store.S3Options{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	storeEnv := func(k crashStore, u string) []string { return append([]string{"PYRELEASE_STORE=" + u}, k.env...) }

	// Every store starts with the previous build of the branch
	// published: the crashed run publishes the next one, prunes the
	// previous one and rewrites the index pages.
	p := newCrashProject(t, bin)
	p.git(t, "commit", "-q", "--allow-empty", "-m", "More work")
	p.mage(t, nil, "wheel")
	templates := map[string]string{}
	for _, k := range kinds {
		templates[k.kind] = k.url("template")
		p.mage(t, storeEnv(k, templates[k.kind]), "snapshot")
	}
	p.git(t, "commit", "-q", "--allow-empty", "-m", "Even more work")
	p.mage(t, nil, "wheel")
	want := p.recorded(t)
	fresh := func(t *testing.T, k crashStore, name string) (string, store.Store) {
		t.Helper()
		u := k.url(name)
		st := open(t, u)
		if err := copyStore(ctx, open(t, templates[k.kind]), st); err != nil {
			t.Fatal(err)
		}
		return u, st
	}

	// Uninterrupted runs per kind: the end state, and how long one takes
	// at least, so that nearly every kill lands inside the run.
	final := map[string]storeState{}
	totals := map[string]time.Duration{}
	for _, k := range kinds {
		totals[k.kind] = math.MaxInt64
		for i := range 3 {
			u, st := fresh(t, k, fmt.Sprintf("reference-%d", i))
			r := p.mage(t, storeEnv(k, u), "snapshot")
			s, dangling, err := readStore(ctx, st, want)
			if err == nil && len(dangling) > 0 {
				err = fmt.Errorf("index links to missing files: %q", dangling)
			}
			if err != nil {
				t.Fatalf("%s store after an uninterrupted mage snapshot: %v", k.kind, err)
			}
			if i > 0 && !s.equal(final[k.kind]) {
				t.Fatalf("two uninterrupted runs left different %s stores:\n%s\n---\n%s", k.kind, final[k.kind], s)
			}
			final[k.kind], totals[k.kind] = s, min(totals[k.kind], r.elapsed)
		}
		t.Logf("uninterrupted mage snapshot to a %s store: %s; published %v", k.kind, totals[k.kind].Round(time.Millisecond), slices.Sorted(maps.Keys(final[k.kind].published)))
	}

	for _, seed := range crashSeedList() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			var errs []error
			for _, k := range kinds {
				u, st := fresh(t, k, fmt.Sprintf("seed-%d", seed))
				delay := crashDelay(seed, totals[k.kind])
				r := p.launch(t, delay, storeEnv(k, u), "snapshot")
				logCrash(t, seed, "snapshot to a "+k.kind+" store", delay, totals[k.kind], r)
				if !r.killed && r.err != nil {
					errs = append(errs, fmt.Errorf("%s: mage snapshot failed without a kill: %v\n%s", k.kind, r.err, r.output()))
					continue
				}
				_, dangling, err := readStore(ctx, st, want)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s store after the kill: %w", k.kind, err))
				}
				if len(dangling) > 0 {
					t.Logf("seed %d: after the kill the %s store's index links to files pruned already: %q", seed, k.kind, dangling)
				}
				if r := p.launch(t, -1, storeEnv(k, u), "snapshot"); r.err != nil {
					errs = append(errs, fmt.Errorf("%s: mage snapshot after the kill: %v\n%s", k.kind, r.err, r.output()))
					continue
				}
				s, dangling, err := readStore(ctx, st, want)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s store after the re-run: %w", k.kind, err))
				}
				if len(dangling) > 0 {
					errs = append(errs, fmt.Errorf("%s store after the re-run: the index links to missing files: %q", k.kind, dangling))
				}
				if !s.equal(final[k.kind]) {
					errs = append(errs, fmt.Errorf("%s store after the re-run differs from an uninterrupted run's:\n%s\n--- uninterrupted:\n%s", k.kind, s, final[k.kind]))
				}
				if d, ok := st.(*store.Dir); ok {
					if left := hiddenLeftovers(d.Root()); len(left) > 0 {
						t.Logf("seed %d: temporary files left in the %s store: %q", seed, k.kind, left)
					}
				}
			}
			failSeed(t, seed, errs)
		})
	}
}

// --- mage release ---
