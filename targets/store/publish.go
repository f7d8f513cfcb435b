package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
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
	// A build a pointer alias names is kept too.
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
	Dir    string      // the version or branch directory
	Files  []Published // one per artifact, sorted by name
	Pruned []string    // keys removed as older builds of a family
	Latest []string    // alias keys pointed at this build
	// Pointers are the aliases of Latest that are pointers rather than
	// copies (see Store.Link), alias key to the key of the file.
	Pointers map[string]string
	Indexes  []string // index pages written
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
//   - alias: point latest aliases at this build, with a copy, or for a
//     large file a pointer, now that the file is settled (updateLatest);
//   - prune: remove older builds of the same families in a branch's
//     directory (chosen by doomed before the aliases move), once pages
//     no longer link them;
//   - index: regenerate the index pages from a full listing (WriteIndex);
//   - sweep: remove what killed publishers left behind (Store.Sweep).
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
	doomed, err := r.doomed(ctx)
	if err != nil {
		return nil, err
	}
	if r.res.Latest, r.res.Pointers, err = updateLatest(ctx, r.o.Store, r.dir, r.arts, r.o, r.now, r.log); err != nil {
		return nil, err
	}
	if err := r.prune(ctx, doomed); err != nil {
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
	arts     []dist.Artifact          // sorted by name; res.Files and files follow the same order
	sidecars map[string]storedSidecar // of dir as planned, keyed by artifact key
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
