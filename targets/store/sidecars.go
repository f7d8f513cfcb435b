package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
)

// sidecar is what a's sidecar says when this build publishes it at now.
func (b Build) sidecar(a dist.Artifact, now time.Time) Sidecar {
	sc := a.Sidecar()
	sc.Project, sc.Describe, sc.Branch, sc.Tag, sc.JobURL = b.Project, b.Describe, b.Branch, b.Tag, b.JobURL
	sc.Family, sc.PublishedAt = Family(a.Name, a.Version, b.Version), now
	return sc
}

// readSidecars reads every sidecar directly in dir, keyed by the key of
// the artifact it describes; unreadable ones are skipped.
func readSidecars(ctx context.Context, st Store, dir string, concurrency int) (map[string]storedSidecar, error) {
	objs, err := st.List(ctx, dir+"/")
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, obj := range objs {
		if IsSidecar(obj.Key) && path.Dir(obj.Key) == dir {
			keys = append(keys, obj.Key)
		}
	}
	return loadSidecars(ctx, st, keys, concurrency)
}

// loadSidecars reads sidecars in parallel, keyed by artifact key.
// Sidecars that vanish or do not parse are left out: a reader cannot trust
// them, and the next publish rewrites them.
func loadSidecars(ctx context.Context, st Store, keys []string, concurrency int) (map[string]storedSidecar, error) {
	var mu sync.Mutex
	out := make(map[string]storedSidecar, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(concurrency, 8))
	for _, key := range keys {
		g.Go(func() error {
			rc, _, err := st.Open(gctx, key)
			if errors.Is(err, ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if err != nil {
				return fmt.Errorf("store: reading %s: %w", st.Location(key), err)
			}
			sc, err := parseStored(st.Location(key), data)
			if err != nil {
				return nil
			}
			mu.Lock()
			out[strings.TrimSuffix(key, SidecarExt)] = sc
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func readSidecar(ctx context.Context, st Store, key string) (storedSidecar, error) {
	rc, _, err := st.Open(ctx, key)
	if err != nil {
		return storedSidecar{}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return storedSidecar{}, err
	}
	return parseStored(st.Location(key), data)
}
