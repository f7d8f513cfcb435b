// Package gitgen builds git repositories with awkward histories for the
// describe tests and benchmarks: merges, criss-cross merges, skewed and
// equal committer dates, several tags on one commit, annotated and
// lightweight tags, prefixed and non-version tags. It streams a
// deterministic (seeded) history into `git fast-import`, which writes
// 100k commits in seconds, then optionally packs the repository and
// writes a commit-graph.
//
// It runs git itself, so it lives under internal/ and is used only by
// tests and benchmarks.
package gitgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Options shape the generated history. The zero value (plus Commits) is
// a linear history without tags.
type Options struct {
	// Seed makes the history reproducible.
	Seed uint64
	// Commits is the number of commits to create (at least 1).
	Commits int
	// MergeRate is the chance that a step merges a side branch back into
	// the main line instead of adding a commit.
	MergeRate float64
	// BranchRate is the chance that a step starts a new side branch.
	BranchRate float64
	// CrissCross is the chance that a merge is done crosswise: the two
	// branches each merge the other's tip.
	CrissCross float64
	// TagEvery puts a tag on roughly every Nth commit; 0 means no tags.
	TagEvery int
	// AnnotatedRate is the share of tags that are annotated.
	AnnotatedRate float64
	// PrefixedRate is the share of tags named release-X.Y.Z, pkg/vX.Y.Z or
	// something that is not a version at all.
	PrefixedRate float64
	// VersionStyles names tags as real Python projects do instead: v and
	// bare versions, pre- and post-releases, .dev0 tags where development
	// of the next release starts, now and then a .devN tag that cannot
	// carry a distance, a non-version tag beside a version on one commit
	// (1.2.0-foo with 1.2.0), and names without digits (nightly).
	VersionStyles bool
	// ReleaseBranches adds this many branches off the main line that are
	// never merged back, each with a few commits tagged with versions
	// higher than any on main: release tags that main does not descend
	// from.
	ReleaseBranches int
	// Special adds the corner cases of describe's name selection: 9.0.0
	// and v9.0.0 on one commit, annotated beside lightweight, two
	// annotated tags with different and with equal tagger dates, a tag of
	// a tag, tags of a tree and of a blob, and a renamed annotated tag.
	Special bool
	// SkewDates makes some committer dates equal to the previous one and
	// some go back in time.
	SkewDates bool
	// RandomDates draws every committer date from a window of a few
	// minutes: many equal dates, children older than their parents.
	RandomDates bool
	// Pack runs git gc: packed objects and packed refs.
	Pack bool
	// Loose stores every object as a loose object (fast-import writes a
	// pack; this unpacks it). Ignored with Pack.
	Loose bool
	// ExtraLoose adds this many commits on main after packing, as loose
	// objects, every fifth one tagged.
	ExtraLoose int
	// MultiPackIndex writes a multi-pack-index over the packs.
	MultiPackIndex bool
	// CommitGraph writes a commit-graph for all reachable commits.
	CommitGraph bool
	// SplitGraph writes the commit-graph as a chain of three layers
	// instead.
	SplitGraph bool
	// StaleGraph writes the commit-graph for the older two thirds of the
	// history only, as if commits were made after it was written.
	StaleGraph bool
	// Files is how many distinct files the commits edit (each commit
	// edits one), spread over directories of 100; 0 means 7.
	Files int
	// Checkout fills the index and the worktree from main, for tests and
	// benchmarks of the dirty check.
	Checkout bool
	// Env is the environment git runs with; nil means a fixed identity
	// and no system or global config.
	Env []string
}

// Error reports a failed git command.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

// Error shows the command, its error and its stderr.
func (e *Error) Error() string {
	return fmt.Sprintf("gen: git %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Stderr))
}

// Unwrap returns the exec error.
func (e *Error) Unwrap() error { return e.Err }

// DefaultEnv is the environment used when Options.Env is nil: no user or
// system config, a fixed identity.
func DefaultEnv() []string {
	env := []string{
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Gen", "GIT_AUTHOR_EMAIL=gen@example.com",
		"GIT_COMMITTER_NAME=Gen", "GIT_COMMITTER_EMAIL=gen@example.com",
		"GIT_TERMINAL_PROMPT=0",
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "GIT_") {
			env = append(env, kv)
		}
	}
	return env
}

// Git runs git in dir with env and returns its stdout.
func Git(ctx context.Context, dir string, env []string, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", &Error{Args: args, Stderr: errb.String(), Err: err}
	}
	return out.String(), nil
}

// Repo creates a repository in dir (which must be empty or absent) with
// HEAD on branch main; the worktree stays empty unless Options.Checkout.
func Repo(ctx context.Context, dir string, opts Options) error {
	if opts.Commits < 1 {
		return errors.New("gen: Options.Commits must be at least 1")
	}
	env := opts.Env
	if env == nil {
		env = DefaultEnv()
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := Git(ctx, dir, env, nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	var stream bytes.Buffer
	b := newBuilder(&opts, bufio.NewWriter(&stream))
	if err := b.build(); err != nil {
		return err
	}
	marksFile := dir + "/.git/gen-marks"
	if _, err := Git(ctx, dir, env, &stream, "fast-import", "--quiet", "--done", "--export-marks="+marksFile); err != nil {
		return err
	}
	marks, err := readMarks(marksFile)
	if err != nil {
		return err
	}
	if opts.Special {
		if err := b.specialRefs(ctx, dir, env); err != nil {
			return err
		}
	}
	if opts.Pack {
		// gc would write a commit-graph of its own; the options decide.
		if _, err := Git(ctx, dir, env, nil, "-c", "gc.writeCommitGraph=false", "gc", "--quiet"); err != nil {
			return err
		}
	}
	if opts.Loose && !opts.Pack {
		if err := unpack(ctx, dir, env); err != nil {
			return err
		}
	}
	if err := extraLoose(ctx, dir, env, opts.ExtraLoose, b.clock); err != nil {
		return err
	}
	if opts.MultiPackIndex {
		if _, err := Git(ctx, dir, env, nil, "multi-pack-index", "write"); err != nil {
			return err
		}
	}
	third := func(k int) string { return marks[b.commits[len(b.commits)*k/3]] }
	switch {
	case opts.SplitGraph:
		for _, tip := range []string{third(1), third(2)} {
			if _, err := Git(ctx, dir, env, strings.NewReader(tip+"\n"), "commit-graph", "write", "--stdin-commits", "--split=no-merge"); err != nil {
				return err
			}
		}
		if _, err := Git(ctx, dir, env, nil, "commit-graph", "write", "--reachable", "--split=no-merge"); err != nil {
			return err
		}
	case opts.StaleGraph:
		if _, err := Git(ctx, dir, env, strings.NewReader(third(2)+"\n"), "commit-graph", "write", "--stdin-commits"); err != nil {
			return err
		}
	case opts.CommitGraph:
		if _, err := Git(ctx, dir, env, nil, "commit-graph", "write", "--reachable"); err != nil {
			return err
		}
	}
	if opts.Checkout {
		if _, err := Git(ctx, dir, env, nil, "reset", "-q", "--hard", "main"); err != nil {
			return err
		}
	}
	return nil
}

// unpack turns the packs fast-import wrote into loose objects.
func unpack(ctx context.Context, dir string, env []string) error {
	packs, err := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if err != nil {
		return err
	}
	for _, p := range packs {
		tmp := p + ".tmp"
		if err := os.Rename(p, tmp); err != nil {
			return err
		}
		idx := strings.TrimSuffix(p, ".pack") + ".idx"
		if err := os.Remove(idx); err != nil {
			return err
		}
		f, err := os.Open(tmp)
		if err != nil {
			return err
		}
		_, err = Git(ctx, dir, env, f, "unpack-objects", "-q")
		f.Close()
		if err != nil {
			return err
		}
		if err := os.Remove(tmp); err != nil {
			return err
		}
	}
	return nil
}

// extraLoose commits n times on main with git commit-tree, which writes
// loose objects, tagging every fifth commit.
func extraLoose(ctx context.Context, dir string, env []string, n int, clock int64) error {
	for i := 0; i < n; i++ {
		clock += 10
		e := append(env[:len(env):len(env)], fmt.Sprintf("GIT_COMMITTER_DATE=%d +0000", clock), fmt.Sprintf("GIT_AUTHOR_DATE=%d +0000", clock))
		id, err := Git(ctx, dir, e, nil, "commit-tree", "main^{tree}", "-p", "main", "-m", fmt.Sprintf("loose %d", i))
		if err != nil {
			return err
		}
		id = strings.TrimSpace(id)
		if _, err := Git(ctx, dir, e, nil, "update-ref", "refs/heads/main", id); err != nil {
			return err
		}
		if i%5 == 4 {
			if _, err := Git(ctx, dir, e, nil, "tag", "-a", "-m", "loose", fmt.Sprintf("loose-%d", i), id); err != nil {
				return err
			}
		}
	}
	return nil
}

// readMarks reads a fast-import marks file into mark -> object name.
func readMarks(path string) (map[int]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	marks := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m int
		var id string
		if _, err := fmt.Sscanf(line, ":%d %s", &m, &id); err != nil {
			return nil, fmt.Errorf("gen: marks file %s: %q: %w", path, line, err)
		}
		marks[m] = id
	}
	return marks, os.Remove(path)
}

// builder writes the fast-import stream.
type builder struct {
	o       *Options
	w       *bufio.Writer
	rng     *rand.Rand
	mark    int
	clock   int64
	main    int   // mark of the main line's tip
	sides   []int // marks of side branch tips
	commits []int // every commit mark, in creation order
	tags    map[string]bool
	ver     [3]int
	annot   []string // annotated tag names, for the renamed-tag case
}

func newBuilder(o *Options, w *bufio.Writer) *builder {
	return &builder{o: o, w: w, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), clock: 1_600_000_000, tags: map[string]bool{}}
}

func (b *builder) date() int64 {
	if b.o.RandomDates {
		return 1_600_000_000 + int64(b.rng.IntN(300))
	}
	switch r := b.rng.Float64(); {
	case b.o.SkewDates && r < 0.1:
		// Same second as the previous commit.
	case b.o.SkewDates && r < 0.15:
		b.clock -= int64(b.rng.IntN(5000))
	default:
		b.clock += int64(1 + b.rng.IntN(100))
	}
	return b.clock
}

// commit writes a commit on ref with the given parents and returns its mark.
func (b *builder) commit(ref string, parents ...int) int {
	if len(parents) == 0 {
		// fast-import would otherwise continue the branch's last tip.
		fmt.Fprintf(b.w, "reset %s\n\n", ref)
	}
	b.mark++
	m := b.mark
	d := b.date()
	fmt.Fprintf(b.w, "commit %s\nmark :%d\n", ref, m)
	fmt.Fprintf(b.w, "author Gen <gen@example.com> %d +0000\n", d)
	fmt.Fprintf(b.w, "committer Gen <gen@example.com> %d +0000\n", d)
	msg := fmt.Sprintf("commit %d", m)
	fmt.Fprintf(b.w, "data %d\n%s\n", len(msg), msg)
	if len(parents) > 0 {
		fmt.Fprintf(b.w, "from :%d\n", parents[0])
		for _, p := range parents[1:] {
			fmt.Fprintf(b.w, "merge :%d\n", p)
		}
	}
	content := fmt.Sprintf("%d\n", m)
	files := b.o.Files
	if files <= 0 {
		files = 7
	}
	name := fmt.Sprintf("f%d.txt", m%files)
	if files > 100 {
		name = fmt.Sprintf("d%03d/f%02d.txt", m%files/100, m%100)
	}
	fmt.Fprintf(b.w, "M 100644 inline %s\ndata %d\n%s\n", name, len(content), content)
	b.commits = append(b.commits, m)
	b.maybeTag(m)
	return m
}

func (b *builder) nextVersion() string {
	switch b.rng.IntN(10) {
	case 0:
		b.ver[0]++
		b.ver[1], b.ver[2] = 0, 0
	case 1, 2, 3:
		b.ver[1]++
		b.ver[2] = 0
	default:
		b.ver[2]++
	}
	return fmt.Sprintf("%d.%d.%d", b.ver[0], b.ver[1], b.ver[2])
}

func (b *builder) maybeTag(m int) {
	if b.o.TagEvery <= 0 || b.rng.IntN(b.o.TagEvery) != 0 {
		return
	}
	if b.o.VersionStyles {
		b.styledTag(m)
		return
	}
	v := b.nextVersion()
	name := "v" + v
	if b.rng.Float64() < b.o.PrefixedRate {
		switch b.rng.IntN(4) {
		case 0:
			name = "release-" + v
		case 1:
			name = "pkg/v" + v
		case 2:
			name = fmt.Sprintf("nightly-%d", m)
		default:
			name = v
		}
	}
	b.tag(name, m, b.rng.Float64() < b.o.AnnotatedRate, b.clock)
}

// styledTag tags commit m in one of the styles real projects use.
func (b *builder) styledTag(m int) {
	annotated := b.rng.Float64() < b.o.AnnotatedRate
	v := "v"
	if b.rng.IntN(2) == 0 {
		v = ""
	}
	cur := fmt.Sprintf("%d.%d.%d", b.ver[0], b.ver[1], b.ver[2])
	next := fmt.Sprintf("%d.%d.0", b.ver[0], b.ver[1]+1)
	switch r := b.rng.IntN(100); {
	case r < 45:
		b.tag(v+b.nextVersion(), m, annotated, b.clock)
	case r < 55:
		b.tag(fmt.Sprintf("%s%src%d", v, next, 1+b.rng.IntN(3)), m, annotated, b.clock)
	case r < 63:
		b.tag(fmt.Sprintf("%s%s.post%d", v, cur, 1+b.rng.IntN(2)), m, annotated, b.clock)
	case r < 75:
		b.tag(v+next+".dev0", m, annotated, b.clock)
	case r < 78:
		b.tag(v+next+".dev2", m, annotated, b.clock)
	case r < 92:
		// A version and a name that is none, on one commit.
		ver := b.nextVersion()
		b.tag(ver+"-foo", m, b.rng.IntN(2) == 0, b.clock)
		b.tag(v+ver, m, annotated, b.clock)
	default:
		b.tag([]string{"nightly", "latest", "stable"}[b.rng.IntN(3)], m, false, 0)
	}
}

// releaseBranches adds branches that leave the main line and never come
// back, their commits tagged above every version on main.
func (b *builder) releaseBranches() {
	for k := range b.o.ReleaseBranches {
		from := b.commits[len(b.commits)/2+b.rng.IntN(len(b.commits)/2)]
		ref := fmt.Sprintf("refs/heads/release-%d", k)
		b.ver[0]++
		b.ver[1], b.ver[2] = 0, 0
		tip := from
		for range 2 + b.rng.IntN(3) {
			tip = b.commit(ref, tip)
			b.tag(fmt.Sprintf("v%d.%d.%d", b.ver[0], b.ver[1], b.ver[2]), tip, b.rng.IntN(2) == 0, b.clock)
			b.ver[2]++
		}
	}
}

func (b *builder) tag(name string, m int, annotated bool, date int64) {
	if b.tags[name] {
		return
	}
	b.tags[name] = true
	if !annotated {
		fmt.Fprintf(b.w, "reset refs/tags/%s\nfrom :%d\n\n", name, m)
		return
	}
	b.annot = append(b.annot, name)
	b.mark++
	fmt.Fprintf(b.w, "tag %s\nmark :%d\nfrom :%d\ntagger Gen <gen@example.com> %d +0000\n", name, b.mark, m, date)
	msg := "release " + name
	fmt.Fprintf(b.w, "data %d\n%s\n", len(msg), msg)
}

func (b *builder) build() error {
	o := b.o
	b.main = b.commit("refs/heads/main")
	for len(b.commits) < o.Commits {
		r := b.rng.Float64()
		switch {
		case r < o.MergeRate && len(b.sides) > 0:
			i := b.rng.IntN(len(b.sides))
			side := b.sides[i]
			if b.rng.Float64() < o.CrissCross {
				// Each line merges the other's current tip.
				oldMain := b.main
				b.main = b.commit("refs/heads/main", b.main, side)
				b.sides[i] = b.commit(b.sideRef(i), side, oldMain)
				continue
			}
			b.main = b.commit("refs/heads/main", b.main, side)
			b.sides = append(b.sides[:i], b.sides[i+1:]...)
		case r < o.MergeRate+o.BranchRate:
			// Branch from the tip or from a recent commit.
			// Now and then the branch is a new root.
			from := []int{b.main}
			if n := len(b.commits); n > 1 && b.rng.IntN(3) == 0 {
				from[0] = b.commits[n-1-b.rng.IntN(min(n, 50))]
			} else if b.rng.IntN(20) == 0 {
				from = nil
			}
			b.sides = append(b.sides, b.commit(b.sideRef(len(b.sides)), from...))
		case len(b.sides) > 0 && b.rng.IntN(3) == 0:
			i := b.rng.IntN(len(b.sides))
			b.sides[i] = b.commit(b.sideRef(i), b.sides[i])
		default:
			b.main = b.commit("refs/heads/main", b.main)
		}
	}
	// Keep side branches reachable from main so every commit is described.
	for _, s := range b.sides {
		b.main = b.commit("refs/heads/main", b.main, s)
	}
	b.releaseBranches()
	if o.Special {
		b.special()
	}
	fmt.Fprintf(b.w, "reset refs/heads/main\nfrom :%d\n\n", b.main)
	// Side refs are not needed once merged.
	fmt.Fprint(b.w, "done\n")
	return b.w.Flush()
}

func (b *builder) sideRef(i int) string { return fmt.Sprintf("refs/heads/side%d", i) }

// special adds describe's corner cases near the end of the history, where
// most described commits will see them.
func (b *builder) special() {
	pick := func() int { return b.commits[len(b.commits)/2+b.rng.IntN(len(b.commits)-len(b.commits)/2)] }
	tagDate := b.clock + 1000
	// A version with and without a v: annotated beats lightweight.
	m := pick()
	b.tag("9.0.0", m, false, 0)
	b.tag("v9.0.0", m, true, tagDate)
	// Two lightweight tags: the first in ref order wins.
	m = pick()
	b.tag("l-b", m, false, 0)
	b.tag("l-a", m, false, 0)
	// Two annotated tags, the later tagger date wins whatever the order.
	m = pick()
	b.tag("a-old", m, true, tagDate)
	b.tag("a-new", m, true, tagDate+50)
	m = pick()
	b.tag("b-new", m, true, tagDate+50)
	b.tag("b-old", m, true, tagDate)
	// Equal tagger dates: the first in ref order wins.
	m = pick()
	b.tag("eq-2", m, true, tagDate)
	b.tag("eq-1", m, true, tagDate)
	// A tag of an annotated tag, added after the import.
	b.tag("inner", pick(), true, tagDate)
	// The tip gets a tag too, so HEAD is an exact match.
	b.main = b.commit("refs/heads/main", b.main)
	b.tag("tip-light", b.main, false, 0)
}

// specialRefs adds the cases fast-import cannot express: a tag of an
// annotated tag, tags of a blob and of a tree, and a second ref pointing
// at an existing annotated tag (git then prints the name recorded in the
// tag object, not the ref name).
func (b *builder) specialRefs(ctx context.Context, dir string, env []string) error {
	env = append(env[:len(env):len(env)], fmt.Sprintf("GIT_COMMITTER_DATE=%d +0000", b.clock+2000))
	blob, err := Git(ctx, dir, env, strings.NewReader("a tagged blob\n"), "hash-object", "-w", "--stdin")
	if err != nil {
		return err
	}
	blob = strings.TrimSpace(blob)
	steps := [][]string{
		{"tag", "-a", "-m", "outer", "outer", "inner"},
		{"tag", "tree-light", "main^{tree}"},
		{"tag", "-a", "-m", "tree", "tree-tag", "main^{tree}"},
		{"tag", "blob-light", blob},
		{"tag", "-a", "-m", "blob", "blob-tag", blob},
	}
	for _, s := range steps {
		if _, err := Git(ctx, dir, env, nil, s...); err != nil {
			return err
		}
	}
	name := b.annot[b.rng.IntN(len(b.annot))]
	id, err := Git(ctx, dir, env, nil, "rev-parse", "refs/tags/"+name)
	if err != nil {
		return err
	}
	_, err = Git(ctx, dir, env, nil, "update-ref", "refs/tags/zz-renamed", strings.TrimSpace(id))
	return err
}
