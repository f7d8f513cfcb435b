package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
)

// Dir is a store in a local folder: the default, and what a shared drive
// or a folder served by any web server gives. Objects are files; uploads
// are renamed into place within the folder, so they appear atomically.
type Dir struct {
	root string
	// copyLimit is the size from which an alias that cannot be a symlink
	// is a pointer page; 0 means DefaultLatestCopyLimit.
	copyLimit int64
	// symlink stands in for os.Symlink in tests of folders without
	// symlinks; nil means os.Symlink.
	symlink func(oldname, newname string) error
}

// NewDir returns the store rooted at dir, creating it.
func NewDir(dir string) (*Dir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Dir{root: abs}, nil
}

// Root returns the folder's absolute path.
func (d *Dir) Root() string { return d.root }

// Location implements Store.
func (d *Dir) Location(key string) string {
	if key == "" {
		return d.root
	}
	return filepath.Join(d.root, filepath.FromSlash(key))
}

// path checks key and maps it into the folder.
func (d *Dir) path(key string) (string, error) {
	if !validKey(key) {
		return "", fmt.Errorf("store: key %q: %w", key, ErrUnsafe)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put implements Store.
func (d *Dir) Put(ctx context.Context, key, src string, o PutOptions) error {
	dst, err := d.path(key)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer in.Close()
	var r io.Reader = &ctxReader{ctx: ctx, r: in}
	if o.Progress != nil {
		r = &progressReader{r: r, progress: o.Progress}
	}
	return d.write(dst, func(path string) error { return atomicfile.WriteFrom(path, r, 0o644) })
}

// PutBytes implements Store.
func (d *Dir) PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dst, err := d.path(key)
	if err != nil {
		return err
	}
	return d.write(dst, func(path string) error { return atomicfile.Write(path, data, 0o644) })
}

// write runs fn after creating the parent directory, again if a
// concurrent prune removed it in between.
func (d *Dir) write(dst string, fn func(string) error) error {
	var err error
	for range 5 {
		// MkdirAll itself fails with ErrNotExist when a concurrent
		// publisher removes an emptied parent between its steps.
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			err = fn(dst)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("store: writing %s: %w", dst, err)
	}
	return nil
}

// Open implements Store.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, Object{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, Object{}, d.notExist(key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Object{}, fmt.Errorf("store: %w", err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, Object{}, fmt.Errorf("store: %s: %w", p, ErrNotExist)
	}
	return f, Object{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

func (d *Dir) notExist(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %s: %w", d.Location(key), ErrNotExist)
	}
	return fmt.Errorf("store: %w", err)
}

// Stat implements Store.
func (d *Dir) Stat(ctx context.Context, key string) (Object, error) {
	p, err := d.path(key)
	if err != nil {
		return Object{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return Object{}, d.notExist(key, err)
	}
	if fi.IsDir() {
		return Object{}, fmt.Errorf("store: %s: %w", p, ErrNotExist)
	}
	return Object{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// List implements Store. Hidden entries (names starting with '.': uploads
// in flight, temporary files) are listed only when prefix asks for them.
func (d *Dir) List(ctx context.Context, prefix string) ([]Object, error) {
	start := d.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		if !validKey(prefix[:i]) {
			return nil, fmt.Errorf("store: prefix %q: %w", prefix, ErrUnsafe)
		}
		start = filepath.Join(d.root, filepath.FromSlash(prefix[:i]))
	}
	var objs []Object
	err := filepath.WalkDir(start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking, or no such prefix
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.root, p)
		key := filepath.ToSlash(rel)
		if p == d.root {
			return nil
		}
		hidden := strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(prefix, key)
		if e.IsDir() {
			if hidden || !(strings.HasPrefix(key+"/", prefix) || strings.HasPrefix(prefix, key+"/")) {
				return fs.SkipDir
			}
			return nil
		}
		if hidden || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := os.Stat(p) // follows latest symlinks
		if err != nil {
			return nil // a dangling alias or a file removed meanwhile
		}
		if fi.IsDir() {
			return nil
		}
		objs = append(objs, Object{Key: key, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing %s: %w", d.Location(prefix), err)
	}
	slices.SortFunc(objs, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// Verify implements Store by hashing the file.
func (d *Dir) Verify(ctx context.Context, key string, size int64, sum string) error {
	rc, obj, err := d.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, &ctxReader{ctx: ctx, r: rc}); err != nil {
		return fmt.Errorf("store: reading %s: %w", d.Location(key), err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if obj.Size != size || got != sum {
		return &MismatchError{Location: d.Location(key), WantSize: size, GotSize: obj.Size, WantSHA256: sum, GotSHA256: got}
	}
	return nil
}

// Upload implements Store: the file is written under .incoming/{run}/,
// where readers never look, read back and hashed, and placed with a
// rename within the folder, which is atomic; a create-only place is a hard
// link, which fails when the key is taken, atomically too.
func (d *Dir) Upload(ctx context.Context, key, src string, o PutOptions) (Pending, error) {
	dst, err := d.path(key)
	if err != nil {
		return nil, err
	}
	run := IncomingDir + "/" + time.Now().UTC().Format("20060102T150405Z") + "-" + randomSuffix()
	tmp := run + "/" + path.Base(key)
	if err := d.Put(ctx, tmp, src, o); err != nil {
		_ = d.Delete(context.WithoutCancel(ctx), tmp)
		return nil, err
	}
	p := &dirPending{d: d, dst: dst, tmp: d.Location(tmp), createOnly: o.CreateOnly}
	if o.SHA256 != "" {
		fi, err := os.Stat(src)
		if err == nil {
			err = d.Verify(ctx, tmp, fi.Size(), o.SHA256)
		}
		if err != nil {
			_ = p.Discard(ctx)
			return nil, err
		}
	}
	return p, nil
}

// dirPending is a file under .incoming waiting to be put in place.
type dirPending struct {
	d          *Dir
	dst, tmp   string // final and .incoming paths
	createOnly bool
	placed     bool
}

// Place implements Pending.
func (p *dirPending) Place(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	put := func(dst string) error { return os.Rename(p.tmp, dst) }
	if p.createOnly {
		put = func(dst string) error {
			if err := os.Link(p.tmp, dst); err != nil {
				return err
			}
			return os.Remove(p.tmp)
		}
	}
	if err := p.d.write(p.dst, put); err != nil {
		if errors.Is(err, fs.ErrExist) {
			_ = p.Discard(ctx)
			return fmt.Errorf("store: %s: %w", p.dst, ErrExists)
		}
		return err
	}
	p.placed = true
	p.d.removeEmptyParents(p.tmp)
	return nil
}

// Discard implements Pending.
func (p *dirPending) Discard(context.Context) error {
	if p.placed {
		return nil
	}
	p.placed = true
	if err := os.Remove(p.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	p.d.removeEmptyParents(p.tmp)
	return nil
}

// Sweep implements Store: stale uploads under .incoming, and temporary
// files of atomic writes.
func (d *Dir) Sweep(ctx context.Context, cutoff time.Time) ([]string, error) {
	removed := sweepIncoming(ctx, d, cutoff)
	return append(removed, d.RemoveStaleTemp(cutoff)...), nil
}

// removeEmptyParents removes the directories above path that are now
// empty, up to the store's root; .incoming itself stays, so concurrent
// publishers do not race to recreate it.
func (d *Dir) removeEmptyParents(path string) {
	keep := filepath.Join(d.root, IncomingDir)
	for dir := filepath.Dir(path); dir != d.root && dir != keep && strings.HasPrefix(dir, d.root); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
}

// RemoveStaleTemp removes what killed writers left: temporary files of
// atomic writes (".name.pyrelease-*", ".link-*") older than cutoff, which
// readers never see but which would otherwise stay for good.
func (d *Dir) RemoveStaleTemp(cutoff time.Time) []string {
	var removed []string
	_ = filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		name := e.Name()
		if !strings.HasPrefix(name, ".") || !(strings.Contains(name, ".pyrelease-") || strings.HasPrefix(name, ".link-")) {
			return nil
		}
		if fi, err := os.Lstat(p); err == nil && fi.ModTime().Before(cutoff) && os.Remove(p) == nil {
			rel, _ := filepath.Rel(d.root, p)
			removed = append(removed, filepath.ToSlash(rel))
		}
		return nil
	})
	return removed
}

// Link implements Store with a relative symlink, swapped in atomically:
// as cheap as a pointer, and read as the file itself by anything that
// reads the folder or serves it. Where symlinks are not allowed, the alias
// is a copy, or a pointer page for files of copyLimit bytes or more.
func (d *Dir) Link(ctx context.Context, alias, target string, o PutOptions) (pointer bool, err error) {
	dst, err := d.path(alias)
	if err != nil {
		return false, err
	}
	src, err := d.path(target)
	if err != nil {
		return false, err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return false, d.notExist(target, err)
	}
	rel, err := filepath.Rel(filepath.Dir(dst), src)
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	symlink := d.symlink
	if symlink == nil {
		symlink = os.Symlink
	}
	limit := d.copyLimit
	if limit == 0 {
		limit = DefaultLatestCopyLimit
	}
	err = d.write(dst, func(dst string) error {
		pointer = false
		tmp := filepath.Join(filepath.Dir(dst), ".link-"+filepath.Base(dst)+randomSuffix())
		if err := symlink(rel, tmp); err != nil {
			if fi.Size() < limit {
				return atomicfile.Copy(src, dst, 0o644)
			}
			pointer = true
			return atomicfile.Write(dst, pointerPage(alias, target, o.SHA256), 0o644)
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	})
	return pointer, err
}

// Delete implements Store. Emptied directories of uploads in flight are
// removed too; others stay, since a concurrent publisher may be about to
// move a file into them.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	if strings.HasPrefix(key, IncomingDir+"/") {
		d.removeEmptyParents(p)
	}
	return nil
}
