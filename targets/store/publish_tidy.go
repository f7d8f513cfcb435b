package store

import (
	"cmp"
	"context"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// stale returns, for the families of arts, the keys in dir beyond the
// newest keep builds. This build's files are always kept.
func stale(sidecars map[string]Sidecar, dir string, arts []dist.Artifact, o PublishOptions) []string {
	ours := map[string]bool{}
	families := map[string]bool{}
	for _, a := range arts {
		ours[dir+"/"+a.Name] = true
		if f := Family(a.Name, a.Version, o.Build.Version); f != "" {
			families[f] = true
		}
	}
	byFamily := map[string][]string{}
	for key, sc := range sidecars {
		if sc.AliasOf != "" || path.Dir(key) != dir || !families[sc.Family] {
			continue
		}
		byFamily[sc.Family] = append(byFamily[sc.Family], key)
	}
	var out []string
	for _, keys := range byFamily {
		slices.SortFunc(keys, func(a, b string) int { return newerFirst(sidecars[a], sidecars[b]) })
		kept := 0
		for _, k := range keys {
			if kept < o.Keep || ours[k] {
				kept++
				continue
			}
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// newerFirst orders sidecars by version, newest first; versions that do
// not parse sort by build time.
func newerFirst(a, b Sidecar) int {
	va, ea := pep440.Parse(a.Version)
	vb, eb := pep440.Parse(b.Version)
	if ea == nil && eb == nil {
		if c := pep440.Compare(vb, va); c != 0 {
			return c
		}
	}
	return cmp.Or(b.BuiltAt.Compare(a.BuiltAt), strings.Compare(b.File, a.File))
}

func planPrune(sidecars map[string]Sidecar, dir string, arts []dist.Artifact, o PublishOptions) []string {
	if o.Build.Tagged {
		return nil
	}
	// The plan counts this build as published.
	planned := make(map[string]Sidecar, len(sidecars)+len(arts))
	for k, v := range sidecars {
		planned[k] = v
	}
	for _, a := range arts {
		planned[dir+"/"+a.Name] = o.Build.sidecar(a, o.Now())
	}
	return stale(planned, dir, arts, o)
}

// prune removes older builds: the file first, then its sidecar. Killed in
// between, the store holds a sidecar without its file, which no reader
// trusts (the index and fetch want both) and the next prune removes.
func prune(ctx context.Context, st Store, keys []string, log *slog.Logger) ([]string, error) {
	for _, key := range keys {
		if err := st.Delete(ctx, key); err != nil {
			return nil, err
		}
		if err := st.Delete(ctx, key+SidecarExt); err != nil {
			return nil, err
		}
		log.Info("pruned", "key", key)
	}
	return keys, nil
}

// updateLatest points each family's alias at this build unless it already
// points at a newer version. Branch aliases live in the branch directory,
// tag aliases in snapshots/. The alias moves first, then its sidecar: an
// alias is always a whole copy of a published file, but killed in between
// its sidecar still names the previous one until the next publish.
// Readers that need a checked file use the versioned name.
func updateLatest(ctx context.Context, st Store, dir string, arts []dist.Artifact, o PublishOptions, now time.Time, log *slog.Logger) ([]string, error) {
	aliasDir := dir
	if o.Build.Tagged {
		aliasDir = SnapshotsDir
	}
	var keys []string
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for _, a := range arts {
		name := LatestName(Family(a.Name, a.Version, o.Build.Version), a.Kind)
		if name == "" {
			continue
		}
		g.Go(func() error {
			alias := aliasDir + "/" + name
			sc := o.Build.sidecar(a, now)
			if cur, err := readSidecar(gctx, st, alias+SidecarExt); err == nil && cur.AliasOf != dir+"/"+a.Name && newerFirst(cur, sc) < 0 {
				log.Info("latest left at a newer build", "alias", alias, "version", cur.Version)
				return nil
			}
			sc.AliasOf = dir + "/" + a.Name
			sc.File = name
			if err := st.Link(gctx, alias, dir+"/"+a.Name, PutOptions{ContentType: contentType(a.Name), CacheControl: shortCache, SHA256: a.SHA256}); err != nil {
				return err
			}
			if err := st.PutBytes(gctx, alias+SidecarExt, sc.Marshal(), PutOptions{ContentType: "application/json", CacheControl: shortCache}); err != nil {
				return err
			}
			mu.Lock()
			keys = append(keys, alias)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return keys, nil
}

// doomed lists the older builds of this build's families that prune
// removes from a branch's directory. It reads the directory before the
// aliases are written, whose sidecars it has no use for.
func (r *publishRun) doomed(ctx context.Context) ([]string, error) {
	if r.o.Build.Tagged {
		return nil, nil
	}
	current, err := readSidecars(ctx, r.o.Store, r.dir, r.o.Concurrency)
	if err != nil {
		return nil, err
	}
	return stale(current, r.dir, r.arts, r.o), nil
}

// prune removes the doomed older builds. The pages are written without
// them first, so that no page ever links to a deleted file.
func (r *publishRun) prune(ctx context.Context, doomed []string) error {
	if len(doomed) == 0 {
		return nil
	}
	exclude := map[string]bool{}
	for _, k := range doomed {
		exclude[k] = true
	}
	if _, err := WriteIndex(ctx, r.o.Store, IndexOptions{Concurrency: r.o.Concurrency, Now: r.o.Now, Exclude: exclude}); err != nil {
		return err
	}
	var err error
	r.res.Pruned, err = prune(ctx, r.o.Store, doomed, r.log)
	return err
}

// sweep removes what killed publishers left behind. A day is far longer
// than any upload runs.
func (r *publishRun) sweep(ctx context.Context) {
	removed, _ := r.o.Store.Sweep(ctx, r.now.Add(-24*time.Hour))
	for _, k := range removed {
		r.log.Info("removed what a killed writer left", "key", k)
	}
}
