package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// Build is what a publisher knows about the build it publishes; it goes
// into every sidecar and decides the directory.
type Build struct {
	Project  string // distribution name
	Version  string // PEP 440 version of the build
	Tagged   bool   // HEAD is exactly at a release tag and clean: publish under snapshots/
	Tag      string
	Branch   string // for untagged builds: publish under branches/{branch}
	Describe string
	Commit   string
	JobURL   string
}

// PublishOptions configure Publish.
type PublishOptions struct {
	Store     Store
	Dir       string          // local directory the artifacts' paths are relative to (dist/)
	Artifacts []dist.Artifact // what to publish; each file is re-hashed first
	Build     Build
	// Keep is how many builds of each artifact family a branch directory
	// keeps, newest versions first (default 1). Tag directories keep all.
	Keep         int
	CacheControl string // Cache-Control of artifacts; "" = the server's default
	Concurrency  int    // files transferred at once (default 4)
	DryRun       bool   // plan only: read the store, write nothing
	// ReplaceTagged lets a tag build replace files of the same name that
	// differ; by default the first complete publish of a tag stays.
	ReplaceTagged bool
	Log           *slog.Logger
	// Progress, when set, is called once per uploaded file and returns the
	// function that receives its byte counts.
	Progress func(name string, size int64) func(n int64)
	Now      func() time.Time
}

// Result is what Publish did (or, with DryRun, would do).
type Result struct {
	Dir     string      // the version or branch directory
	Files   []Published // one per artifact, sorted by name
	Pruned  []string    // keys removed as older builds of a family
	Latest  []string    // alias keys pointed at this build
	Indexes []string    // index pages written
}

// Published is one artifact's fate.
type Published struct {
	Name    string
	Key     string
	Size    int64
	SHA256  string
	Skipped bool // already in place with this sha256
	Replace bool // a different file of that name was in place
	// Kept is set when a tag's directory already had another file of that
	// name: tag builds keep what was published first (see ReplaceTagged).
	Kept       bool
	KeptSHA256 string
}

// orphanAge is how long a file may sit without its sidecar before it is
// taken for what a killed publisher left (a live one writes the sidecar
// right after putting the file in place).
const orphanAge = 10 * time.Minute

// Cache-Control of pages and aliases that change between publishes.
const shortCache = "no-cache, max-age=0"

// Publish puts artifacts in the store so that readers only ever see
// complete, checked files: (a) upload each under .incoming/{run}/ in
// parallel, (b) check size and sha256, (c) move each into place, write
// its sidecar, and, where another job may have put the same name in place
// meanwhile, check that the file is still the one its sidecar describes
// (see settle), (d) prune older builds of the same families in branch
// directories, (e) point latest aliases at this build, (f) regenerate the
// index pages from a full listing. Killed at any step, the store still
// shows the previous state or the new one per file, and running again
// converges: files already in place with the same sha256 are not sent.
func Publish(ctx context.Context, o PublishOptions) (*Result, error) {
	if o.Store == nil {
		return nil, errors.New("store: publish: no store")
	}
	if o.Keep <= 0 {
		o.Keep = 1
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir, err := buildDir(o.Build)
	if err != nil {
		return nil, err
	}
	if len(o.Artifacts) == 0 {
		return nil, errors.New("store: publish: no artifacts")
	}
	res := &Result{Dir: dir}
	arts := slices.Clone(o.Artifacts)
	slices.SortFunc(arts, func(a, b dist.Artifact) int { return strings.Compare(a.Name, b.Name) })
	// What is published must be what was built and recorded: sizes are
	// checked now, sha256s as the files are uploaded.
	for _, a := range arts {
		if !SafeName(a.Name) {
			return nil, fmt.Errorf("store: publish: artifact name %q: %w", a.Name, ErrUnsafe)
		}
		fi, err := os.Stat(filepath.Join(o.Dir, filepath.FromSlash(a.Path)))
		if err != nil {
			return nil, fmt.Errorf("store: publish: %w", err)
		}
		if fi.Size() != a.Size {
			return nil, changed(a, "", fi.Size())
		}
	}
	sidecars, err := readSidecars(ctx, o.Store, dir, o.Concurrency)
	if err != nil {
		return nil, err
	}
	var todo []dist.Artifact
	for _, a := range arts {
		p := Published{Name: a.Name, Key: dir + "/" + a.Name, Size: a.Size, SHA256: a.SHA256}
		if old, ok := sidecars[p.Key]; ok {
			if old.SHA256 == a.SHA256 && old.Size == a.Size {
				if obj, err := o.Store.Stat(ctx, p.Key); err == nil && obj.Size == a.Size {
					p.Skipped = true
				}
			} else if o.Build.Tagged && !o.ReplaceTagged {
				// The files of a release tag are what its first complete
				// publish put there: the release job may already have
				// fetched them, and matrix jobs rebuilding the same sdist
				// (setuptools stamps the build time in it) must not take
				// turns replacing each other's.
				p.Kept, p.Skipped = true, true
				p.KeptSHA256 = old.SHA256
				log.Warn("kept the file a tag already has; -force replaces it", "key", p.Key, "published", old.SHA256, "built", a.SHA256)
			} else {
				p.Replace = true
			}
		}
		if !p.Skipped {
			todo = append(todo, a)
		}
		res.Files = append(res.Files, p)
	}
	if o.DryRun {
		res.Pruned = planPrune(sidecars, dir, arts, o)
		return res, nil
	}
	now := o.Now().UTC()
	run := IncomingDir + "/" + now.Format("20060102T150405Z") + "-" + randomSuffix()

	// (a) upload, (b) check: into .incoming, or staged at the final key
	// where the store can do that without a second copy of the bytes.
	stager, staging := o.Store.(Stager)
	var singleLimit int64
	if l, ok := o.Store.(interface{ SinglePutLimit() int64 }); ok {
		singleLimit = l.SinglePutLimit()
	}
	replacing := map[string]bool{}
	for _, p := range res.Files {
		replacing[p.Name] = p.Replace
	}
	// A tag's new files are put in place create-only: when matrix jobs
	// publish the same name at once (a rebuilt sdist), exactly one wins and
	// the others keep it. A file that sits there without a sidecar for a
	// while is what a killed publisher left: it is replaced.
	createOnly := map[string]bool{}
	if o.Build.Tagged {
		for _, p := range res.Files {
			if p.Skipped || p.Replace {
				continue
			}
			createOnly[p.Name] = true
			if p.Size > singleLimit { // staged: look for an orphan now
				obj, err := o.Store.Stat(ctx, p.Key)
				createOnly[p.Name] = !(err == nil && now.Sub(obj.ModTime) > orphanAge)
			}
		}
	}
	lost := make(map[string]bool)      // create-only writes another publisher won
	overwrote := make(map[string]bool) // create-only writes that replaced an orphan
	staged := make(map[string]Staged)
	direct := make(map[string]bool)
	var mu sync.Mutex
	abortAll := func() {
		actx := context.WithoutCancel(ctx)
		for _, st := range staged {
			_ = st.Abort(actx)
		}
		// A file put straight in place has no sidecar yet, so it was never
		// published; it goes again.
		for name := range direct {
			_ = o.Store.Delete(actx, dir+"/"+name)
		}
		cleanupRun(actx, o.Store, run)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for _, a := range todo {
		g.Go(func() error {
			src := filepath.Join(o.Dir, filepath.FromSlash(a.Path))
			po := PutOptions{ContentType: contentType(a.Name), CacheControl: o.CacheControl, SHA256: a.SHA256, CreateOnly: createOnly[a.Name]}
			if o.Progress != nil {
				po.Progress = o.Progress(a.Name, a.Size)
			}
			start := time.Now()
			switch {
			case staging && !replacing[a.Name] && a.Size <= singleLimit:
				// A new small file goes straight to its key in one request,
				// which S3 makes visible whole and checks against the
				// manifest's sha256 (the request is signed with it). It is
				// not published until its sidecar is written in (c).
				mu.Lock()
				direct[a.Name] = true
				mu.Unlock()
				err := o.Store.Put(gctx, dir+"/"+a.Name, src, po)
				if errors.Is(err, ErrExists) {
					// Taken: by a live publisher of this tag, or by one killed
					// before its sidecar, whose file is replaced.
					obj, serr := o.Store.Stat(gctx, dir+"/"+a.Name)
					if serr == nil && now.Sub(obj.ModTime) > orphanAge {
						po.CreateOnly = false
						mu.Lock()
						overwrote[a.Name] = true
						mu.Unlock()
						err = o.Store.Put(gctx, dir+"/"+a.Name, src, po)
					} else {
						mu.Lock()
						lost[a.Name], direct[a.Name] = true, false
						mu.Unlock()
						err = nil
					}
				}
				if err != nil {
					var se *S3Error
					if errors.As(err, &se) && se.Code == "XAmzContentSHA256Mismatch" {
						return changed(a, "(not the manifest's)", a.Size)
					}
					return err
				}
			case !staging:
				key := run + "/" + a.Name
				if err := o.Store.Put(gctx, key, src, po); err != nil {
					return err
				}
				if err := o.Store.Verify(gctx, key, a.Size, a.SHA256); err != nil {
					var me *MismatchError
					if errors.As(err, &me) {
						return changed(a, me.GotSHA256, me.GotSize)
					}
					return err
				}
			default:
				// The server checks each part against its own checksum;
				// the file's sha256 is checked here, while it uploads.
				hashed := make(chan error, 1)
				go func() {
					sum, size, err := dist.Hash(src)
					if err == nil && (sum != a.SHA256 || size != a.Size) {
						err = changed(a, sum, size)
					}
					hashed <- err
				}()
				st, err := stager.Stage(gctx, dir+"/"+a.Name, src, po)
				herr := <-hashed
				if err == nil {
					mu.Lock()
					staged[a.Name] = st
					mu.Unlock()
					err = st.Check(gctx)
				}
				if err = cmp.Or(herr, err); err != nil {
					return err
				}
			}
			log.Debug("uploaded", "file", a.Name, "bytes", a.Size, "took", time.Since(start).Round(time.Millisecond))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		abortAll()
		return nil, err
	}
	// (c) into place, each file before its sidecar: a sidecar is the mark
	// of a complete file, and readers trust nothing without one.
	byName := map[string]dist.Artifact{}
	for _, a := range arts {
		byName[a.Name] = a
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for i, p := range res.Files {
		a := byName[p.Name]
		mu.Lock()
		old, had := sidecars[p.Key]
		mu.Unlock()
		g.Go(func() error {
			sc := o.Build.sidecar(a, now)
			switch {
			case p.Kept:
				return nil
			case p.Skipped:
				sc.PublishedAt = old.PublishedAt
			case direct[a.Name]:
				// Already in place; the sidecar below publishes it.
			default:
				var err error
				if lost[a.Name] {
					err = ErrExists
				} else if staging {
					err = staged[a.Name].Commit(gctx)
				} else {
					err = o.Store.Move(gctx, run+"/"+a.Name, p.Key, PutOptions{ContentType: contentType(a.Name), CacheControl: o.CacheControl,
						SHA256: a.SHA256, CreateOnly: createOnly[a.Name]})
				}
				if errors.Is(err, ErrExists) {
					// Another publisher of this tag put the file in place
					// first: the same bytes (a reproducible wheel) are simply
					// there; other bytes are kept out, as for a tag's files.
					p.Skipped = true
					if o.Store.Verify(gctx, p.Key, a.Size, a.SHA256) != nil {
						p.Kept = true
						if obj, serr := o.Store.Stat(gctx, p.Key); serr == nil {
							p.KeptSHA256 = obj.SHA256
						}
						log.Warn("another job published this file of the tag first, with other bytes; keeping its", "key", p.Key)
					}
					mu.Lock()
					res.Files[i] = p
					mu.Unlock()
					return nil
				}
				if err != nil {
					return err
				}
			}
			if !p.Skipped || !had || old.File == "" {
				if err := o.Store.PutBytes(gctx, p.Key+SidecarExt, sc.Marshal(), sidecarOptions); err != nil {
					return err
				}
			}
			// A file put create-only replaced nothing, and what replaces it
			// later (a forced or orphan put) settles itself.
			if !p.Skipped && (!createOnly[a.Name] || overwrote[a.Name]) {
				src := filepath.Join(o.Dir, filepath.FromSlash(a.Path))
				po := PutOptions{ContentType: contentType(a.Name), CacheControl: o.CacheControl, SHA256: a.SHA256}
				if err := settle(gctx, o.Store, p.Key, src, sc, po, log); err != nil {
					return err
				}
			}
			mu.Lock()
			sidecars[p.Key] = sc
			res.Files[i] = p
			mu.Unlock()
			if !p.Skipped {
				log.Info("published", "key", p.Key, "bytes", p.Size)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		// Staged uploads not yet committed must not linger; committed
		// ones are complete files (published once their sidecar is there).
		for _, st := range staged {
			_ = st.Abort(ctx)
		}
		return nil, err
	}
	if !staging {
		cleanupRun(ctx, o.Store, run)
	}

	// (d) which older builds go, (e) latest aliases, (f) index pages: the
	// pages are written without the older builds before those are deleted,
	// so that no page ever links to a deleted file, then written again from
	// the final listing.
	var doomed []string
	if !o.Build.Tagged {
		current, err := readSidecars(ctx, o.Store, dir, o.Concurrency)
		if err != nil {
			return nil, err
		}
		doomed = stale(current, dir, arts, o)
	}
	if res.Latest, err = updateLatest(ctx, o.Store, dir, arts, o, now, log); err != nil {
		return nil, err
	}
	if len(doomed) > 0 {
		exclude := map[string]bool{}
		for _, k := range doomed {
			exclude[k] = true
		}
		if _, err := WriteIndex(ctx, o.Store, IndexOptions{Concurrency: o.Concurrency, Now: o.Now, Exclude: exclude}); err != nil {
			return nil, err
		}
		if res.Pruned, err = prune(ctx, o.Store, doomed, log); err != nil {
			return nil, err
		}
	}
	if res.Indexes, err = WriteIndex(ctx, o.Store, IndexOptions{Concurrency: o.Concurrency, Now: o.Now}); err != nil {
		return nil, err
	}
	removeStale(ctx, o.Store, now.Add(-24*time.Hour), log)
	return res, nil
}

// PutOptions of sidecars, which change when their file is replaced.
var sidecarOptions = PutOptions{ContentType: "application/json", CacheControl: shortCache}

// settleRounds is how many times settle puts a file back before it gives up.
const settleRounds = 3

// settle runs once sc is written beside a file put in place over whatever
// was there (a branch's files; a tag's, when forced or orphaned). Another
// job publishing the same name with other bytes may have put its file
// there after ours and written its sidecar before ours, leaving our
// sidecar beside its bytes. So the file is checked after the sidecar:
// still ours, or another job's with that job's sidecar, the pair agrees;
// other bytes beside our sidecar are replaced with ours and the sidecar is
// written again. Whoever writes a sidecar last checks after it, and every
// put is followed by a sidecar, so once every publisher returned without
// error the last sidecar describes the file: the last writer wins, file
// and sidecar together.
func settle(ctx context.Context, st Store, key, src string, sc Sidecar, po PutOptions, log *slog.Logger) error {
	for round := 0; ; round++ {
		err := st.Verify(ctx, key, sc.Size, sc.SHA256)
		var me *MismatchError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrNotExist):
			// Removed since, as a newer build prunes an older one: its
			// sidecar goes next.
			return nil
		case !errors.As(err, &me):
			return err
		}
		if cur, err := readSidecar(ctx, st, key+SidecarExt); err == nil && st.Verify(ctx, key, cur.Size, cur.SHA256) == nil {
			log.Warn("another job published this file after this one, with other bytes; the store keeps its", "key", key, "sha256", cur.SHA256, "built", sc.SHA256)
			return nil
		}
		if round == settleRounds {
			return fmt.Errorf("store: publish: %s: replaced with other bytes (sha256 %s) %d times before its sidecar could describe it, want sha256 %s: another job keeps publishing this file; run again once it is done",
				st.Location(key), me.GotSHA256, round+1, sc.SHA256)
		}
		log.Warn("another job replaced this file before its sidecar was written; putting it back", "key", key, "found", me.GotSHA256, "built", sc.SHA256)
		if err := st.Put(ctx, key, src, po); err != nil {
			return err
		}
		if err := st.PutBytes(ctx, key+SidecarExt, sc.Marshal(), sidecarOptions); err != nil {
			return err
		}
	}
}

// changed is the error for a file whose bytes are not what the manifest
// recorded; sum is "" when only the size was checked.
func changed(a dist.Artifact, sum string, size int64) error {
	if sum == "" {
		return fmt.Errorf("store: publish: %s changed since it was built: %d bytes, the manifest says %d: %w", a.Name, size, a.Size, ErrMismatch)
	}
	return fmt.Errorf("store: publish: %s changed since it was built: sha256 %s (%d bytes), the manifest says %s (%d bytes): %w", a.Name, sum, size, a.SHA256, a.Size, ErrMismatch)
}

func buildDir(b Build) (string, error) {
	if b.Project == "" || b.Version == "" {
		return "", errors.New("store: publish: the build has no project name or version")
	}
	if strings.ContainsAny(b.Version, "/\\") || strings.HasPrefix(b.Version, ".") {
		return "", fmt.Errorf("store: publish: version %q: %w", b.Version, ErrUnsafe)
	}
	if b.Tagged {
		return VersionDir(b.Version), nil
	}
	if b.Branch == "" {
		return "", errors.New("store: publish: HEAD is neither at a tag nor on a branch: check out a branch, or set the CI's branch variable")
	}
	return BranchDir(b.Branch), nil
}

func (b Build) sidecar(a dist.Artifact, now time.Time) Sidecar {
	sc := a.Sidecar()
	sc.Project, sc.Describe, sc.Branch, sc.Tag, sc.JobURL = b.Project, b.Describe, b.Branch, b.Tag, b.JobURL
	sc.Family, sc.PublishedAt = Family(a.Name, a.Version, b.Version), now
	return sc
}

// readSidecars reads every sidecar directly in dir, keyed by the key of
// the artifact it describes; unreadable ones are skipped.
func readSidecars(ctx context.Context, st Store, dir string, concurrency int) (map[string]Sidecar, error) {
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
func loadSidecars(ctx context.Context, st Store, keys []string, concurrency int) (map[string]Sidecar, error) {
	var mu sync.Mutex
	out := make(map[string]Sidecar, len(keys))
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
			sc, err := ParseSidecar(st.Location(key), data)
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

func readSidecar(ctx context.Context, st Store, key string) (Sidecar, error) {
	rc, _, err := st.Open(ctx, key)
	if err != nil {
		return Sidecar{}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return Sidecar{}, err
	}
	return ParseSidecar(st.Location(key), data)
}

// cleanupRun removes what is left of this run's uploads.
func cleanupRun(ctx context.Context, st Store, run string) {
	objs, err := st.List(ctx, run+"/")
	if err != nil {
		return
	}
	for _, obj := range objs {
		_ = st.Delete(ctx, obj.Key)
	}
}

// removeStale removes uploads that killed publishers left behind. A day
// is far longer than any upload runs.
func removeStale(ctx context.Context, st Store, cutoff time.Time, log *slog.Logger) {
	objs, err := st.List(ctx, IncomingDir+"/")
	if err == nil {
		for _, obj := range objs {
			if obj.ModTime.Before(cutoff) {
				if st.Delete(ctx, obj.Key) == nil {
					log.Info("removed a stale upload", "key", obj.Key)
				}
			}
		}
	}
	if s3, ok := st.(*S3); ok {
		_ = s3.AbortStale(ctx, "", cutoff)
	}
	if d, ok := st.(*Dir); ok {
		for _, k := range d.RemoveStaleTemp(cutoff) {
			log.Info("removed a temporary file a killed writer left", "key", k)
		}
	}
}

// contentType is what servers send the file as; browsers and pip only
// care that archives are not rendered as text.
func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	case strings.HasSuffix(name, ".tar.gz"), strings.HasSuffix(name, ".tgz"):
		return "application/gzip"
	case strings.HasSuffix(name, ".zip"), strings.HasSuffix(name, ".whl"):
		return "application/zip"
	case strings.HasSuffix(name, ".txt"), name == "SHA256SUMS":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
