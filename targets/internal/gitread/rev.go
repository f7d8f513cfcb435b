package gitread

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParentsFunc returns the parents of a commit. A caller walking history
// with its own commit index (a commit-graph, say) passes one so that ~N
// and ^N follow the same parents its walk does.
type ParentsFunc func(commit OID) ([]OID, error)

// ResolveRev turns a revision into an object name: "HEAD", a full or
// abbreviated object name, or a ref name resolved with git's rules
// (name, refs/name, refs/tags/name, refs/heads/name, refs/remotes/name,
// refs/remotes/name/HEAD), then any ~N, ^N and ^{} suffixes. head is
// what HEAD names; parents nil reads parents from the commit objects.
func (r *Repo) ResolveRev(rev string, head OID, parents ParentsFunc) (OID, error) {
	if parents == nil {
		parents = r.commitParents
	}
	base, ops := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		base, ops = rev[:i], rev[i:]
	}
	id, err := r.resolveBase(base, head)
	if err != nil {
		return OID{}, err
	}
	for ops != "" {
		op := ops[0]
		ops = ops[1:]
		if op == '^' && strings.HasPrefix(ops, "{") {
			end := strings.IndexByte(ops, '}')
			if end < 0 {
				return OID{}, fmt.Errorf("%w: %q: unterminated ^{", ErrBadRev, rev)
			}
			kind := ops[1:end]
			ops = ops[end+1:]
			switch kind {
			case "":
				for {
					typ, err := r.ODB.TypeOf(id)
					if err != nil {
						return OID{}, fmt.Errorf("revision %q: %w", rev, err)
					}
					if typ != TypeTag {
						break
					}
					t, err := r.LoadTag(id)
					if err != nil {
						return OID{}, err
					}
					id = t.Target
				}
			case "commit":
				if id, err = r.PeelToCommit(id, rev); err != nil {
					return OID{}, err
				}
			default:
				return OID{}, fmt.Errorf("%w: %q: only ^{} and ^{commit} are supported", ErrBadRev, rev)
			}
			continue
		}
		j := 0
		for j < len(ops) && ops[j] >= '0' && ops[j] <= '9' {
			j++
		}
		n := 1
		if j > 0 {
			v, err := strconv.Atoi(ops[:j])
			if err != nil {
				return OID{}, fmt.Errorf("%w: %q", ErrBadRev, rev)
			}
			n = v
		}
		ops = ops[j:]
		if id, err = r.PeelToCommit(id, rev); err != nil {
			return OID{}, err
		}
		if op == '^' {
			if n == 0 {
				continue
			}
			if id, err = r.parent(parents, id, n-1, rev); err != nil {
				return OID{}, err
			}
			continue
		}
		for k := 0; k < n; k++ {
			if id, err = r.parent(parents, id, 0, rev); err != nil {
				return OID{}, err
			}
		}
	}
	return id, nil
}

func (r *Repo) parent(parents ParentsFunc, id OID, i int, rev string) (OID, error) {
	ps, err := parents(id)
	if err != nil {
		return OID{}, err
	}
	if i >= len(ps) {
		return OID{}, fmt.Errorf("%w: %q: commit %s has no parent %d", ErrBadRev, rev, id, i+1)
	}
	return ps[i], nil
}

// commitParents reads a commit's parents from its object.
func (r *Repo) commitParents(id OID) ([]OID, error) {
	h, err := r.ODB.ReadCommitHeader(id)
	return h.Parents, err
}

func (r *Repo) resolveBase(base string, head OID) (OID, error) {
	if base == "HEAD" || base == "@" || base == "" {
		return head, nil
	}
	if id, ok := ParseOIDString(base); ok {
		return id, nil
	}
	for _, f := range []string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"} {
		name := fmt.Sprintf(f, base)
		if !validRefname(name) {
			continue
		}
		id, _, err := r.ReadRef(name)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, ErrNoRef) {
			return OID{}, err
		}
	}
	if len(base) >= 4 && len(base) < HexLen {
		return r.resolvePrefix(base)
	}
	return OID{}, fmt.Errorf("%w: %q", ErrBadRev, base)
}

// resolvePrefix finds the one object whose name starts with an
// abbreviated hex prefix.
func (r *Repo) resolvePrefix(prefix string) (OID, error) {
	prefix = strings.ToLower(prefix)
	for _, c := range []byte(prefix) {
		if _, ok := unhex(c); !ok {
			return OID{}, fmt.Errorf("%w: %q", ErrBadRev, prefix)
		}
	}
	// The lowest object name with this prefix.
	var lo OID
	padded := prefix + strings.Repeat("0", HexLen-len(prefix))
	lo, _ = ParseOIDString(padded)
	found := map[OID]bool{}
	if err := r.ODB.LoadPacks(); err != nil && len(r.ODB.packs) == 0 {
		return OID{}, err
	}
	hasPrefix := func(id OID) bool { return strings.HasPrefix(id.String(), prefix) }
	for _, p := range r.ODB.packs {
		i, _ := p.idx.search(lo)
		for ; i < p.idx.n; i++ {
			id := p.idx.OIDAt(i)
			if !hasPrefix(id) {
				break
			}
			found[id] = true
		}
	}
	for _, dir := range r.ODB.Dirs {
		names, err := listDir(dir + "/" + prefix[:2])
		if err != nil {
			continue
		}
		for _, n := range names {
			if id, ok := ParseOIDString(prefix[:2] + n); ok && hasPrefix(id) {
				found[id] = true
			}
		}
	}
	switch len(found) {
	case 0:
		return OID{}, fmt.Errorf("%w: %q", ErrBadRev, prefix)
	case 1:
		for id := range found {
			return id, nil
		}
	}
	var ids [][]byte
	for id := range found {
		ids = append(ids, []byte(id.String()))
	}
	return OID{}, fmt.Errorf("%w: %q is ambiguous (%s)", ErrBadRev, prefix, bytes.Join(ids, []byte(", ")))
}
