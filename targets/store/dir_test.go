package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestDirConcurrentRunsInIncoming has publishers create and empty their
// own run folders under .incoming at the same time: removing an emptied
// run folder never makes another publisher's write fail.
func TestDirConcurrentRunsInIncoming(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				key := fmt.Sprintf("%s/run-%d-%d/sub/f", IncomingDir, w, i)
				if err := d.Put(ctx, key, src, PutOptions{}); err != nil {
					errs <- err
					return
				}
				if err := d.Delete(ctx, key); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestDirUploadPlace: an upload stays out of sight until placed; a
// create-only place on a taken key fails with ErrExists, leaves the key's
// file alone and nothing under .incoming; a mismatched upload is refused.
func TestDirUploadPlace(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("new bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	const sum = "d5c5a3e1a2ac9b1ee7e8a1d0bd0b9a8bd8d86f8ee9e5b1c9a3bd9f08d3fbb8c8" // not the file's
	if _, err := d.Upload(ctx, "a/f", src, PutOptions{SHA256: sum}); !errors.Is(err, ErrMismatch) {
		t.Errorf("upload with another sha256: err = %v, want ErrMismatch", err)
	}
	up, err := d.Upload(ctx, "a/f", src, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stat(ctx, "a/f"); !errors.Is(err, ErrNotExist) {
		t.Errorf("before Place: Stat err = %v, want ErrNotExist", err)
	}
	if err := up.Place(ctx); err != nil {
		t.Fatal(err)
	}
	if err := up.Discard(ctx); err != nil {
		t.Errorf("Discard after Place: %v", err)
	}
	if _, err := d.Stat(ctx, "a/f"); err != nil {
		t.Errorf("after Discard of a placed upload: %v", err)
	}
	if err := os.WriteFile(src, []byte("other bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	up, err = d.Upload(ctx, "a/f", src, PutOptions{CreateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := up.Place(ctx); !errors.Is(err, ErrExists) {
		t.Errorf("create-only Place on a taken key: err = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(d.Location("a/f")); string(got) != "new bytes" {
		t.Errorf("a/f holds %q after a refused create-only Place", got)
	}
	if left, _ := os.ReadDir(d.Location(IncomingDir)); len(left) != 0 {
		t.Errorf("left under .incoming: %v", left)
	}
}
