package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

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

// readStoreSidecars reads sidecars in parallel and returns the artifacts
// of the wanted project and version, in key order; latest aliases are
// left out, being copies of files found under their own names.
func readStoreSidecars(ctx context.Context, o FetchOptions, keys []string, want fetchWant) ([]fetchSource, error) {
	sidecars := make([]*Sidecar, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Concurrency, 8))
	for i, key := range keys {
		g.Go(func() error {
			rc, _, err := openWatched(gctx, o, key)
			if errors.Is(err, ErrNotExist) {
				return nil // pruned since the listing
			}
			if err != nil {
				return err
			}
			defer rc.Close()
			data, err := readSidecarBytes(rc, o.Store.Location(key))
			if err != nil {
				return err
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
		if err := checkSidecar(o.Store.Location(keys[i]), name, sc); err != nil {
			return nil, err
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

// allowHostsClient is c with every redirect hop held to the rules of
// links: the page's host or an allowed one. A redirect may otherwise take
// a download anywhere, whatever the page links to.
func allowHostsClient(c *http.Client, page *url.URL, allow []string) *http.Client {
	cc := *c
	next := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkIndexLink(page, Link{Name: "redirect", URL: req.URL}, allow); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &cc
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
			if err := checkSidecar(httpretry.Redact(&u), src.name, &sc); err != nil {
				return err
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
		return readSidecarBytes(f, u.Path)
	}
	var data []byte
	err := o.Retry.Read(ctx, o.HTTPClient, newGet(u), func(resp *http.Response) error {
		var err error
		data, err = readSidecarBytes(resp.Body, httpretry.Redact(u))
		return err
	})
	var he *httpretry.Error
	if errors.As(err, &he) && (he.StatusCode == http.StatusNotFound || he.StatusCode == http.StatusGone) {
		return nil, fmt.Errorf("store: fetch: %s: %w", he.URL, ErrNotExist)
	}
	if he != nil {
		return nil, fmt.Errorf("store: fetch: %w", err)
	}
	if err != nil {
		return nil, err // readSidecarBytes's, named already
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
