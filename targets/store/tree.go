package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
)

// TreeOptions say how PublishTree sends a folder.
type TreeOptions struct {
	CacheControl string // "" = a short cache: a tree at a prefix is replaced in place
	Concurrency  int    // uploads at once; 0 = 4
	// Log, when set, hears about files removed after the new tree is placed.
	Log func(format string, args ...any)
}

// TreeResult is what PublishTree did.
type TreeResult struct {
	Placed    []string // keys written, sorted
	Unchanged []string // keys that already held the same bytes
	Removed   []string // keys of the previous tree the new one does not have
}

// treeFile is one file of a local tree on its way to the store.
type treeFile struct {
	rel, path, key, sha256 string
	size                   int64
	up                     Pending
}

// PublishTree publishes the files under dir to prefix (a folder key, such
// as docs/v1.2.0/) as one unit: every file is uploaded out of sight
// first, and only when all uploads succeeded are they placed, so a
// reader never sees part of a new tree beside nothing; a failed upload
// leaves the previous tree as it was. Files whose key already holds the
// same sha256 are not sent again. After placing, the files of the
// previous tree the new one does not have are removed. Hidden files and
// folders (a leading '.', such as Sphinx's .doctrees) are not published.
func PublishTree(ctx context.Context, st Store, prefix, dir string, o TreeOptions) (TreeResult, error) {
	var res TreeResult
	if !strings.HasSuffix(prefix, "/") || !validKey(strings.TrimSuffix(prefix, "/")) || inHiddenDir(prefix) {
		return res, fmt.Errorf("store: tree prefix %q: %w: expected a folder key ending in /", prefix, ErrUnsafe)
	}
	files, err := treeFiles(dir, prefix)
	if err != nil {
		return res, err
	}
	if len(files) == 0 {
		return res, fmt.Errorf("store: publishing %s to %s: the folder has no files", dir, st.Location(prefix))
	}
	old, err := st.List(ctx, prefix)
	if err != nil {
		return res, fmt.Errorf("store: listing %s: %w", st.Location(prefix), err)
	}
	had := make(map[string]int64, len(old))
	for _, obj := range old {
		had[obj.Key] = obj.Size
	}
	if err := uploadTree(ctx, st, files, had, o); err != nil {
		return res, err
	}
	var send []*treeFile
	for _, f := range files {
		if f.up == nil {
			res.Unchanged = append(res.Unchanged, f.key)
			continue
		}
		send = append(send, f)
	}
	if err := placeTree(ctx, st, send); err != nil {
		return res, err
	}
	for _, f := range send {
		res.Placed = append(res.Placed, f.key)
	}
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[f.key] = true
	}
	var errs []error
	for _, obj := range old {
		if keep[obj.Key] {
			continue
		}
		if err := st.Delete(ctx, obj.Key); err != nil {
			errs = append(errs, fmt.Errorf("store: removing %s of the previous tree: %w", st.Location(obj.Key), err))
			continue
		}
		res.Removed = append(res.Removed, obj.Key)
		if o.Log != nil {
			o.Log("removed %s: not in the new tree", st.Location(obj.Key))
		}
	}
	return res, errors.Join(errs...)
}

// treeFiles walks dir for the files to publish, with their sha256, in
// key order.
func treeFiles(dir, prefix string) ([]*treeFile, error) {
	var files []*treeFile
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !validKey(rel) {
			return fmt.Errorf("%s: %w", rel, ErrUnsafe)
		}
		sum, size, err := dist.Hash(p)
		if err != nil {
			return err
		}
		files = append(files, &treeFile{rel: rel, path: p, key: prefix + rel, sha256: sum, size: size})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: reading the tree %s: %w", dir, err)
	}
	slices.SortFunc(files, func(a, b *treeFile) int { return strings.Compare(a.key, b.key) })
	return files, nil
}

// uploadTree uploads every file out of sight, but for those the store
// already holds with the same size and sha256 (had: the sizes of what is
// at the prefix), which are left without an upload. On any failure it
// discards the uploads already made, so nothing of the tree is left behind.
func uploadTree(ctx context.Context, st Store, files []*treeFile, had map[string]int64, o TreeOptions) error {
	n := o.Concurrency
	if n <= 0 {
		n = 4
	}
	cache := o.CacheControl
	if cache == "" {
		cache = shortCache
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for _, f := range files {
		g.Go(func() error {
			if size, ok := had[f.key]; ok && size == f.size && st.Verify(gctx, f.key, f.size, f.sha256) == nil {
				return nil
			}
			up, err := st.Upload(gctx, f.key, f.path, PutOptions{ContentType: treeContentType(f.rel), CacheControl: cache, SHA256: f.sha256})
			if err != nil {
				return fmt.Errorf("store: uploading %s to %s: %w", f.rel, st.Location(f.key), err)
			}
			f.up = up // each goroutine its own file; read after Wait
			return nil
		})
	}
	err := g.Wait()
	if err != nil {
		discardTree(ctx, files)
	}
	return err
}

// placeTree makes the uploads visible, pages last: a browser that finds a
// new page finds the assets it links to. A failed place discards the rest.
func placeTree(ctx context.Context, st Store, files []*treeFile) error {
	order := slices.Clone(files)
	slices.SortStableFunc(order, func(a, b *treeFile) int {
		return boolInt(strings.HasSuffix(a.rel, ".html")) - boolInt(strings.HasSuffix(b.rel, ".html"))
	})
	for i, f := range order {
		if err := f.up.Place(ctx); err != nil {
			discardTree(context.WithoutCancel(ctx), order[i:])
			return fmt.Errorf("store: placing %s: %w", st.Location(f.key), err)
		}
		f.up = nil
	}
	return nil
}

func discardTree(ctx context.Context, files []*treeFile) {
	for _, f := range files {
		if f.up != nil {
			_ = f.up.Discard(context.WithoutCancel(ctx))
			f.up = nil
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// treeContentType is the type a browser needs to show a documentation
// file: HTML, CSS and JavaScript by their extension.
func treeContentType(rel string) string {
	ext := path.Ext(rel)
	switch ext {
	case ".html", ".htm":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
