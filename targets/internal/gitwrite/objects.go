package gitwrite

import (
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// Objects are objects made in memory: a plan makes them all, so that a dry
// run computes the same commit and tag as the real run without writing,
// and the real run writes them with Store before it moves any ref.
type Objects struct {
	r    *Repo
	list []plumbing.EncodedObject
	byID map[plumbing.Hash]plumbing.EncodedObject
}

// NewObjects starts an empty set of objects for r.
func (r *Repo) NewObjects() *Objects {
	return &Objects{r: r, byID: map[plumbing.Hash]plumbing.EncodedObject{}}
}

// Len is how many objects the set holds.
func (o *Objects) Len() int { return len(o.list) }

func (o *Objects) add(obj plumbing.EncodedObject) plumbing.Hash {
	h := obj.Hash()
	if _, dup := o.byID[h]; !dup {
		o.byID[h] = obj
		o.list = append(o.list, obj)
	}
	return h
}

// get reads an object of the set, or else of the repository.
func (o *Objects) get(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if obj, ok := o.byID[h]; ok {
		return obj, nil
	}
	// A fresh reader each time: reads are few (the trees along the paths
	// a release changes), and nothing stays mapped between them.
	db := gitread.NewODB(filepath.Join(o.r.CommonDir, "objects"))
	defer db.Close()
	typ, data, err := db.Read(gitread.OID(h))
	if err != nil {
		return nil, fmt.Errorf("gitwrite: reading %s %s: %w", t, h, err)
	}
	if typ.String() != t.String() {
		return nil, fmt.Errorf("gitwrite: reading %s: it is a %s, expected a %s", h, typ, t)
	}
	obj := &plumbing.MemoryObject{}
	obj.SetType(t)
	obj.SetSize(int64(len(data)))
	_, _ = obj.Write(data) // a memory object's writer does not fail
	return obj, nil
}

// Blob adds a blob of data and returns its id.
func (o *Objects) Blob(data []byte) plumbing.Hash {
	obj := o.r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, _ := obj.Writer() // a memory object's writer does not fail
	_, _ = w.Write(data)
	_ = w.Close()
	return o.add(obj)
}

// BlobHash is the id git gives a blob of data.
func BlobHash(data []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, data)
}

// ReadBlob returns a blob's bytes, from the set or the repository.
func (o *Objects) ReadBlob(h plumbing.Hash) ([]byte, error) {
	obj, err := o.get(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	b := &object.Blob{}
	if err := b.Decode(obj); err != nil {
		return nil, fmt.Errorf("gitwrite: blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("gitwrite: blob %s: %w", h, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("gitwrite: blob %s: %w", h, err)
	}
	return data, nil
}

// Change is one path of a tree to set to a blob, or to remove.
type Change struct {
	Path   string // slash-separated, relative to the tree
	Blob   plumbing.Hash
	Mode   filemode.FileMode // for a new path; an existing file keeps its mode. 0 means Regular
	Remove bool              // remove Path; a path that is not there is no error
}

// Tree adds the tree that is base (zero: the empty tree) with changes
// applied, and the trees of the directories it changes, nested at any
// depth. A directory left empty disappears, as in git.
func (o *Objects) Tree(base plumbing.Hash, changes []Change) (plumbing.Hash, error) {
	h, _, err := o.tree(base, changes)
	return h, err
}

func (o *Objects) tree(base plumbing.Hash, changes []Change) (plumbing.Hash, int, error) {
	entries := map[string]object.TreeEntry{}
	if !base.IsZero() {
		obj, err := o.get(plumbing.TreeObject, base)
		if err != nil {
			return plumbing.ZeroHash, 0, err
		}
		t := &object.Tree{}
		if err := t.Decode(obj); err != nil {
			return plumbing.ZeroHash, 0, fmt.Errorf("gitwrite: tree %s: %w", base, err)
		}
		for _, e := range t.Entries {
			entries[e.Name] = e
		}
	}
	sub := map[string][]Change{}
	var order []string
	for _, c := range changes {
		first, rest, nested := strings.Cut(c.Path, "/")
		if first == "" || first == "." || first == ".." || c.Path != path.Clean(c.Path) {
			return plumbing.ZeroHash, 0, fmt.Errorf("gitwrite: %q is not a clean relative path", c.Path)
		}
		if nested {
			if _, seen := sub[first]; !seen {
				order = append(order, first)
			}
			c.Path = rest
			sub[first] = append(sub[first], c)
			continue
		}
		old, exists := entries[first]
		switch {
		case c.Remove:
			if exists && old.Mode != filemode.Dir {
				delete(entries, first)
			}
		case exists && old.Mode == filemode.Dir:
			return plumbing.ZeroHash, 0, fmt.Errorf("gitwrite: %s is a directory in the tree, expected a file", first)
		default:
			mode := c.Mode
			if exists && (old.Mode == filemode.Regular || old.Mode == filemode.Executable) {
				mode = old.Mode
			}
			if mode == 0 {
				mode = filemode.Regular
			}
			entries[first] = object.TreeEntry{Name: first, Mode: mode, Hash: c.Blob}
		}
	}
	for _, dir := range order {
		old, exists := entries[dir]
		var subBase plumbing.Hash
		if exists {
			if old.Mode != filemode.Dir {
				return plumbing.ZeroHash, 0, fmt.Errorf("gitwrite: %s is a file in the tree, expected a directory", dir)
			}
			subBase = old.Hash
		}
		h, n, err := o.tree(subBase, sub[dir])
		if err != nil {
			return plumbing.ZeroHash, 0, fmt.Errorf("%w (in %s/)", err, dir)
		}
		if n == 0 {
			delete(entries, dir)
		} else {
			entries[dir] = object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h}
		}
	}
	t := &object.Tree{}
	for _, e := range entries {
		t.Entries = append(t.Entries, e)
	}
	sort.Sort(object.TreeEntrySorter(t.Entries))
	obj := o.r.repo.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, 0, fmt.Errorf("gitwrite: encoding a tree: %w", err)
	}
	return o.add(obj), len(t.Entries), nil
}

// Commit adds c and returns its id.
func (o *Objects) Commit(c *object.Commit) (plumbing.Hash, error) {
	obj := o.r.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitwrite: encoding a commit: %w", err)
	}
	return o.add(obj), nil
}

// Tag adds the annotated tag t and returns its id.
func (o *Objects) Tag(t *object.Tag) (plumbing.Hash, error) {
	obj := o.r.repo.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitwrite: encoding tag %s: %w", t.Name, err)
	}
	return o.add(obj), nil
}

// TreeOf returns the tree id of a commit of the set or the repository.
func (o *Objects) TreeOf(commit plumbing.Hash) (plumbing.Hash, error) {
	obj, err := o.get(plumbing.CommitObject, commit)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	c := &object.Commit{}
	if err := c.Decode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("gitwrite: commit %s: %w", commit, err)
	}
	return c.TreeHash, nil
}

// Lookup returns the blob id and mode of path in a tree of the set or the
// repository; found is false when the tree has no file there.
func (o *Objects) Lookup(tree plumbing.Hash, p string) (h plumbing.Hash, mode filemode.FileMode, found bool, err error) {
	for !tree.IsZero() {
		obj, err := o.get(plumbing.TreeObject, tree)
		if err != nil {
			return h, 0, false, err
		}
		t := &object.Tree{}
		if err := t.Decode(obj); err != nil {
			return h, 0, false, fmt.Errorf("gitwrite: tree %s: %w", tree, err)
		}
		first, rest, nested := strings.Cut(p, "/")
		var next *object.TreeEntry
		for i := range t.Entries {
			if t.Entries[i].Name == first {
				next = &t.Entries[i]
				break
			}
		}
		switch {
		case next == nil:
			return h, 0, false, nil
		case !nested:
			if next.Mode == filemode.Dir {
				return h, 0, false, nil
			}
			return next.Hash, next.Mode, true, nil
		case next.Mode != filemode.Dir:
			return h, 0, false, nil
		}
		tree, p = next.Hash, rest
	}
	return h, 0, false, nil
}

// Store writes the objects the repository does not have yet. Each is
// written whole to a temporary file and renamed: a crash leaves complete
// objects that nothing refers to, never a broken one.
func (o *Objects) Store() error {
	for _, obj := range o.list {
		err := o.r.repo.Storer.HasEncodedObject(obj.Hash())
		if err == nil {
			continue
		}
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return fmt.Errorf("gitwrite: %w", err)
		}
		if _, err := o.r.repo.Storer.SetEncodedObject(obj); err != nil {
			return fmt.Errorf("gitwrite: writing %s %s: %w", obj.Type(), obj.Hash(), err)
		}
	}
	return nil
}
