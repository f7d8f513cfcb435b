package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
	"github.com/pyrelease/pyrelease/targets/pep440"
)

// FetchOptions say which version to fetch, from where, and into which
// directory.
type FetchOptions struct {
	// Store is a store to fetch from: its snapshots/v{version}/, then its
	// branches/. Set exactly one of Store and IndexURL.
	Store Store
	// IndexURL is an HTML index page (http, https or file URL) whose links
	// are the files: a PEP 503 simple page, or an index.html of a store
	// served over HTTP.
	IndexURL string
	// AllowHosts are hosts links may point to besides the page's own, such
	// as the file host of a package index.
	AllowHosts []string
	// Project in any spelling; compared PEP 503-normalised, so "Foo.Bar"
	// matches files of foo-bar.
	Project string
	// Version in any PEP 440 spelling; compared normalised, so
	// 5.0.0.dev0004 matches files of 5.0.0.dev4.
	Version string
	// Dir is the destination directory, created when missing.
	Dir string
	// Expect are file-name globs (path.Match) that fetched files must all
	// match; the ones none matches make a *MissingError, returned after
	// the rest was downloaded.
	Expect []string
	// Concurrency is the number of parallel downloads; default 4.
	Concurrency int
	// HTTPClient sends index requests; default http.DefaultClient.
	HTTPClient *http.Client
	// Retry is how HTTP requests are retried; its LowSpeed also cuts off
	// reads from the store that crawl.
	Retry httpretry.Policy
	// MaxSize bounds a file whose size is unknown (an index link with a
	// #sha256= and no sidecar); default DefaultMaxSize. A file of known
	// size may have that size and not one byte more.
	MaxSize int64
	// Log receives a line per file; nil logs nothing.
	Log *slog.Logger
	// Progress, when set, is called once per downloaded file with its size
	// (-1 when unknown) and returns a function called with the bytes
	// received since its last call; when a broken fetchOne starts over,
	// with the negative count of the bytes thrown away.
	Progress func(name string, total int64) func(n int64)
}

// Fetched is one file of the fetched version.
type Fetched struct {
	Name    string   // file name
	Rel     string   // slash path relative to Dir: dist.PathFor of its kind
	Kind    string   // the sidecar's kind, else dist.KindOf(Name)
	Path    string   // full local path
	Source  string   // store location or URL (redacted) it came from
	SHA256  string   // hex
	Size    int64    // bytes
	Skipped bool     // already in Dir with the right hash, not downloaded
	Sidecar *Sidecar // from the store or a {url}.json beside the link; nil for index links without one
}

// MissingError lists the expected globs that no fetched file matched.
type MissingError struct {
	Version string
	Missing []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("store: fetch: version %s: no file matches %s", e.Version, strings.Join(e.Missing, ", "))
}

const (
	defaultFetchConcurrency = 4
	// maxIndexPage bounds an index page held in memory; simple pages of
	// projects with thousands of files stay well below it.
	maxIndexPage = 64 << 20
	// maxSidecarBytes bounds a sidecar read; real ones are under 2 KiB.
	maxSidecarBytes = 1 << 20
)

// Fetch downloads every file of one version of one project into o.Dir,
// checking each against its sha256 before it takes its final name, and
// returns them sorted by name. A file already in o.Dir with the right hash
// is not downloaded again. On error no temporary file and no file with a
// wrong hash is left in o.Dir. When o.Expect globs are unmatched, the
// fetched files are returned together with a *MissingError.
func Fetch(ctx context.Context, o FetchOptions) ([]Fetched, error) {
	want, err := o.check()
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = defaultFetchConcurrency
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	var found []fetchSource
	if o.Store != nil {
		found, err = storeSources(ctx, o, want)
	} else {
		// Every request of the fetch, redirects included, stays on the
		// page's host or an allowed one.
		if page, perr := url.Parse(o.IndexURL); perr == nil {
			o.HTTPClient = allowHostsClient(o.HTTPClient, page, o.AllowHosts)
		}
		found, err = indexSources(ctx, o, want)
	}
	if err != nil {
		return nil, err
	}
	found, err = dedupeSources(found, o.Log)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 && len(o.Expect) == 0 {
		return nil, noFiles(fmt.Sprintf("store: fetch: no file of %s %s in %s", o.Project, want.version, o.from()))
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: fetch: %w", err)
	}
	out := make([]Fetched, len(found))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for i, src := range found {
		g.Go(func() error {
			f, err := fetchOne(gctx, o, src)
			out[i] = f
			return err
		})
	}
	if err := g.Wait(); err != nil {
		_ = os.Remove(filepath.Join(o.Dir, dist.Sub)) // when it was made for nothing
		return nil, err
	}
	syncFetchDir(o.Dir)
	syncFetchDir(filepath.Join(o.Dir, dist.Sub))
	slices.SortFunc(out, func(a, b Fetched) int { return strings.Compare(a.Name, b.Name) })
	if missing := unmatchedGlobs(o.Expect, out); len(missing) > 0 {
		return out, &MissingError{Version: want.version, Missing: missing}
	}
	return out, nil
}

// fetchWant is what a file must be to belong to the fetch.
type fetchWant struct {
	project string // PEP 503-normalised
	version string // PEP 440-normalised
	spelled string // the version as given, for a directory named that way
	dev     bool
}

func (w fetchWant) matches(project, version string) bool {
	if config.NormalizeName(project) != w.project {
		return false
	}
	return sameVersion(version, w.version)
}

// sameVersion compares two versions as PEP 440 does: 5.0.0.dev0004 is
// 5.0.0.dev4, and 1.0 is 1.0.0.
func sameVersion(a, b string) bool {
	va, err := pep440.Parse(a)
	if err != nil {
		return false
	}
	vb, err := pep440.Parse(b)
	return err == nil && pep440.Compare(va, vb) == 0
}

// releaseZeros matches the release segment's trailing ".0"s.
var releaseZeros = regexp.MustCompile(`^(\d+(?:\.\d+)*?)((?:\.0)+)(\D.*)?$`)

// versionSpellings are the directory names a version may have been
// published under: as normalised, as given, and with the release segment's
// trailing zeros dropped one by one (1.0.0 is also 1.0 and 1).
func versionSpellings(normalised, spelled string) []string {
	out := []string{normalised}
	if spelled != normalised {
		out = append(out, spelled)
	}
	if m := releaseZeros.FindStringSubmatch(normalised); m != nil {
		for zeros := m[2]; zeros != ""; {
			zeros = strings.TrimSuffix(zeros, ".0")
			out = append(out, m[1]+zeros+m[3])
		}
	}
	return out
}

func (o FetchOptions) check() (fetchWant, error) {
	if (o.Store == nil) == (o.IndexURL == "") {
		return fetchWant{}, errors.New("store: fetch: set exactly one of a store and an index URL")
	}
	if o.Dir == "" {
		return fetchWant{}, errors.New("store: fetch: no destination directory")
	}
	if config.NormalizeName(strings.TrimSpace(o.Project)) == "" {
		return fetchWant{}, errors.New("store: fetch: no project name")
	}
	v, err := pep440.Parse(o.Version)
	if err != nil {
		return fetchWant{}, fmt.Errorf("store: fetch: version: %w", err)
	}
	for _, glob := range o.Expect {
		if _, err := path.Match(glob, ""); err != nil {
			return fetchWant{}, fmt.Errorf("store: fetch: expected file glob %q: %w", glob, err)
		}
	}
	spelled := strings.TrimSpace(o.Version)
	if len(spelled) > 0 && (spelled[0] == 'v' || spelled[0] == 'V') {
		spelled = spelled[1:]
	}
	return fetchWant{project: config.NormalizeName(strings.TrimSpace(o.Project)), version: v.String(), spelled: spelled, dev: v.IsDevrelease()}, nil
}

// from names where files are fetched from, for messages.
func (o FetchOptions) from() string {
	if o.Store != nil {
		return o.Store.Location("")
	}
	return redactURL(o.IndexURL)
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "an index URL that does not parse"
	}
	return httpretry.Redact(u)
}

// fetchSource is one file to fetch and how to read it.
type fetchSource struct {
	name    string
	source  string // for messages: store location or redacted URL
	sha256  string
	size    int64 // -1 when unknown
	sidecar *Sidecar
	key     string   // store key, in store mode
	url     *url.URL // without fragment, in index mode
}

// dedupeSources keeps the first source of each name. The same name with
// another hash is an error: which of the two is the release cannot be
// guessed.
func dedupeSources(found []fetchSource, log *slog.Logger) ([]fetchSource, error) {
	first := map[string]fetchSource{}
	var out []fetchSource
	for _, s := range found {
		prev, ok := first[s.name]
		if !ok {
			first[s.name] = s
			out = append(out, s)
			continue
		}
		if prev.sha256 != s.sha256 {
			return nil, fmt.Errorf("store: fetch: %s is at %s with sha256 %s and at %s with sha256 %s; remove the wrong one", s.name, prev.source, prev.sha256, s.source, s.sha256)
		}
		log.Debug("same file at two places", "file", s.name, "using", prev.source, "ignoring", s.source)
	}
	return out, nil
}

func unmatchedGlobs(globs []string, files []Fetched) []string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return dist.Missing(globs, names)
}

// fetchOne puts one file into o.Dir through a temporary file, or finds it
// there already.
func fetchOne(ctx context.Context, o FetchOptions, src fetchSource) (_ Fetched, err error) {
	kind := dist.KindOf(src.name)
	if src.sidecar != nil && src.sidecar.Kind != "" {
		kind = src.sidecar.Kind
	}
	rel := dist.PathFor(kind, src.name)
	final := filepath.Join(o.Dir, filepath.FromSlash(rel))
	f := Fetched{Name: src.name, Rel: rel, Kind: kind, Path: final, Source: src.source, SHA256: src.sha256, Size: src.size, Sidecar: src.sidecar}
	if err := ctx.Err(); err != nil {
		return f, err
	}
	if sum, size, err := dist.Hash(final); err == nil {
		if sum == src.sha256 && (src.size < 0 || size == src.size) {
			f.Size, f.Skipped = size, true
			if err := os.Chmod(final, dist.ModeFor(kind, src.name)); err != nil {
				return f, fmt.Errorf("store: fetch: %w", err)
			}
			o.Log.Info("already fetched", "file", src.name)
			return f, nil
		}
		// Removed now, so that a failed download cannot leave it behind
		// for a later step to take for the real file.
		o.Log.Warn("replacing a file with another hash", "file", final, "sha256", sum, "want", src.sha256)
		if err := os.Remove(final); err != nil {
			return f, fmt.Errorf("store: fetch: removing %s, whose sha256 is %s, not %s: %w", final, sum, src.sha256, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		o.Log.Warn("replacing an unreadable file", "file", final, "err", err)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return f, fmt.Errorf("store: fetch: %w", err)
	}
	// The temporary file is hidden and random: SafeName refuses hidden
	// names, so it can never be another fetched file ("x.whl.part" is a
	// file a listing may hold beside "x.whl").
	w, err := os.CreateTemp(filepath.Dir(final), tempPattern(src.name))
	if err != nil {
		return f, fmt.Errorf("store: fetch: %w", err)
	}
	part := w.Name()
	defer func() {
		if err != nil {
			_ = w.Close()
			_ = os.Remove(part)
		}
	}()
	pw := &partWriter{f: w, src: src, max: o.MaxSize, progress: o.Progress}
	switch {
	case src.key != "":
		err = copyFromStore(ctx, o, src.key, pw)
	case src.url.Scheme == "file":
		err = copyFromFile(ctx, src.url, pw)
	default:
		err = o.Retry.Read(ctx, o.HTTPClient, newGet(src.url), func(resp *http.Response) error {
			return pw.write(ctx, resp.Body, resp.ContentLength)
		})
		var he *httpretry.Error
		if errors.As(err, &he) {
			err = fmt.Errorf("store: fetch: %s: %w", src.name, err)
		}
	}
	if err != nil {
		return f, err
	}
	// An installer is a program: it keeps the mode it was built with.
	if err := w.Chmod(dist.ModeFor(kind, src.name)); err != nil {
		return f, fmt.Errorf("store: fetch: %s: %w", part, err)
	}
	if err := w.Sync(); err != nil {
		return f, fmt.Errorf("store: fetch: %s: %w", part, err)
	}
	if err := w.Close(); err != nil {
		return f, fmt.Errorf("store: fetch: %s: %w", part, err)
	}
	if err := os.Rename(part, final); err != nil {
		return f, fmt.Errorf("store: fetch: %w", err)
	}
	f.Size = pw.n
	o.Log.Info("fetched", "file", src.name, "from", src.source, "size", pw.n)
	return f, nil
}

// tempPattern is the os.CreateTemp pattern of a download's temporary
// file, ".NAME.pyrelease-RANDOM", with NAME cut so the whole stays within
// the 255 bytes file systems allow.
func tempPattern(name string) string {
	const room = 255 - len("..pyrelease-") - 20 // 20: CreateTemp's random digits
	if len(name) > room {
		name = name[:room]
	}
	return "." + name + ".pyrelease-*"
}

func copyFromStore(ctx context.Context, o FetchOptions, key string, pw *partWriter) error {
	rc, obj, err := openWatched(ctx, o, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	// The store's size of the object, checked against the sidecar's
	// before a byte is read.
	return pw.write(ctx, rc, obj.Size)
}

func copyFromFile(ctx context.Context, u *url.URL, pw *partWriter) error {
	r, err := os.Open(filepath.FromSlash(u.Path))
	if err != nil {
		return fmt.Errorf("store: fetch: %w", err)
	}
	defer r.Close()
	return pw.write(ctx, r, pw.src.size)
}

func newGet(u *url.URL) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
}

// partWriter fills a download's temporary file, hashing as it writes. Each write starts
// the file over, so a retried download never appends to a broken one.
type partWriter struct {
	f        *os.File
	src      fetchSource
	max      int64 // FetchOptions.MaxSize
	progress func(name string, total int64) func(n int64)
	report   func(n int64)
	n        int64 // bytes in the file
}

// write copies r, whose size is total as its source announces it (-1:
// unknown), into the file.
func (pw *partWriter) write(ctx context.Context, r io.Reader, total int64) error {
	if pw.progress != nil && pw.report == nil {
		size := total
		if pw.src.size >= 0 {
			size = pw.src.size
		}
		pw.report = pw.progress(pw.src.name, size)
	}
	if pw.n > 0 {
		if pw.report != nil {
			pw.report(-pw.n)
		}
		pw.n = 0
	}
	if err := pw.f.Truncate(0); err != nil {
		return fmt.Errorf("store: fetch: %w", err)
	}
	if _, err := pw.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store: fetch: %w", err)
	}
	// Reading stops one byte past the limit: enough to tell a file that
	// is too long, however long it would go on.
	limit, known := sizeLimit(pw.src, pw.max)
	if total > limit {
		return pw.tooLarge(limit, known, total)
	}
	h := sha256.New()
	_, err := io.Copy(io.MultiWriter(pw.f, h, pw), io.LimitReader(&ctxReader{ctx: ctx, r: r}, limit+1))
	if err != nil {
		return fmt.Errorf("store: fetch: %s from %s: %w", pw.src.name, pw.src.source, err)
	}
	if pw.n > limit {
		return pw.tooLarge(limit, known, -1)
	}
	if pw.src.size >= 0 && pw.n != pw.src.size {
		return fmt.Errorf("store: fetch: %s from %s: got %d bytes, expected %d: %w", pw.src.name, pw.src.source, pw.n, pw.src.size, ErrMismatch)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != pw.src.sha256 {
		return fmt.Errorf("store: fetch: %s from %s: got sha256 %s, expected %s: %w", pw.src.name, pw.src.source, got, pw.src.sha256, ErrMismatch)
	}
	return nil
}

// Write counts bytes for the size check and the progress hook.
func (pw *partWriter) Write(p []byte) (int, error) {
	pw.n += int64(len(p))
	if pw.report != nil {
		pw.report(int64(len(p)))
	}
	return len(p), nil
}
