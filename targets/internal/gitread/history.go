package gitread

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// CheckHistoryRewrites refuses repositories whose history git would see
// through replace refs or grafts: git's walks follow them, this package's
// readers do not, and a silently different answer is worse than an
// error.
func (r *Repo) CheckHistoryRewrites() error {
	if _, err := os.Stat(filepath.Join(r.CommonDir, "info", "grafts")); err == nil {
		return &FileError{Path: filepath.Join(r.CommonDir, "info", "grafts"), Reason: "grafts are not supported", Err: ErrUnsupported}
	}
	if envBool("GIT_NO_REPLACE_OBJECTS") {
		return nil
	}
	var replace []TagRef
	if err := r.walkLoose(filepath.Join(r.CommonDir, "refs", "replace"), "refs/replace/", &replace); err != nil {
		return err
	}
	p, err := r.packedRefs()
	if err != nil {
		return err
	}
	i := sort.Search(len(p.refs), func(i int) bool { return p.refs[i].Name >= "refs/replace/" })
	replace = slices.DeleteFunc(replace, func(t TagRef) bool { return t.broken })
	if len(replace) > 0 || i < len(p.refs) && strings.HasPrefix(p.refs[i].Name, "refs/replace/") {
		return &FileError{Path: filepath.Join(r.CommonDir, "refs", "replace"), Reason: "replace refs are not supported (set GIT_NO_REPLACE_OBJECTS=1 to ignore them, as git would)", Err: ErrUnsupported}
	}
	return nil
}

// ShallowSet reads the shallow file: the commits whose parents a shallow
// clone does not have.
func (r *Repo) ShallowSet() (map[OID]bool, error) {
	path := filepath.Join(r.CommonDir, "shallow")
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, &FileError{Path: path, Reason: "cannot read", Err: err}
	}
	defer f.Close()
	set := map[OID]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		id, ok := ParseOID(line)
		if !ok {
			return nil, corrupt(path, "expected one object name per line, got %q", line)
		}
		set[id] = true
	}
	if err := sc.Err(); err != nil {
		return nil, &FileError{Path: path, Reason: "cannot read", Err: err}
	}
	return set, nil
}

// PeelToCommit is lookup_commit_reference: follow tags down to a commit.
func (r *Repo) PeelToCommit(id OID, rev string) (OID, error) {
	for depth := 0; depth < 100; depth++ {
		typ, err := r.ODB.TypeOf(id)
		if err != nil {
			return OID{}, fmt.Errorf("revision %q: %w", rev, err)
		}
		switch typ {
		case TypeCommit:
			return id, nil
		case TypeTag:
			t, err := r.LoadTag(id)
			if err != nil {
				return OID{}, fmt.Errorf("revision %q: %w", rev, err)
			}
			id = t.Target
		default:
			return OID{}, fmt.Errorf("%w: %q is a %s", ErrBadRev, rev, typ)
		}
	}
	return OID{}, fmt.Errorf("%w: %q: tag chain too long", ErrBadRev, rev)
}
