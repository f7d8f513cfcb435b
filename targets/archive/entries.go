package archive

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Entry is one file to pack.
type Entry struct {
	Path   string      // path inside the archive, slash-separated, relative
	Source string      // file on disk
	Mode   fs.FileMode // permission bits to store; 0 = 0755 if the source has an executable bit, else 0644
}

// item is an entry ready to write: final archive path (prefix included, no
// trailing slash), normalised mode, and the size seen when collecting, so a
// file that changes under us is an error rather than a corrupt archive.
type item struct {
	name   string
	source string
	mode   fs.FileMode
	size   int64
	dir    bool
}

// cleanPath checks that p is a relative slash path that stays inside the
// extraction directory on every system.
func cleanPath(p string) error {
	if !fs.ValidPath(p) || p == "." || strings.ContainsAny(p, "\\\x00") {
		return &PathError{Path: p, Err: ErrUnsafePath}
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." || elem == "." {
			return &PathError{Path: p, Err: ErrUnsafePath}
		}
	}
	return nil
}

// fileMode is the mode stored for a regular file: umasks and group bits
// differ between machines, the executable bit is what matters.
func fileMode(m fs.FileMode) fs.FileMode {
	if m&0o111 != 0 {
		return 0o755
	}
	return 0o644
}

// collect turns Options into the sorted list of items to write, with every
// parent directory present once.
func collect(o Options) ([]item, error) {
	prefix := strings.TrimSuffix(o.Prefix, "/")
	if prefix != "" {
		if err := cleanPath(prefix); err != nil {
			return nil, err
		}
	}
	var items []item
	var err error
	switch {
	case o.Dir != "" && len(o.Entries) > 0:
		return nil, fmt.Errorf("archive: %w: set Entries or Dir, not both", ErrOptions)
	case o.Dir != "":
		items, err = walkDir(o.Dir)
	case len(o.Entries) > 0:
		items, err = fromEntries(o.Entries)
	default:
		return nil, fmt.Errorf("archive: %w: nothing to pack (Entries and Dir are empty)", ErrOptions)
	}
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		for i := range items {
			items[i].name = prefix + "/" + items[i].name
		}
	}
	return addParents(items)
}

func walkDir(root string) ([]item, error) {
	var items []item
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		name := filepath.ToSlash(rel)
		if err := cleanPath(name); err != nil {
			return err
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			return &PathError{Path: p, Err: ErrSymlink}
		case t.IsDir():
			items = append(items, item{name: name, mode: 0o755, dir: true})
			return nil
		case !t.IsRegular():
			return &PathError{Path: p, Err: ErrNotRegular}
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		items = append(items, item{name: name, source: p, mode: fileMode(fi.Mode()), size: fi.Size()})
		return nil
	})
	return items, err
}

func fromEntries(entries []Entry) ([]item, error) {
	items := make([]item, 0, len(entries))
	for _, e := range entries {
		if err := cleanPath(e.Path); err != nil {
			return nil, err
		}
		fi, err := os.Lstat(e.Source)
		if err != nil {
			return nil, fmt.Errorf("archive: entry %s: %w", e.Path, err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, &PathError{Path: e.Source, Err: ErrSymlink}
		case !fi.Mode().IsRegular():
			return nil, &PathError{Path: e.Source, Err: ErrNotRegular}
		}
		mode := fileMode(fi.Mode())
		if e.Mode != 0 {
			mode = e.Mode.Perm()
		}
		items = append(items, item{name: e.Path, source: e.Source, mode: mode, size: fi.Size()})
	}
	return items, nil
}

// addParents adds the directories that paths imply, rejects duplicates and
// sorts. Plain byte order puts a directory before its content because a
// parent's name is a prefix of its children's.
func addParents(items []item) ([]item, error) {
	seen := make(map[string]bool, len(items)) // name -> is a directory
	out := make([]item, 0, len(items))
	for _, it := range items {
		if isDir, ok := seen[it.name]; ok && (!isDir || !it.dir) {
			return nil, &PathError{Path: it.name, Err: ErrDuplicate}
		} else if ok {
			continue
		}
		seen[it.name] = it.dir
		out = append(out, it)
	}
	for _, it := range items {
		for dir := path.Dir(it.name); dir != "."; dir = path.Dir(dir) {
			isDir, ok := seen[dir]
			if ok && !isDir {
				return nil, &PathError{Path: dir, Err: ErrDuplicate}
			}
			if ok {
				break
			}
			seen[dir] = true
			out = append(out, item{name: dir, mode: 0o755, dir: true})
		}
	}
	slices.SortFunc(out, func(a, b item) int { return strings.Compare(a.name, b.name) })
	return out, nil
}
