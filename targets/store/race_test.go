package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// holdStore keeps the first PutBytes (op "PUT") or Verify (op "HEAD") of
// key waiting until release is closed, and closes reached when it gets
// there: in a folder, what the fault proxy's "hold" does to a request.
type holdStore struct {
	Store
	op, key          string
	once             sync.Once
	reached, release chan struct{}
}

func (h *holdStore) hold(ctx context.Context, op, key string) error {
	if op != h.op || key != h.key {
		return nil
	}
	held := false
	h.once.Do(func() { close(h.reached); held = true })
	if !held {
		return nil
	}
	select {
	case <-h.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *holdStore) PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error {
	if err := h.hold(ctx, http.MethodPut, key); err != nil {
		return err
	}
	return h.Store.PutBytes(ctx, key, data, o)
}

func (h *holdStore) Verify(ctx context.Context, key string, size int64, sum string) error {
	if err := h.hold(ctx, http.MethodHead, key); err != nil {
		return err
	}
	return h.Store.Verify(ctx, key, size, sum)
}

// racer is one side of a race: the store a publisher writes through, a
// channel closed once one of its requests is held, and the function that
// lets it go on.
type racer struct {
	store   Store
	reached <-chan struct{}
	release func()
}

// TestRacingBranchPublishersConverge has two jobs publish the same file of
// a branch with different bytes (a rebuilt sdist) at once, one of them
// held at a chosen request so that the other publishes whole in between:
//
//   - sidecar late: A puts its file in place, B puts its own over it and
//     publishes it whole, then A writes its sidecar beside B's bytes;
//   - check late: A publishes whole, B replaces file and sidecar, then A
//     looks at the file again.
//
// After both succeed, the file is the one its sidecar describes (the last
// sidecar's writer's), and fetch takes it.
func TestRacingBranchPublishersConverge(t *testing.T) {
	const version = "5.0.1.dev3"
	name := "greet-" + version + ".tar.gz"
	key := BranchDir("main") + "/" + name
	// Each backend, set up once in its subtest, returns a function giving
	// A's side of the race, held at the first request of method to
	// heldKey, and the store B and the checks use directly.
	type newRace func(t *testing.T, method, heldKey string) (racer, Store)
	backends := map[string]func(t *testing.T) newRace{
		"dir": func(*testing.T) newRace {
			return func(t *testing.T, method, heldKey string) (racer, Store) {
				d, err := NewDir(filepath.Join(t.TempDir(), "store"))
				if err != nil {
					t.Fatal(err)
				}
				h := &holdStore{Store: d, op: method, key: heldKey, reached: make(chan struct{}), release: make(chan struct{})}
				var rel sync.Once
				release := func() { rel.Do(func() { close(h.release) }) }
				t.Cleanup(release)
				return racer{store: h, reached: h.reached, release: release}, d
			}
		},
		"s3": func(t *testing.T) newRace {
			m := testenv.StartMinIO(t)
			n := 0
			return func(t *testing.T, method, heldKey string) (racer, Store) {
				n++
				bucket := fmt.Sprintf("race-%d", n)
				m.MakeBucket(bucket, false)
				reached := make(chan struct{})
				var hold sync.Once
				proxy := newFaultProxy(t, m.Endpoint, func(_ int64, r *http.Request) string {
					fault := ""
					if r.Method == method && strings.HasSuffix(r.URL.Path, "/"+heldKey) {
						hold.Do(func() { close(reached); fault = "hold" })
					}
					return fault
				})
				return racer{store: minioStore(t, m, bucket, proxy.URL, S3Options{}), reached: reached, release: proxy.Release},
					minioStore(t, m, bucket, m.Endpoint, S3Options{})
			}
		},
	}
	orders := []struct {
		name            string
		method, heldKey string
		winner          string // whose bytes stay
	}{
		{name: "sidecar late", method: http.MethodPut, heldKey: key + SidecarExt, winner: "A"},
		{name: "check late", method: http.MethodHead, heldKey: key, winner: "B"},
	}
	for _, backend := range []string{"dir", "s3"} {
		t.Run(backend, func(t *testing.T) {
			race := backends[backend](t)
			for _, order := range orders {
				for _, earlier := range []bool{false, true} { // a previous build's file is in place: the jobs replace it
					t.Run(fmt.Sprintf("%s/earlier=%v", order.name, earlier), func(t *testing.T) {
						a, st := race(t, order.method, order.heldKey)
						ctx := context.Background()
						sdist := func(body string) PublishOptions {
							dir, arts := buildDist(t, version, "any", dist.KindSdist)
							path := filepath.Join(dir, arts[0].Name)
							if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
								t.Fatal(err)
							}
							sum, size, err := dist.Hash(path)
							if err != nil {
								t.Fatal(err)
							}
							arts[0].SHA256, arts[0].Size = sum, size
							return PublishOptions{Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: version, Branch: "main"}}
						}
						if earlier {
							o := sdist("sdist built by an earlier run\n")
							o.Store = st
							if _, err := Publish(ctx, o); err != nil {
								t.Fatal(err)
							}
						}
						bodies := map[string]string{"A": "sdist built by job A\n", "B": "sdist built by job B, a little longer\n"}
						oa, ob := sdist(bodies["A"]), sdist(bodies["B"])
						oa.Store, ob.Store = a.store, st

						errA := make(chan error, 1)
						go func() {
							_, err := Publish(ctx, oa)
							errA <- err
						}()
						select {
						case <-a.reached:
						case err := <-errA:
							t.Fatalf("A finished without a %s of %s: %v", order.method, order.heldKey, err)
						case <-time.After(time.Minute):
							t.Fatalf("A never sent a %s of %s", order.method, order.heldKey)
						}
						_, errB := Publish(ctx, ob)
						a.release()
						if err := errors.Join(<-errA, errB); err != nil {
							t.Fatal(err)
						}

						sc, err := ParseSidecar(key, []byte(read(t, st, key+SidecarExt)))
						if err != nil {
							t.Fatal(err)
						}
						data := read(t, st, key)
						sum := sha256.Sum256([]byte(data))
						if got := hex.EncodeToString(sum[:]); got != sc.SHA256 || int64(len(data)) != sc.Size {
							t.Fatalf("%s holds %q (sha256 %s, %d bytes), its sidecar says sha256 %s, %d bytes", key, data, got, len(data), sc.SHA256, sc.Size)
						}
						if want := bodies[order.winner]; data != want {
							t.Errorf("%s holds %q, want %q: the last sidecar's writer's", key, data, want)
						}
						if idx := read(t, st, IndexFile); !strings.Contains(idx, key+"#sha256="+sc.SHA256) {
							t.Errorf("index.html does not list %s with sha256 %s:\n%s", key, sc.SHA256, idx)
						}
						fetched, err := Fetch(ctx, FetchOptions{Store: st, Project: "greet", Version: version, Dir: t.TempDir()})
						if err != nil {
							t.Fatalf("fetch after both published: %v", err)
						}
						if len(fetched) != 1 || fetched[0].Name != name {
							t.Fatalf("fetched %+v, want %s", fetched, name)
						}
						if got, err := os.ReadFile(fetched[0].Path); err != nil || string(got) != data {
							t.Errorf("fetched %q, %v; want %q", got, err, data)
						}
					})
				}
			}
		})
	}
}

// rivalStore stands for a job that puts other bytes at key each time a
// sidecar of key is written, however often.
type rivalStore struct {
	Store
	key   string
	bytes []byte
}

func (r *rivalStore) PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error {
	if err := r.Store.PutBytes(ctx, key, data, o); err != nil || key != r.key+SidecarExt {
		return err
	}
	return r.Store.PutBytes(ctx, r.key, r.bytes, o)
}

// TestPublishGivesUpOnAFileAnotherJobKeepsReplacing: a publisher puts its
// file back a few times, then fails naming the file, rather than exit 0
// beside bytes its sidecar does not describe.
func TestPublishGivesUpOnAFileAnotherJobKeepsReplacing(t *testing.T) {
	d, err := NewDir(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	dir, arts := buildDist(t, "5.0.1.dev3", "any", dist.KindSdist)
	key := BranchDir("main") + "/" + arts[0].Name
	st := &rivalStore{Store: d, key: key, bytes: []byte("another job's sdist\n")}
	_, err = Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts,
		Build: Build{Project: "greet", Version: "5.0.1.dev3", Branch: "main"}})
	if err == nil {
		t.Fatal("publish succeeded while another job kept replacing its file")
	}
	for _, want := range []string{d.Location(key), "another job keeps publishing this file", arts[0].SHA256} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
