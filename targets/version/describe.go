package version

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// Description is what `git describe --tags --long` says about HEAD, plus
// the state of the worktree.
type Description struct {
	// Tag is the nearest tag as git prints it (for an annotated tag, the
	// name recorded inside the tag object), "" when no candidate tag is
	// reachable.
	Tag string
	// TagCommit is the full hex name of the commit Tag points to (through
	// annotated tags), "" without a tag.
	TagCommit string
	// Distance is git's depth: commits reachable from HEAD but not from
	// Tag. When Tag is "" it is the number of commits reachable from HEAD,
	// which is what setuptools-scm falls back to.
	Distance int
	// Commit is the full hex name of the described commit.
	Commit string
	// Short is the object name exactly as git describe abbreviates it.
	Short string
	// Dirty reports tracked changes against HEAD; only set when
	// Options.Dirty asks for it.
	Dirty bool
	// Branch is the current branch's short name, "" when HEAD is detached.
	Branch string
	// Date is the described commit's committer date, in UTC.
	Date time.Time
}

// String is git's text: "v1.2.0-5-gabc1234", just the abbreviated name
// when there is no tag (as with --always), and "-dirty" when dirty.
func (d Description) String() string {
	s := d.Short
	if d.Tag != "" {
		s = d.Tag + "-" + strconv.Itoa(d.Distance) + "-g" + d.Short
	}
	if d.Dirty {
		s += "-dirty"
	}
	return s
}

// Options select the repository, the tags, and what else to compute.
type Options struct {
	// Dir is any directory inside the worktree (or the git directory);
	// the repository is found by searching upward as git does. Empty means
	// the current directory.
	Dir string
	// Match are glob patterns as for `git describe --match`; a tag is a
	// candidate when its name (without refs/tags/) matches any of them.
	// Empty means every tag.
	Match []string
	// Candidate, when set, must also accept a tag's name for it to count.
	Candidate func(tag string) bool
	// Dirty asks for Description.Dirty, which costs a stat of every
	// tracked file.
	Dirty bool
	// Rev describes this commit-ish (full or short hex, a ref name,
	// optionally followed by ~N or ^N) instead of HEAD. Dirty still looks
	// at the worktree.
	Rev string
	// Search picks which git release's search to reproduce; the zero
	// value is SearchClassic.
	Search Search
	// RequireTag fails as git describe does without --always when no
	// candidate tag describes the commit: ErrNoNames when there is no
	// candidate at all, a NoTagError when none is reachable. Without it a
	// missing tag is not an error (Tag is "" and Distance counts every
	// commit), which is what versioning needs.
	RequireTag bool
}

// Search names a generation of git describe's candidate search. They give
// the same answer except on merge-heavy histories with many tags, where
// the newer search stops earlier and can settle on a different tag.
type Search int

const (
	// SearchClassic is git up to 2.47 (Debian 12 ships 2.39): after ten
	// candidates it keeps walking until it meets an eleventh tag.
	SearchClassic Search = iota
	// SearchModern is git 2.48 and later: it stops as soon as it has ten
	// candidates or has found every tag.
	SearchModern
)

// Describe finds the nearest tag of HEAD (or Options.Rev) as
// `git describe --tags --long` does, without running git. No tag at all is
// not an error: Tag is then "" and Distance counts all commits.
func Describe(ctx context.Context, opts Options) (Description, error) {
	if err := ctx.Err(); err != nil {
		return Description{}, err
	}
	r, err := openRepository(opts.Dir)
	if err != nil {
		return Description{}, prefixed(err)
	}
	defer r.Close()
	d, err := r.describe(ctx, opts)
	return d, prefixed(err)
}

func (r *repository) describe(ctx context.Context, opts Options) (Description, error) {
	head, branch, err := r.Head()
	if err != nil && (opts.Rev == "" || opts.Dirty || !errors.Is(err, ErrNoCommits)) {
		return Description{}, err
	}
	shallow, err := r.ShallowSet()
	if err != nil {
		return Description{}, err
	}
	if err := r.CheckHistoryRewrites(); err != nil {
		return Description{}, err
	}
	g := gitread.LoadCommitGraph(r.ODB.Dirs)
	if g != nil {
		defer g.Close()
	}
	store := newCommitStore(r.ODB, g, shallow)

	arg, target := head, head
	if opts.Rev != "" {
		if arg, err = r.ResolveRev(opts.Rev, head, r.parentsOf(store)); err != nil {
			return Description{}, err
		}
		if target, err = r.PeelToCommit(arg, opts.Rev); err != nil {
			return Description{}, err
		}
	}
	start, err := store.node(target)
	if err != nil {
		return Description{}, err
	}
	// Git parses the described commit (and the tag naming it) from its
	// object even when the commit-graph has it.
	r.ODB.Touch(arg)
	r.ODB.Touch(target)
	d := Description{
		Commit: target.String(),
		Branch: branch,
		Date:   time.Unix(int64(store.date(start)), 0).UTC(),
	}

	refs, err := r.TagRefs()
	if err != nil {
		return Description{}, err
	}
	names, err := r.collectNames(refs, acceptFunc(opts))
	if err != nil {
		return Description{}, err
	}
	if opts.RequireTag && names.count == 0 {
		return Description{}, ErrNoNames
	}
	classic := opts.Search == SearchClassic
	abbrevOf := target
	if n := names.byPeeled[target]; n != nil {
		// Exact match: git prints the tag with distance 0 and abbreviates
		// what the tag object points at (an inner tag, for a tag of a
		// tag), or, for a lightweight tag, what it was asked to describe
		// (git 2.47 and older) or the commit (later releases).
		if d.Tag, err = r.display(n); err != nil {
			return Description{}, err
		}
		d.TagCommit = n.peeled.String()
		switch {
		case n.tag != nil:
			abbrevOf = n.tag.Target
		case classic:
			abbrevOf = arg
		}
	} else if err := r.search(ctx, opts, store, names, start, &d); err != nil {
		return Description{}, err
	}
	if opts.RequireTag && d.Tag == "" {
		return Description{}, &NoTagError{Commit: d.Commit}
	}
	if d.Short, err = r.abbreviate(abbrevOf, classic); err != nil {
		return Description{}, err
	}
	if opts.Dirty {
		if d.Dirty, err = r.dirty(ctx, head, store); err != nil {
			return Description{}, err
		}
	}
	return d, nil
}

// search walks history from start for the nearest candidate and fills in
// Tag and Distance.
func (r *repository) search(ctx context.Context, opts Options, store *commitStore, names *nameSet, start uint32, d *Description) error {
	if r.ODB.Multipack() {
		// Git parses every name's object before the walk.
		for id := range names.byPeeled {
			r.ODB.Touch(id)
		}
	}
	// Names are looked up by node: graph positions resolved now, commits
	// read from objects as they are read.
	named := map[uint32]*tagName{}
	if store.g != nil {
		for id, n := range names.byPeeled {
			if pos, ok := store.g.Find(id); ok {
				named[pos] = n
			}
		}
	}
	for id, node := range store.extraIdx {
		if n := names.byPeeled[id]; n != nil {
			named[node] = n
		}
	}
	store.onNew = func(id gitread.OID, node uint32) {
		if n := names.byPeeled[id]; n != nil {
			named[node] = n
		}
	}
	classic := opts.Search == SearchClassic
	// Nothing can stop the walk before the end of history when there are
	// no names, or (before git 2.48) only lightweight ones and too few
	// to reach the candidate limit.
	store.exhaustive = names.count == 0 || classic && names.count <= maxCandidates && !names.anyAnnotated()
	w := newWalker(ctx, store, named)
	w.modern, w.nameCount = !classic, names.count
	res, err := w.search(start)
	if err != nil {
		var hit *shallowHit
		if errors.As(err, &hit) {
			return &ShallowError{Dir: r.DisplayDir(), Commit: hit.commit.String()}
		}
		return err
	}
	if res.best == nil {
		d.Distance = res.seen
		return nil
	}
	if d.Tag, err = r.display(res.best.name); err != nil {
		return err
	}
	d.TagCommit = res.best.name.peeled.String()
	d.Distance = res.best.depth
	return nil
}

func (r *repository) abbreviate(id gitread.OID, classic bool) (string, error) {
	n, err := r.AbbrevLen(id, classic)
	if err != nil {
		return "", err
	}
	return id.String()[:n], nil
}

// acceptFunc combines Match and Candidate as describe's get_name filters.
func acceptFunc(opts Options) func(string) bool {
	if len(opts.Match) == 0 && opts.Candidate == nil {
		return nil
	}
	return func(name string) bool {
		if len(opts.Match) > 0 {
			ok := false
			for _, p := range opts.Match {
				if wildmatch(p, name) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return opts.Candidate == nil || opts.Candidate(name)
	}
}

// parentsOf follows parents as the walk does: through the commit-graph,
// and stopping at a shallow clone's boundary.
func (r *repository) parentsOf(s *commitStore) gitread.ParentsFunc {
	return func(id gitread.OID) ([]gitread.OID, error) {
		n, err := s.node(id)
		if err != nil {
			return nil, err
		}
		ps, err := s.parents(n)
		if err != nil {
			if errors.Is(err, errShallowBoundary) {
				return nil, &ShallowError{Dir: r.DisplayDir(), Commit: id.String()}
			}
			return nil, err
		}
		ids := make([]gitread.OID, len(ps))
		for i, p := range ps {
			ids[i] = s.oidOf(p)
		}
		return ids, nil
	}
}
