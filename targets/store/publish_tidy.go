package store

import (
	"cmp"
	"context"
	"errors"
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
// newest keep builds. This build's files are always kept. (A file a
// pointer alias names is spared later, once the aliases moved: see spare.)
func stale(sidecars map[string]storedSidecar, dir string, arts []dist.Artifact, o PublishOptions) []string {
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
		slices.SortFunc(keys, func(a, b string) int { return newerFirst(sidecars[a].Sidecar, sidecars[b].Sidecar) })
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

func planPrune(sidecars map[string]storedSidecar, dir string, arts []dist.Artifact, o PublishOptions) []string {
	if o.Build.Tagged {
		return nil
	}
	// The plan counts this build as published.
	planned := make(map[string]storedSidecar, len(sidecars)+len(arts))
	for k, v := range sidecars {
		planned[k] = v
	}
	for _, a := range arts {
		planned[dir+"/"+a.Name] = storedSidecar{Sidecar: o.Build.sidecar(a, o.Now())}
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
// points at a newer version (that still exists: a pointer left at a file
// since pruned is moved). Branch aliases live in the branch directory,
// tag aliases in snapshots/. The alias moves first, then its sidecar:
// killed in between, its sidecar still names the previous file until the
// next publish. An alias is a whole copy of a published file, or a
// pointer to one (see Store.Link), written only now that the file is in
// place with its sidecar, settled. Readers that need a checked file use
// the versioned name. It returns the alias keys it moved, and which of
// them are pointers (alias key to target key).
func updateLatest(ctx context.Context, st Store, dir string, arts []dist.Artifact, o PublishOptions, now time.Time, log *slog.Logger) ([]string, map[string]string, error) {
	aliasDir := dir
	if o.Build.Tagged {
		aliasDir = SnapshotsDir
	}
	var keys []string
	pointers := map[string]string{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for _, a := range arts {
		name := LatestName(Family(a.Name, a.Version, o.Build.Version), a.Kind)
		if name == "" {
			continue
		}
		g.Go(func() error {
			alias, target := aliasDir+"/"+name, dir+"/"+a.Name
			sc := o.Build.sidecar(a, now)
			if cur, err := readSidecar(gctx, st, alias+SidecarExt); err == nil && cur.AliasOf != target && newerFirst(cur.Sidecar, sc) < 0 {
				if !cur.Pointer || targetExists(gctx, st, cur.AliasOf) {
					log.Info("latest left at a newer build", "alias", alias, "version", cur.Version)
					return nil
				}
				log.Warn("latest pointed at a file since removed; moving it", "alias", alias, "was", cur.AliasOf)
			}
			sc.AliasOf = target
			sc.File = name
			pointer, err := st.Link(gctx, alias, target, PutOptions{ContentType: contentType(a.Name), CacheControl: shortCache, SHA256: a.SHA256})
			if err != nil {
				return err
			}
			if err := st.PutBytes(gctx, alias+SidecarExt, aliasSidecar{Sidecar: sc, Pointer: pointer}.Marshal(), sidecarOptions); err != nil {
				return err
			}
			mu.Lock()
			keys = append(keys, alias)
			if pointer {
				pointers[alias] = target
				log.Info("latest is a pointer", "alias", alias, "to", target)
			}
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	slices.Sort(keys)
	return keys, pointers, nil
}

// targetExists reports whether key is still there; an error other than
// its absence counts as there, so that a flaky read never moves latest
// back.
func targetExists(ctx context.Context, st Store, key string) bool {
	_, err := st.Stat(ctx, key)
	return !errors.Is(err, ErrNotExist)
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
	// doomed was read before the aliases moved: another publisher may
	// have pointed one at a build doomed here since.
	doomed, err := r.spare(ctx, doomed)
	if err != nil || len(doomed) == 0 {
		return err
	}
	exclude := map[string]bool{}
	for _, k := range doomed {
		exclude[k] = true
	}
	if _, err := WriteIndex(ctx, r.o.Store, IndexOptions{Concurrency: r.o.Concurrency, Now: r.o.Now, Exclude: exclude}); err != nil {
		return err
	}
	r.res.Pruned, err = prune(ctx, r.o.Store, doomed, r.log)
	return err
}

// spare drops from doomed the files that a pointer alias of this build's
// families names now.
func (r *publishRun) spare(ctx context.Context, doomed []string) ([]string, error) {
	var aliases []string
	for _, a := range r.arts {
		if name := LatestName(Family(a.Name, a.Version, r.o.Build.Version), a.Kind); name != "" {
			aliases = append(aliases, r.dir+"/"+name+SidecarExt)
		}
	}
	current, err := loadSidecars(ctx, r.o.Store, aliases, r.o.Concurrency)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(doomed, func(k string) bool {
		for _, sc := range current {
			if sc.Pointer && sc.AliasOf == k {
				r.log.Info("kept: latest points at it", "key", k)
				return true
			}
		}
		return false
	}), nil
}

// sweep removes what killed publishers left behind. A day is far longer
// than any upload runs.
func (r *publishRun) sweep(ctx context.Context) {
	removed, _ := r.o.Store.Sweep(ctx, r.now.Add(-24*time.Hour))
	for _, k := range removed {
		r.log.Info("removed what a killed writer left", "key", k)
	}
}
