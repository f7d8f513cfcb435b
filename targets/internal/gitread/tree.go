package gitread

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// HeadTarget returns the ref HEAD points at ("refs/heads/main"), "" when
// HEAD is detached. The branch need not have a commit yet.
func (r *Repo) HeadTarget() (string, error) {
	path := r.refFile("HEAD")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", &FileError{Path: path, Reason: "cannot read", Err: err}
	}
	if target, ok := bytes.CutPrefix(data, []byte("ref:")); ok {
		return strings.TrimSpace(string(target)), nil
	}
	return "", nil
}

// ReadBlob reads the blob a revision names as git's get_oid does for a
// blob: "REV:PATH" (REV defaults to HEAD, whose commit is head) is the
// file at PATH in REV's tree; anything else is resolved by ResolveRev.
func (r *Repo) ReadBlob(spec string, head OID) ([]byte, error) {
	id, err := r.resolveBlob(spec, head)
	if err != nil {
		return nil, err
	}
	typ, data, err := r.ODB.Read(id)
	if err != nil {
		return nil, err
	}
	if typ != TypeBlob {
		return nil, fmt.Errorf("%w: %q is a %s, not a blob", ErrBadRev, spec, typ)
	}
	return data, nil
}

func (r *Repo) resolveBlob(spec string, head OID) (OID, error) {
	rev, path, hasPath := strings.Cut(spec, ":")
	if !hasPath {
		return r.ResolveRev(spec, head, nil)
	}
	if rev == "" {
		rev = "HEAD"
	}
	id, err := r.ResolveRev(rev, head, nil)
	if err != nil {
		return OID{}, err
	}
	if id, err = r.PeelToCommit(id, rev); err != nil {
		return OID{}, err
	}
	h, err := r.ODB.ReadCommitHeader(id)
	if err != nil {
		return OID{}, err
	}
	return r.lookupPath(h.Tree, strings.Trim(path, "/"), spec)
}

// lookupPath finds the entry at a slash path in a tree.
func (r *Repo) lookupPath(tree OID, path, spec string) (OID, error) {
	id := tree
	for _, name := range strings.Split(path, "/") {
		typ, data, err := r.ODB.Read(id)
		if err != nil {
			return OID{}, err
		}
		if typ != TypeTree {
			return OID{}, fmt.Errorf("%w: %q: %s is not a directory", ErrBadRev, spec, name)
		}
		next, ok, err := treeEntry(data, name)
		if err != nil {
			return OID{}, &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if !ok {
			return OID{}, fmt.Errorf("%w: %q: no %s in the tree", ErrBadRev, spec, path)
		}
		id = next
	}
	return id, nil
}

// TreeEntry is one entry of a tree object.
type TreeEntry struct {
	Mode uint32 // octal as git writes it: 100644, 40000, 160000...
	Name string
	ID   OID
}

// NextTreeEntry parses the first entry of a tree object's content
// ("<octal mode> <name>\0<binary object name>") and returns the rest.
func NextTreeEntry(data []byte) (e TreeEntry, rest []byte, err error) {
	sp := bytes.IndexByte(data, ' ')
	nul := bytes.IndexByte(data, 0)
	if sp < 0 || nul < sp || nul+1+HashLen > len(data) {
		return e, nil, errors.New("bad tree entry")
	}
	mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
	if err != nil {
		return e, nil, errors.New("bad tree entry mode")
	}
	e.Mode, e.Name = uint32(mode), string(data[sp+1:nul])
	copy(e.ID[:], data[nul+1:nul+1+HashLen])
	return e, data[nul+1+HashLen:], nil
}

// treeEntry finds name among a tree object's entries.
func treeEntry(data []byte, name string) (OID, bool, error) {
	for len(data) > 0 {
		e, rest, err := NextTreeEntry(data)
		if err != nil {
			return OID{}, false, err
		}
		if e.Name == name {
			return e.ID, true, nil
		}
		data = rest
	}
	return OID{}, false, nil
}
