package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// faultTree wraps a store: it fails the nth upload and, at every upload,
// records what a reader sees under a prefix.
type faultTree struct {
	Store
	failAt int
	prefix string
	mu     sync.Mutex
	calls  int
	seen   [][]string
}

var errInjected = errors.New("injected upload failure")

func (f *faultTree) Upload(ctx context.Context, key, path string, o PutOptions) (Pending, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if n == f.failAt {
		return nil, errInjected
	}
	up, err := f.Store.Upload(ctx, key, path, o)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.seen = append(f.seen, treeKeys(ctx, f.Store, f.prefix))
	f.mu.Unlock()
	return up, nil
}

func treeKeys(ctx context.Context, st Store, prefix string) []string {
	objs, err := st.List(ctx, prefix)
	if err != nil {
		panic(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// writeTree makes a folder of files, name -> content.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readKey(t *testing.T, st Store, key string) string {
	t.Helper()
	r, _, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPublishTree(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "docs/main/"
	v1 := writeTree(t, map[string]string{"index.html": "v1", "old.html": "gone soon", "_static/a.css": "css1", ".doctrees/x": "hidden"})
	if _, err := PublishTree(ctx, d, prefix, v1, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	want1 := []string{"docs/main/_static/a.css", "docs/main/index.html", "docs/main/old.html"}
	if got := treeKeys(ctx, d, prefix); !slices.Equal(got, want1) {
		t.Fatalf("after the first publish: %v, want %v", got, want1)
	}

	v2 := writeTree(t, map[string]string{"index.html": "v2", "_static/a.css": "css2", "_static/b.js": "js", "new.html": "new"})
	t.Run("a failed upload leaves the old tree", func(t *testing.T) {
		f := &faultTree{Store: d, failAt: 3, prefix: prefix}
		_, err := PublishTree(ctx, f, prefix, v2, TreeOptions{Concurrency: 1})
		if !errors.Is(err, errInjected) {
			t.Fatalf("err = %v, want the injected failure", err)
		}
		if got := treeKeys(ctx, d, prefix); !slices.Equal(got, want1) {
			t.Fatalf("after a failed publish: %v, want %v", got, want1)
		}
		if got := readKey(t, d, "docs/main/index.html"); got != "v1" {
			t.Fatalf("index.html = %q, want the old v1", got)
		}
		if left := treeKeys(ctx, d, IncomingDir+"/"); len(left) > 0 {
			t.Fatalf("uploads left in flight: %v", left)
		}
	})
	t.Run("nothing new is visible until placed; stale files go", func(t *testing.T) {
		f := &faultTree{Store: d, prefix: prefix}
		res, err := PublishTree(ctx, f, prefix, v2, TreeOptions{Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i, keys := range f.seen {
			if !slices.Equal(keys, want1) {
				t.Fatalf("during upload %d a reader saw %v, want the old tree %v", i+1, keys, want1)
			}
		}
		want2 := []string{"docs/main/_static/a.css", "docs/main/_static/b.js", "docs/main/index.html", "docs/main/new.html"}
		if got := treeKeys(ctx, d, prefix); !slices.Equal(got, want2) {
			t.Fatalf("after the publish: %v, want %v", got, want2)
		}
		if !slices.Equal(res.Removed, []string{"docs/main/old.html"}) {
			t.Fatalf("removed %v, want old.html", res.Removed)
		}
		if got := readKey(t, d, "docs/main/index.html"); got != "v2" {
			t.Fatalf("index.html = %q, want v2", got)
		}
	})
	t.Run("a republish sends nothing unchanged", func(t *testing.T) {
		res, err := PublishTree(ctx, d, prefix, v2, TreeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Removed) != 0 || len(res.Placed) != 0 || len(res.Unchanged) != 4 {
			t.Fatalf("republish: %+v", res)
		}
	})
}

func TestPublishTreeRefuses(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{"index.html": "x"})
	for name, prefix := range map[string]string{
		"no slash": "docs/v1", "dotdot": "docs/../x/", "hidden": ".incoming/x/", "absolute": "/docs/", "empty": "/",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := PublishTree(context.Background(), d, prefix, dir, TreeOptions{}); !errors.Is(err, ErrUnsafe) {
				t.Fatalf("prefix %q: err = %v, want ErrUnsafe", prefix, err)
			}
		})
	}
	if _, err := PublishTree(context.Background(), d, "docs/x/", t.TempDir(), TreeOptions{}); err == nil {
		t.Fatal("an empty folder was published")
	}
}
