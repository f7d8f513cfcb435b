package gitread

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// WalkCommits calls fn once for every commit reachable from start, with
// the commit's full object, depth first: what `git rev-list start` lists,
// in another order. At a shallow clone's boundary the walk stops, as
// git's does; a commit missing for any other reason is an error. fn must
// not keep commit after it returns.
func (r *Repo) WalkCommits(ctx context.Context, start OID, fn func(id OID, commit []byte) error) error {
	shallow, err := r.ShallowSet()
	if err != nil {
		return err
	}
	seen := map[OID]struct{}{start: {}}
	stack := []OID{start}
	for n := 0; len(stack) > 0; n++ {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		typ, data, err := r.ODB.Read(id)
		if err != nil {
			if errors.Is(err, ErrNotFound) && id != start {
				return fmt.Errorf("commit %s is missing: the history is incomplete but not marked shallow (%s): %w", id, filepath.Join(r.CommonDir, "shallow"), err)
			}
			return err
		}
		if typ != TypeCommit {
			return notCommit(id, typ)
		}
		h, _, err := ParseCommitHeader(data, true)
		if err != nil {
			return &ObjectError{ID: id.String(), Reason: err.Error(), Err: ErrCorrupt}
		}
		if err := fn(id, data); err != nil {
			return err
		}
		if shallow[id] {
			// git grafts shallow commits as parentless.
			continue
		}
		for _, p := range h.Parents {
			if _, ok := seen[p]; !ok {
				seen[p] = struct{}{}
				stack = append(stack, p)
			}
		}
	}
	return nil
}

// CommitField returns the value of the last line of a commit's header
// that starts with key and a space ("author", "committer"), as git's
// pretty-printer finds the identity it prints; nil when there is none.
// The header ends at the first empty line; like git's scan, a NUL ends a
// line too, and the scan goes on after it.
func CommitField(commit []byte, key string) []byte {
	var val []byte
	header := commit
	for len(header) > 0 {
		line := header
		if i := bytes.IndexAny(header, "\n\x00"); i >= 0 {
			line, header = header[:i], header[i+1:]
		} else {
			header = nil
		}
		if len(line) == 0 {
			break
		}
		if len(line) > len(key) && line[len(key)] == ' ' && string(line[:len(key)]) == key {
			val = line[len(key)+1:]
		}
	}
	return val
}
