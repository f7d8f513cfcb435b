package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/pyrelease/pyrelease/targets/config"
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
	// Retry is how HTTP requests are retried.
	Retry httpretry.Policy
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
	Name    string   // file name in Dir
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
// is not downloaded again. On error no .part file and no file with a
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
	var found []fetchSource
	if o.Store != nil {
		found, err = storeSources(ctx, o, want)
	} else {
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
		return nil, err
	}
	syncFetchDir(o.Dir)
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
	var missing []string
	for _, glob := range globs {
		if !slices.ContainsFunc(files, func(f Fetched) bool {
			ok, _ := path.Match(glob, f.Name)
			return ok
		}) {
			missing = append(missing, glob)
		}
	}
	return missing
}

// fetchOne puts one file into o.Dir through a .part file, or finds it
// there already.
func fetchOne(ctx context.Context, o FetchOptions, src fetchSource) (_ Fetched, err error) {
	final := filepath.Join(o.Dir, src.name)
	f := Fetched{Name: src.name, Path: final, Source: src.source, SHA256: src.sha256, Size: src.size, Sidecar: src.sidecar}
	if err := ctx.Err(); err != nil {
		return f, err
	}
	if sum, size, err := dist.Hash(final); err == nil {
		if sum == src.sha256 && (src.size < 0 || size == src.size) {
			f.Size, f.Skipped = size, true
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
	part := final + ".part"
	w, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return f, fmt.Errorf("store: fetch: %w", err)
	}
	defer func() {
		if err != nil {
			_ = w.Close()
			_ = os.Remove(part)
		}
	}()
	pw := &partWriter{f: w, src: src, progress: o.Progress}
	switch {
	case src.key != "":
		err = copyFromStore(ctx, o.Store, src.key, pw)
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

func copyFromStore(ctx context.Context, st Store, key string, pw *partWriter) error {
	rc, obj, err := st.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	total := pw.src.size
	if total < 0 {
		total = obj.Size
	}
	return pw.write(ctx, rc, total)
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

// partWriter fills a .part file, hashing as it writes. Each write starts
// the file over, so a retried download never appends to a broken one.
type partWriter struct {
	f        *os.File
	src      fetchSource
	progress func(name string, total int64) func(n int64)
	report   func(n int64)
	n        int64 // bytes in the file
}

func (pw *partWriter) write(ctx context.Context, r io.Reader, total int64) error {
	if pw.progress != nil && pw.report == nil {
		if pw.src.size >= 0 {
			total = pw.src.size
		}
		pw.report = pw.progress(pw.src.name, total)
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
	h := sha256.New()
	_, err := io.Copy(io.MultiWriter(pw.f, h, pw), &ctxReader{ctx: ctx, r: r})
	if err != nil {
		return fmt.Errorf("store: fetch: %s from %s: %w", pw.src.name, pw.src.source, err)
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

// storeSources finds the files of the version in a store: its version
// directory, under the normalised and the given spelling, then the
// branches for dev builds and files not found there.
func storeSources(ctx context.Context, o FetchOptions, want fetchWant) ([]fetchSource, error) {
	var dirs []string
	for _, v := range versionSpellings(want.version, want.spelled) {
		dirs = append(dirs, VersionDir(v))
	}
	var keys []string
	for _, dir := range dirs {
		objs, err := o.Store.List(ctx, dir+"/")
		if err != nil {
			return nil, err
		}
		keys = append(keys, completeSidecars(objs, func(key string) bool { return path.Dir(key) == dir })...)
	}
	found, err := readStoreSidecars(ctx, o, keys, want)
	if err != nil {
		return nil, err
	}
	if !want.dev && len(found) > 0 && len(unmatchedSourceGlobs(o.Expect, found)) == 0 {
		return found, nil
	}
	objs, err := o.Store.List(ctx, BranchesDir+"/")
	if err != nil {
		return nil, err
	}
	// Branches hold every branch's builds: read only the sidecars of files
	// whose names carry the version.
	keys = completeSidecars(objs, func(key string) bool {
		_, v, ok := FileVersion(path.Base(key))
		if !ok || inHiddenDir(key) {
			return false
		}
		return sameVersion(v, want.version)
	})
	more, err := readStoreSidecars(ctx, o, keys, want)
	if err != nil {
		return nil, err
	}
	return append(found, more...), nil
}

// completeSidecars returns the sidecar keys among objs whose artifact is
// there too and passes keep: an artifact without its sidecar is still
// being published, and a sidecar without its artifact was pruned meanwhile.
func completeSidecars(objs []Object, keep func(artifactKey string) bool) []string {
	present := make(map[string]bool, len(objs))
	for _, obj := range objs {
		present[obj.Key] = true
	}
	var keys []string
	for _, obj := range objs {
		artifact, ok := strings.CutSuffix(obj.Key, SidecarExt)
		if ok && present[artifact] && !IsSidecar(artifact) && keep(artifact) {
			keys = append(keys, obj.Key)
		}
	}
	return keys
}

// inHiddenDir reports keys inside a hidden directory such as .incoming.
func inHiddenDir(key string) bool {
	return slices.ContainsFunc(strings.Split(key, "/"), func(s string) bool { return strings.HasPrefix(s, ".") })
}

// readStoreSidecars reads sidecars in parallel and returns the artifacts
// of the wanted project and version, in key order; latest aliases are
// left out, being copies of files found under their own names.
func readStoreSidecars(ctx context.Context, o FetchOptions, keys []string, want fetchWant) ([]fetchSource, error) {
	sidecars := make([]*Sidecar, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Concurrency, 8))
	for i, key := range keys {
		g.Go(func() error {
			rc, _, err := o.Store.Open(gctx, key)
			if errors.Is(err, ErrNotExist) {
				return nil // pruned since the listing
			}
			if err != nil {
				return err
			}
			defer rc.Close()
			data, err := io.ReadAll(io.LimitReader(rc, maxSidecarBytes))
			if err != nil {
				return fmt.Errorf("store: fetch: reading %s: %w", o.Store.Location(key), err)
			}
			sc, err := ParseSidecar(o.Store.Location(key), data)
			if err != nil {
				return err
			}
			sidecars[i] = &sc
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []fetchSource
	for i, sc := range sidecars {
		if sc == nil || sc.AliasOf != "" {
			continue
		}
		key := strings.TrimSuffix(keys[i], SidecarExt)
		name := path.Base(key)
		project, version := sc.Project, sc.Version
		if project == "" || version == "" {
			project, version, _ = FileVersion(name)
		}
		if !want.matches(project, version) {
			o.Log.Debug("not the wanted project or version", "key", key, "project", project, "version", version)
			continue
		}
		if !SafeName(name) {
			return nil, fmt.Errorf("store: fetch: %s: %w: file name %q", o.Store.Location(key), ErrUnsafe, name)
		}
		out = append(out, fetchSource{name: name, source: o.Store.Location(key), sha256: sc.SHA256, size: sc.Size, sidecar: sc, key: key})
	}
	return out, nil
}

func unmatchedSourceGlobs(globs []string, found []fetchSource) []string {
	files := make([]Fetched, len(found))
	for i, s := range found {
		files[i].Name = s.name
	}
	return unmatchedGlobs(globs, files)
}

// indexSources finds the files of the version among the links of an HTML
// index page, with their hashes.
func indexSources(ctx context.Context, o FetchOptions, want fetchWant) ([]fetchSource, error) {
	page, err := url.Parse(o.IndexURL)
	if err != nil {
		return nil, fmt.Errorf("store: fetch: index URL %s: %w", redactURL(o.IndexURL), err)
	}
	page.Scheme = strings.ToLower(page.Scheme)
	if page.Scheme != "http" && page.Scheme != "https" && page.Scheme != "file" {
		return nil, fmt.Errorf("store: fetch: index URL %s: want an http, https or file URL", httpretry.Redact(page))
	}
	body, err := readIndexPage(ctx, o, page)
	if err != nil {
		return nil, err
	}
	links, err := ParseLinks(page, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("store: fetch: %w", err)
	}
	if len(links) == 0 {
		return nil, fmt.Errorf("store: fetch: %s: the page has no links", httpretry.Redact(page))
	}
	var found []fetchSource
	for _, l := range links {
		if l.Name == "" || IsSidecar(l.Name) {
			continue
		}
		project, version, ok := FileVersion(l.Name)
		if !ok || !want.matches(project, version) {
			continue
		}
		if err := checkIndexLink(page, l, o.AllowHosts); err != nil {
			return nil, err
		}
		u := *l.URL
		u.Fragment, u.RawFragment = "", ""
		found = append(found, fetchSource{name: l.Name, source: httpretry.Redact(&u), sha256: l.SHA256, size: -1, url: &u})
	}
	if len(found) == 0 {
		return nil, noFiles(fmt.Sprintf("store: fetch: %s: no file of %s %s among the %d links of the page", httpretry.Redact(page), o.Project, want.version, len(links)))
	}
	if err := hashLinks(ctx, o, found); err != nil {
		return nil, err
	}
	return found, nil
}

// checkIndexLink refuses links that could write outside Dir or make the fetch
// read from somewhere the page's owner did not vouch for: a remote page
// must not send us to local files or to other hosts.
func checkIndexLink(page *url.URL, l Link, allow []string) error {
	where := httpretry.Redact(l.URL)
	if !SafeName(l.Name) {
		return fmt.Errorf("store: fetch: link %s: %w: file name %q", where, ErrUnsafe, l.Name)
	}
	switch strings.ToLower(l.URL.Scheme) {
	case "http", "https":
	case "file":
		if page.Scheme != "file" {
			return fmt.Errorf("store: fetch: link %s: %w: a %s page may not link to local files", where, ErrUnsafe, page.Scheme)
		}
	default:
		return fmt.Errorf("store: fetch: link %s: %w: want an http, https or file URL", where, ErrUnsafe)
	}
	if strings.EqualFold(l.URL.Host, page.Host) {
		return nil
	}
	for _, h := range allow {
		if strings.EqualFold(h, l.URL.Host) || strings.EqualFold(h, l.URL.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("store: fetch: link %s: %w: host %q is neither the page's (%q) nor an allowed host", where, ErrUnsafe, l.URL.Host, page.Host)
}

// readIndexPage reads an index page, over HTTP with retries or from a file.
func readIndexPage(ctx context.Context, o FetchOptions, page *url.URL) ([]byte, error) {
	var body []byte
	read := func(r io.Reader) error {
		data, err := io.ReadAll(io.LimitReader(r, maxIndexPage+1))
		if err != nil {
			return fmt.Errorf("store: fetch: reading %s: %w", httpretry.Redact(page), err)
		}
		if len(data) > maxIndexPage {
			return fmt.Errorf("store: fetch: %s: the page is larger than %d MiB", httpretry.Redact(page), maxIndexPage>>20)
		}
		body = data
		return nil
	}
	if page.Scheme == "file" {
		f, err := os.Open(filepath.FromSlash(page.Path))
		if err != nil {
			return nil, fmt.Errorf("store: fetch: %w", err)
		}
		defer f.Close()
		if err := read(f); err != nil {
			return nil, err
		}
		return body, nil
	}
	err := o.Retry.Read(ctx, o.HTTPClient, newGet(page), func(resp *http.Response) error { return read(resp.Body) })
	if err != nil {
		return nil, fmt.Errorf("store: fetch: %w", err)
	}
	return body, nil
}

// hashLinks fills in hashes of links without a #sha256= fragment from a
// {url}.json sidecar beside the file. A file with no hash at all is an
// error: nothing is installed unchecked.
func hashLinks(ctx context.Context, o FetchOptions, found []fetchSource) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Concurrency, 8))
	for i := range found {
		if found[i].sha256 != "" {
			continue
		}
		g.Go(func() error {
			src := found[i]
			u := *src.url
			u.Path += SidecarExt
			if u.RawPath != "" {
				u.RawPath += SidecarExt
			}
			data, err := readLinkSidecar(gctx, o, &u)
			if errors.Is(err, ErrNotExist) {
				return fmt.Errorf("store: fetch: %s: no #sha256= in its link and no sidecar at %s; refusing a file that cannot be checked", src.source, httpretry.Redact(&u))
			}
			if err != nil {
				return err
			}
			sc, err := ParseSidecar(httpretry.Redact(&u), data)
			if err != nil {
				return err
			}
			if sc.File != src.name {
				return fmt.Errorf("store: fetch: sidecar %s describes %q, expected %q", httpretry.Redact(&u), sc.File, src.name)
			}
			found[i].sha256, found[i].size, found[i].sidecar = sc.SHA256, sc.Size, &sc
			return nil
		})
	}
	return g.Wait()
}

// readLinkSidecar reads a sidecar beside a link; a missing one is an error wrapping
// ErrNotExist.
func readLinkSidecar(ctx context.Context, o FetchOptions, u *url.URL) ([]byte, error) {
	if u.Scheme == "file" {
		f, err := os.Open(filepath.FromSlash(u.Path))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("store: fetch: %s: %w", u.Path, ErrNotExist)
		}
		if err != nil {
			return nil, fmt.Errorf("store: fetch: %w", err)
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxSidecarBytes))
	}
	var data []byte
	err := o.Retry.Read(ctx, o.HTTPClient, newGet(u), func(resp *http.Response) error {
		var err error
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxSidecarBytes))
		return err
	})
	var he *httpretry.Error
	if errors.As(err, &he) && (he.StatusCode == http.StatusNotFound || he.StatusCode == http.StatusGone) {
		return nil, fmt.Errorf("store: fetch: %s: %w", he.URL, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("store: fetch: %w", err)
	}
	return data, nil
}

// syncFetchDir flushes the directory's entries so renames survive a crash;
// systems that cannot sync a directory lose nothing they could keep.
func syncFetchDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// noFilesError is a fetch that found nothing of the version.
type noFilesError struct{ msg string }

func noFiles(msg string) error        { return &noFilesError{msg: msg} }
func (e *noFilesError) Error() string { return e.msg }
func (e *noFilesError) Unwrap() error { return ErrNoFiles }
