package version

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// resolveRev turns a revision into an object name: "HEAD", a full or
// abbreviated object name, or a ref name resolved with git's rules
// (name, refs/name, refs/tags/name, refs/heads/name, refs/remotes/name,
// refs/remotes/name/HEAD), then any ~N, ^N and ^{} suffixes.
func (r *repository) resolveRev(rev string, head oid, s *commitStore) (oid, error) {
	base, ops := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		base, ops = rev[:i], rev[i:]
	}
	id, err := r.resolveBase(base, head)
	if err != nil {
		return oid{}, err
	}
	for ops != "" {
		op := ops[0]
		ops = ops[1:]
		if op == '^' && strings.HasPrefix(ops, "{") {
			end := strings.IndexByte(ops, '}')
			if end < 0 {
				return oid{}, fmt.Errorf("%w: %q: unterminated ^{", ErrBadRev, rev)
			}
			kind := ops[1:end]
			ops = ops[end+1:]
			switch kind {
			case "":
				for {
					typ, err := r.odb.typeOf(id)
					if err != nil {
						return oid{}, fmt.Errorf("version: revision %q: %w", rev, err)
					}
					if typ != typeTag {
						break
					}
					t, err := r.loadTag(id)
					if err != nil {
						return oid{}, err
					}
					id = t.target
				}
			case "commit":
				if id, err = r.peelToCommit(id, rev); err != nil {
					return oid{}, err
				}
			default:
				return oid{}, fmt.Errorf("%w: %q: only ^{} and ^{commit} are supported", ErrBadRev, rev)
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
				return oid{}, fmt.Errorf("%w: %q", ErrBadRev, rev)
			}
			n = v
		}
		ops = ops[j:]
		if id, err = r.peelToCommit(id, rev); err != nil {
			return oid{}, err
		}
		if op == '^' {
			if n == 0 {
				continue
			}
			if id, err = r.parent(s, id, n-1, rev); err != nil {
				return oid{}, err
			}
			continue
		}
		for k := 0; k < n; k++ {
			if id, err = r.parent(s, id, 0, rev); err != nil {
				return oid{}, err
			}
		}
	}
	return id, nil
}

func (r *repository) parent(s *commitStore, id oid, i int, rev string) (oid, error) {
	n, err := s.node(id)
	if err != nil {
		return oid{}, err
	}
	ps, err := s.parents(n)
	if err != nil {
		if errors.Is(err, errShallowBoundary) {
			return oid{}, &ShallowError{Dir: r.displayDir(), Commit: id.String()}
		}
		return oid{}, err
	}
	if i >= len(ps) {
		return oid{}, fmt.Errorf("%w: %q: commit %s has no parent %d", ErrBadRev, rev, id, i+1)
	}
	return s.oidOf(ps[i]), nil
}

func (r *repository) resolveBase(base string, head oid) (oid, error) {
	if base == "HEAD" || base == "@" || base == "" {
		return head, nil
	}
	if id, ok := parseOIDString(base); ok {
		return id, nil
	}
	for _, f := range []string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"} {
		name := fmt.Sprintf(f, base)
		if !validRefname(name) {
			continue
		}
		id, _, err := r.readRef(name)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, errRefMissing) {
			return oid{}, err
		}
	}
	if len(base) >= 4 && len(base) < hexLen {
		return r.resolvePrefix(base)
	}
	return oid{}, fmt.Errorf("%w: %q", ErrBadRev, base)
}

// resolvePrefix finds the one object whose name starts with an
// abbreviated hex prefix.
func (r *repository) resolvePrefix(prefix string) (oid, error) {
	prefix = strings.ToLower(prefix)
	for _, c := range []byte(prefix) {
		if _, ok := unhex(c); !ok {
			return oid{}, fmt.Errorf("%w: %q", ErrBadRev, prefix)
		}
	}
	// The lowest object name with this prefix.
	var lo oid
	padded := prefix + strings.Repeat("0", hexLen-len(prefix))
	lo, _ = parseOIDString(padded)
	found := map[oid]bool{}
	if err := r.odb.loadPacks(); err != nil && len(r.odb.packs) == 0 {
		return oid{}, err
	}
	hasPrefix := func(id oid) bool { return strings.HasPrefix(id.String(), prefix) }
	for _, p := range r.odb.packs {
		i, _ := p.idx.search(lo)
		for ; i < p.idx.n; i++ {
			id := p.idx.oidAt(i)
			if !hasPrefix(id) {
				break
			}
			found[id] = true
		}
	}
	for _, dir := range r.odb.dirs {
		names, err := listDir(dir + "/" + prefix[:2])
		if err != nil {
			continue
		}
		for _, n := range names {
			if id, ok := parseOIDString(prefix[:2] + n); ok && hasPrefix(id) {
				found[id] = true
			}
		}
	}
	switch len(found) {
	case 0:
		return oid{}, fmt.Errorf("%w: %q", ErrBadRev, prefix)
	case 1:
		for id := range found {
			return id, nil
		}
	}
	var ids [][]byte
	for id := range found {
		ids = append(ids, []byte(id.String()))
	}
	return oid{}, fmt.Errorf("%w: %q is ambiguous (%s)", ErrBadRev, prefix, bytes.Join(ids, []byte(", ")))
}
