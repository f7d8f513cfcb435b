package store

import (
	"context"
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
