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
// or a folder served by any web server gives. Objects are files; moves are
// renames within the folder, so they are atomic.
type Dir struct {
	root string
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

// validKey accepts clean relative slash paths.
func validKey(key string) bool {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, `\`) || path.Clean(key) != key {
		return false
	}
	return !slices.Contains(strings.Split(key, "/"), "..")
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

// Move implements Store with a rename.
func (d *Dir) Move(ctx context.Context, from, to string, o PutOptions) error {
	src, err := d.path(from)
	if err != nil {
		return err
	}
	dst, err := d.path(to)
	if err != nil {
		return err
	}
	put := func(dst string) error { return os.Rename(src, dst) }
	if o.CreateOnly {
		// A hard link fails when dst exists, atomically.
		put = func(dst string) error {
			if err := os.Link(src, dst); err != nil {
				return err
			}
			return os.Remove(src)
		}
	}
	if err := d.write(dst, put); err != nil {
		if errors.Is(err, fs.ErrExist) {
			_ = os.Remove(src)
			return fmt.Errorf("store: %s: %w", dst, ErrExists)
		}
		return err
	}
	if strings.HasPrefix(from, IncomingDir+"/") {
		d.removeEmptyParents(src)
	}
	return nil
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

// Link implements Store with a relative symlink, swapped in atomically.
// Where symlinks are not allowed, the alias is a copy.
func (d *Dir) Link(ctx context.Context, alias, target string, o PutOptions) error {
	dst, err := d.path(alias)
	if err != nil {
		return err
	}
	src, err := d.path(target)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(dst), src)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return d.write(dst, func(dst string) error {
		tmp := filepath.Join(filepath.Dir(dst), ".link-"+filepath.Base(dst)+randomSuffix())
		if err := os.Symlink(rel, tmp); err != nil {
			return atomicfile.Copy(src, dst, 0o644)
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	})
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

// MismatchError is returned when stored bytes differ from what was sent.
type MismatchError struct {
	Location              string
	WantSize, GotSize     int64
	WantSHA256, GotSHA256 string // GotSHA256 is "" when the store cannot tell
}

func (e *MismatchError) Error() string {
	if e.WantSize != e.GotSize {
		return fmt.Sprintf("store: %s: size %d, want %d", e.Location, e.GotSize, e.WantSize)
	}
	return fmt.Sprintf("store: %s: sha256 %s, want %s", e.Location, e.GotSHA256, e.WantSHA256)
}

func (e *MismatchError) Unwrap() error { return ErrMismatch }

// ctxReader stops a long copy when the context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// progressReader reports bytes as they are read.
type progressReader struct {
	r        io.Reader
	progress func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress(int64(n))
	}
	return n, err
}
