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
// complete, checked files. It runs these steps in order:
//
//   - plan: check the local files against the manifest and decide, from
//     the sidecars in place, what to send, skip, replace or keep;
//   - upload: send every file out of sight and check it (Store.Upload);
//   - place: put each file in place, then write its sidecar;
//   - settle: where another job may have put the same name in place
//     meanwhile, check that the file is still the one its sidecar
//     describes (see settle);
//   - alias: point latest aliases at this build;
//   - prune: remove older builds of the same families in a branch's
//     directory, once pages no longer link them;
//   - index: regenerate the index pages from a full listing.
//
// Killed at any step, the store still shows the previous state or the new
// one per file, and running again converges: files already in place with
// the same sha256 are not sent.
func Publish(ctx context.Context, o PublishOptions) (*Result, error) {
	r, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	if o.DryRun {
		r.res.Pruned = planPrune(r.sidecars, r.dir, r.arts, r.o)
		return r.res, nil
	}
	if err := r.upload(ctx); err != nil {
		r.discard(ctx)
		return nil, err
	}
	if err := r.place(ctx); err != nil {
		r.discard(ctx)
		return nil, err
	}
	if err := r.settle(ctx); err != nil {
		return nil, err
	}
	if r.res.Latest, err = updateLatest(ctx, r.o.Store, r.dir, r.arts, r.o, r.now, r.log); err != nil {
		return nil, err
	}
	if err := r.prune(ctx); err != nil {
		return nil, err
	}
	if r.res.Indexes, err = WriteIndex(ctx, r.o.Store, IndexOptions{Concurrency: r.o.Concurrency, Now: r.o.Now}); err != nil {
		return nil, err
	}
	r.sweep(ctx)
	return r.res, nil
}

// publishRun is one Publish on its way through the steps.
type publishRun struct {
	o        PublishOptions
	log      *slog.Logger
	dir      string
	now      time.Time
	arts     []dist.Artifact    // sorted by name; res.Files and files follow the same order
	sidecars map[string]Sidecar // of dir as planned, keyed by artifact key
	res      *Result
	files    []fileRun
}

// fileRun is what the steps learn about one artifact; each step's
// goroutine for artifact i touches only files[i] and res.Files[i].
type fileRun struct {
	createOnly bool    // a tag's new file: put in place only where the key is free
	up         Pending // uploaded and checked, not yet placed
	lost       bool    // another publisher's create-only write won the key
	overwrote  bool    // replaced a file a killed publisher left
	placed     bool    // in place with its sidecar: to settle
	sc         Sidecar
}

// plan checks the artifacts and reads the store: which files are already
// in place, which replace another, which a tag keeps.
func plan(ctx context.Context, o PublishOptions) (*publishRun, error) {
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
	r := &publishRun{o: o, log: o.Log, now: o.Now().UTC()}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if r.dir, err = buildDir(o.Build); err != nil {
		return nil, err
	}
	if len(o.Artifacts) == 0 {
		return nil, errors.New("store: publish: no artifacts")
	}
	r.arts = slices.Clone(o.Artifacts)
	slices.SortFunc(r.arts, func(a, b dist.Artifact) int { return strings.Compare(a.Name, b.Name) })
	// What is published must be what was built and recorded: sizes are
	// checked now, sha256s as the files are uploaded.
	for _, a := range r.arts {
		if !SafeName(a.Name) {
			return nil, fmt.Errorf("store: publish: artifact name %q: %w", a.Name, ErrUnsafe)
		}
		fi, err := os.Stat(r.src(a))
		if err != nil {
			return nil, fmt.Errorf("store: publish: %w", err)
		}
		if fi.Size() != a.Size {
			return nil, changed(a, "", fi.Size())
		}
	}
	if r.sidecars, err = readSidecars(ctx, o.Store, r.dir, o.Concurrency); err != nil {
		return nil, err
	}
	r.res = &Result{Dir: r.dir, Files: make([]Published, len(r.arts))}
	r.files = make([]fileRun, len(r.arts))
	for i, a := range r.arts {
		r.res.Files[i] = r.planFile(ctx, a)
		p := r.res.Files[i]
		// A tag's new files are put in place create-only: when matrix jobs
		// publish the same name at once (a rebuilt sdist), exactly one
		// wins and the others keep it.
		r.files[i].createOnly = o.Build.Tagged && !p.Skipped && !p.Replace
	}
	return r, nil
}

// planFile decides the fate of one artifact from the sidecar in place.
func (r *publishRun) planFile(ctx context.Context, a dist.Artifact) Published {
	p := Published{Name: a.Name, Key: r.dir + "/" + a.Name, Size: a.Size, SHA256: a.SHA256}
	old, ok := r.sidecars[p.Key]
	switch {
	case !ok:
	case old.SHA256 == a.SHA256 && old.Size == a.Size:
		if obj, err := r.o.Store.Stat(ctx, p.Key); err == nil && obj.Size == a.Size {
			p.Skipped = true
		}
	case r.o.Build.Tagged && !r.o.ReplaceTagged:
		// The files of a release tag are what its first complete publish
		// put there: the release job may already have fetched them, and
		// matrix jobs rebuilding the same sdist (setuptools stamps the
		// build time in it) must not take turns replacing each other's.
		p.Kept, p.Skipped = true, true
		p.KeptSHA256 = old.SHA256
		r.log.Warn("kept the file a tag already has; -force replaces it", "key", p.Key, "published", old.SHA256, "built", a.SHA256)
	default:
		p.Replace = true
	}
	return p
}

// upload sends every file that is not skipped out of sight, in parallel.
func (r *publishRun) upload(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.Concurrency)
	for i := range r.arts {
		if r.res.Files[i].Skipped {
			continue
		}
		g.Go(func() error { return r.uploadFile(gctx, i) })
	}
	return g.Wait()
}

func (r *publishRun) uploadFile(ctx context.Context, i int) error {
	a, f := r.arts[i], &r.files[i]
	po := r.putOptions(a)
	po.CreateOnly = f.createOnly
	// A new file is not trusted until its sidecar is written, so a store
	// may write it at its key at once; a replacement must wait for place.
	po.Fresh = !r.res.Files[i].Replace
	if r.o.Progress != nil {
		po.Progress = r.o.Progress(a.Name, a.Size)
	}
	start := time.Now()
	up, err := r.o.Store.Upload(ctx, r.res.Files[i].Key, r.src(a), po)
	if errors.Is(err, ErrExists) { // a store that wrote the fresh key at once
		up, err = r.taken(ctx, i, po)
	}
	var me *MismatchError
	if errors.As(err, &me) && me.WantSHA256 != "" {
		return changed(a, cmp.Or(me.GotSHA256, "(not the manifest's)"), me.GotSize)
	}
	if err != nil {
		return err
	}
	f.up = up
	r.log.Debug("uploaded", "file", a.Name, "bytes", a.Size, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// taken handles a create-only write that found its key taken: by a live
// publisher of this tag, whose file stays (lost), or by one killed before
// its sidecar, whose file sits there for longer than orphanAge and is
// replaced with a new upload.
func (r *publishRun) taken(ctx context.Context, i int, po PutOptions) (Pending, error) {
	key := r.res.Files[i].Key
	obj, err := r.o.Store.Stat(ctx, key)
	if err != nil || r.now.Sub(obj.ModTime) <= orphanAge {
		r.files[i].lost = true
		return nil, nil
	}
	r.files[i].overwrote = true
	po.CreateOnly = false
	return r.o.Store.Upload(ctx, key, r.src(r.arts[i]), po)
}

// place puts each file in place, then writes its sidecar: a sidecar is
// the mark of a complete file, and readers trust nothing without one.
func (r *publishRun) place(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.Concurrency)
	for i := range r.arts {
		if r.res.Files[i].Kept {
			continue
		}
		g.Go(func() error { return r.placeFile(gctx, i) })
	}
	return g.Wait()
}

func (r *publishRun) placeFile(ctx context.Context, i int) error {
	a, f, p := r.arts[i], &r.files[i], &r.res.Files[i]
	old, had := r.sidecars[p.Key]
	f.sc = r.o.Build.sidecar(a, r.now)
	if p.Skipped {
		if had && old.File != "" {
			return nil
		}
		f.sc.PublishedAt = old.PublishedAt
		return r.o.Store.PutBytes(ctx, p.Key+SidecarExt, f.sc.Marshal(), sidecarOptions)
	}
	err := ErrExists
	if !f.lost {
		err = f.up.Place(ctx)
	}
	if errors.Is(err, ErrExists) && !f.lost && !f.overwrote {
		po := r.putOptions(a)
		if f.up, err = r.taken(ctx, i, po); err == nil && !f.lost {
			err = f.up.Place(ctx)
		}
	}
	if errors.Is(err, ErrExists) || err == nil && f.lost {
		r.keepTheirs(ctx, i)
		return nil
	}
	if err != nil {
		return err
	}
	if err := r.o.Store.PutBytes(ctx, p.Key+SidecarExt, f.sc.Marshal(), sidecarOptions); err != nil {
		return err
	}
	f.placed = true
	r.log.Info("published", "key", p.Key, "bytes", p.Size)
	return nil
}

// keepTheirs records that another publisher of this tag put the file in
// place first: the same bytes (a reproducible wheel) are simply there;
// other bytes are kept out, as for a tag's files.
func (r *publishRun) keepTheirs(ctx context.Context, i int) {
	a, p := r.arts[i], &r.res.Files[i]
	p.Skipped = true
	if r.o.Store.Verify(ctx, p.Key, a.Size, a.SHA256) == nil {
		return
	}
	p.Kept = true
	if obj, err := r.o.Store.Stat(ctx, p.Key); err == nil {
		p.KeptSHA256 = obj.SHA256
	}
	r.log.Warn("another job published this file of the tag first, with other bytes; keeping its", "key", p.Key)
}

// settle checks the files put in place over whatever was there: a
// branch's files, and a tag's forced or orphaned ones. A file put
// create-only replaced nothing.
func (r *publishRun) settle(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.Concurrency)
	for i, f := range r.files {
		if !f.placed || f.createOnly && !f.overwrote {
			continue
		}
		a := r.arts[i]
		g.Go(func() error {
			return settle(gctx, r.o.Store, r.res.Files[i].Key, r.src(a), f.sc, r.putOptions(a), r.log)
		})
	}
	return g.Wait()
}

// discard drops the uploads a failed run did not place. A new file
// written at its key during upload has no sidecar yet, so it was never
// published; it goes, and the next run sends it again.
func (r *publishRun) discard(ctx context.Context) {
	for _, f := range r.files {
		if f.up != nil {
			_ = f.up.Discard(ctx)
		}
	}
}

// src is the local path of an artifact.
func (r *publishRun) src(a dist.Artifact) string {
	return filepath.Join(r.o.Dir, filepath.FromSlash(a.Path))
}

// putOptions are what an artifact is uploaded with.
func (r *publishRun) putOptions(a dist.Artifact) PutOptions {
	return PutOptions{ContentType: contentType(a.Name), CacheControl: r.o.CacheControl, SHA256: a.SHA256}
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
		if err := put(ctx, st, key, src, po); err != nil {
			return err
		}
		if err := st.PutBytes(ctx, key+SidecarExt, sc.Marshal(), sidecarOptions); err != nil {
			return err
		}
	}
}

// put uploads the file at src and puts it in place over what is at key.
func put(ctx context.Context, st Store, key, src string, po PutOptions) error {
	up, err := st.Upload(ctx, key, src, po)
	if err != nil {
		return err
	}
	if err := up.Place(ctx); err != nil {
		_ = up.Discard(ctx)
		return err
	}
	return nil
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

// prune removes older builds of this build's families from a branch's
// directory. The pages are written without them first, so that no page
// ever links to a deleted file.
func (r *publishRun) prune(ctx context.Context) error {
	if r.o.Build.Tagged {
		return nil
	}
	current, err := readSidecars(ctx, r.o.Store, r.dir, r.o.Concurrency)
	if err != nil {
		return err
	}
	doomed := stale(current, r.dir, r.arts, r.o)
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
