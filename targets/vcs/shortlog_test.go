package vcs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestParseMailmap(t *testing.T) {
	type probe struct{ name, email, wantName, wantEmail string }
	cases := map[string]struct {
		mailmap string
		probes  []probe
	}{
		"proper name for an address": {
			mailmap: "Jane Doe <jane@example.com>\n",
			probes: []probe{
				{"jdoe", "jane@example.com", "Jane Doe", "jane@example.com"},
				{"jdoe", "JANE@Example.COM", "Jane Doe", "JANE@Example.COM"},
				{"jdoe", "other@example.com", "jdoe", "other@example.com"},
			},
		},
		"proper address for an address": {
			mailmap: "<jane@example.com> <jane@laptop.local>\n",
			probes:  []probe{{"Jane", "jane@laptop.local", "Jane", "jane@example.com"}},
		},
		"proper name and address for an address": {
			mailmap: "Jane Doe <jane@example.com> <jane@laptop.local>\n",
			probes:  []probe{{"jd", "Jane@Laptop.Local", "Jane Doe", "jane@example.com"}},
		},
		"proper name and address for a name and address": {
			mailmap: "Jane Doe <jane@example.com> jd <shared@example.com>\n",
			probes: []probe{
				{"jd", "shared@example.com", "Jane Doe", "jane@example.com"},
				// git compares commit names with strcasecmp too.
				{"JD", "shared@example.com", "Jane Doe", "jane@example.com"},
				{"bob", "shared@example.com", "bob", "shared@example.com"},
			},
		},
		"an entry with a commit name beats one for the address alone": {
			mailmap: "Jane Doe <jane@example.com> jd <shared@example.com>\n" +
				"Build Bot <shared@example.com>\n",
			probes: []probe{
				{"jd", "shared@example.com", "Jane Doe", "jane@example.com"},
				{"ci", "shared@example.com", "Build Bot", "shared@example.com"},
			},
		},
		"later lines override earlier ones": {
			mailmap: "Old Name <a@example.com>\nNew Name <a@example.com>\n" +
				"X <x@example.com> n <b@example.com>\nY <y@example.com> N <b@example.com>\n",
			probes: []probe{
				{"a", "a@example.com", "New Name", "a@example.com"},
				{"n", "b@example.com", "Y", "y@example.com"},
			},
		},
		"a later simple entry keeps what it does not give": {
			mailmap: "Jane <jane@example.com> <j@old>\n<jane@new> <j@old>\n",
			probes:  []probe{{"j", "j@old", "Jane", "jane@new"}},
		},
		"comments and junk": {
			mailmap: "# Jane Doe <jane@example.com>\n" +
				"  # Indented <not@comment> is an entry\n" +
				"Trailing <t@example.com> # a comment after the address\n" +
				"no address at all\n" +
				"Empty <> \n" +
				"\n",
			probes: []probe{
				{"j", "jane@example.com", "j", "jane@example.com"},
				{"n", "not@comment", "# Indented", "not@comment"},
				{"t", "t@example.com", "Trailing", "t@example.com"},
				{"e", "", "e", ""},
			},
		},
		"empty commit address in the second pair": {
			mailmap: "Jane <jane@example.com> jd <>\n",
			probes:  []probe{{"jd", "", "Jane", "jane@example.com"}, {"x", "", "x", ""}},
		},
		"whitespace around names": {
			mailmap: "\t Jane  Doe \t<jane@example.com>   jd   <j@x>\r\n",
			probes:  []probe{{"jd", "j@x", "Jane  Doe", "jane@example.com"}},
		},
		"unicode names and case folding is ASCII only": {
			mailmap: "Jürgen Groß <jg@example.com> ÉMILE <e@example.com>\n",
			probes: []probe{
				{"ÉMILE", "e@example.com", "Jürgen Groß", "jg@example.com"},
				{"émile", "e@example.com", "émile", "e@example.com"},
			},
		},
		"a line of 1023 bytes and more is read in pieces": {
			mailmap: strings.Repeat("x", 1020) + "<a@x>\nB <b@x>\n",
			probes: []probe{
				// The first 1023 bytes hold no complete address.
				{"a", "a@x", "a", "a@x"},
				{"b", "b@x", "B", "b@x"},
			},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			mm := parseMailmap([]byte(c.mailmap))
			for _, p := range c.probes {
				gotName, gotEmail := mm.lookup(p.name, p.email)
				if gotName != p.wantName || gotEmail != p.wantEmail {
					t.Errorf("lookup(%q, %q) = %q, %q; want %q, %q", p.name, p.email, gotName, gotEmail, p.wantName, p.wantEmail)
				}
			}
		})
	}
}

// FuzzParseMailmap compares the mailmap with git check-mailmap, reading
// the input once as a .mailmap file and once as a mailmap.blob.
func FuzzParseMailmap(f *testing.F) {
	testenv.Require(f, "git")
	seeds := []struct{ mailmap, name, email string }{
		{"Jane Doe <jane@example.com>\n", "jd", "JANE@example.com"},
		{"<jane@example.com> <jd@laptop>\n", "jd", "jd@laptop"},
		{"Jane Doe <jane@example.com> <jd@laptop>\n", "Jd", "jd@LAPTOP"},
		{"Jane Doe <jane@example.com> jd <jd@laptop>\nBot <jd@laptop>\n", "JD", "jd@laptop"},
		{"Jane Doe <jane@example.com> jd <jd@laptop>\nBot <jd@laptop>\n", "ci", "jd@laptop"},
		{"# c <a@b>\n  #x <a@b>\nA <a@b> # trailing\n", "z", "a@b"},
		{"A <> \nB <b> C <>\n", "C", ""},
		{"Jürgen <j@x> ÉMILE <e@x>\n", "émile", "e@x"},
		{"A <a@x>\rB <b@x>\r\n", "b", "b@x"},
		{"A <a@x>\x00B <b@x>\nC <a@x>\n", "x", "a@x"},
		{strings.Repeat("y", 1018) + "Z <a@x>\n", "y", "a@x"},
		{"\x0bA\x0c <a@x>\n", "n", "a@x"},
		{"A <a@x> B <b@x> C <c@x>\n", "b", "b@x"},
		{"<a@x>\n<b@x> <a@x>\nN <a@x>\n", " lead", "a@x"},
	}
	for _, s := range seeds {
		f.Add(s.mailmap, s.name, s.email)
	}
	fileRepo, blobRepo := f.TempDir(), f.TempDir()
	for _, d := range []string{fileRepo, blobRepo} {
		if _, err := testenv.GitE(d, nil, "init", "-q"); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, mailmap, name, email string) {
		if strings.ContainsAny(name, "<\x00") || strings.ContainsAny(email, ">\x00") {
			t.Skip("not a contact git check-mailmap can be given")
		}
		contact := name + " <" + email + ">"
		n, e, ok := splitIdent(contact)
		if !ok {
			t.Fatalf("splitIdent(%q) failed", contact)
		}
		format := func(n, e string) string {
			if n == "" {
				return "<" + e + ">\n"
			}
			return n + " <" + e + ">\n"
		}
		if err := os.WriteFile(filepath.Join(fileRepo, ".mailmap"), []byte(mailmap), 0o644); err != nil {
			t.Fatal(err)
		}
		want, err := gitgen.Git(context.Background(), fileRepo, testenv.GitEnv(), nil, "check-mailmap", "--", contact)
		if err != nil {
			t.Fatal(err)
		}
		if got := format(parseMailmap([]byte(mailmap)).lookup(n, e)); got != want {
			t.Errorf(".mailmap %q, contact %q: got %q, git check-mailmap says %q", mailmap, contact, got, want)
		}
		blob, err := gitgen.Git(context.Background(), blobRepo, testenv.GitEnv(), strings.NewReader(mailmap), "hash-object", "-w", "--stdin")
		if err != nil {
			t.Fatal(err)
		}
		want, err = gitgen.Git(context.Background(), blobRepo, testenv.GitEnv(), nil, "-c", "mailmap.blob="+strings.TrimSpace(blob), "check-mailmap", "--", contact)
		if err != nil {
			t.Fatal(err)
		}
		mm := newMailmap()
		mm.readBlob([]byte(mailmap))
		if got := format(mm.lookup(n, e)); got != want {
			t.Errorf("mailmap blob %q, contact %q: got %q, git check-mailmap says %q", mailmap, contact, got, want)
		}
	})
}

// hermetic is the environment Shortlog reads config paths from in tests:
// the same the git oracle runs with.
func hermetic(k string) string {
	for _, kv := range testenv.GitEnv() {
		if key, v, _ := strings.Cut(kv, "="); key == k {
			return v
		}
	}
	return ""
}

// gitShortlog is the oracle, with its output untrimmed.
func gitShortlog(t *testing.T, dir string, rev string) string {
	t.Helper()
	out, err := gitgen.Git(context.Background(), dir, testenv.GitEnv(), nil, "shortlog", "-n", "-s", rev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// commitAs commits what is staged (or nothing) with name <email> as the
// author.
func commitAs(t *testing.T, dir, name, email, msg string) {
	t.Helper()
	if _, err := testenv.GitE(dir, []string{"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + email}, "commit", "-q", "--allow-empty", "-m", msg); err != nil {
		t.Fatal(err)
	}
}

func newRepo(t *testing.T) string {
	t.Helper()
	testenv.Require(t, "git")
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestShortlogMatchesGit(t *testing.T) {
	cases := map[string]struct {
		build func(t *testing.T, dir string)
		rev   string
	}{
		"merges": {build: func(t *testing.T, dir string) {
			commitAs(t, dir, "Ann", "ann@example.com", "root")
			testenv.Git(t, dir, "checkout", "-q", "-b", "side")
			for i := range 3 {
				commitAs(t, dir, "Bob", "bob@example.com", fmt.Sprint("side ", i))
			}
			testenv.Git(t, dir, "checkout", "-q", "main")
			commitAs(t, dir, "Cid", "cid@example.com", "main 1")
			testenv.Git(t, dir, "checkout", "-q", "-b", "other", "main~1")
			commitAs(t, dir, "Dee", "dee@example.com", "other")
			testenv.Git(t, dir, "checkout", "-q", "main")
			testenv.Git(t, dir, "merge", "-q", "--no-ff", "-m", "merge side", "side")
			testenv.Git(t, dir, "merge", "-q", "--no-ff", "-m", "merge other", "other")
			// A criss-cross: side merges main back, main merges side again.
			testenv.Git(t, dir, "checkout", "-q", "side")
			testenv.Git(t, dir, "merge", "-q", "--no-ff", "-m", "back", "main")
			commitAs(t, dir, "Bob", "bob@example.com", "side again")
			testenv.Git(t, dir, "checkout", "-q", "main")
			testenv.Git(t, dir, "merge", "-q", "--no-ff", "-m", "merge side again", "side")
		}},
		"same name with two addresses": {build: func(t *testing.T, dir string) {
			commitAs(t, dir, "Ann", "ann@home.example", "1")
			commitAs(t, dir, "Ann", "ann@work.example", "2")
			commitAs(t, dir, "Bob", "bob@example.com", "3")
		}},
		"two names with one address": {build: func(t *testing.T, dir string) {
			commitAs(t, dir, "Ann", "shared@example.com", "1")
			commitAs(t, dir, "Annie", "shared@example.com", "2")
			commitAs(t, dir, "Annie", "shared@example.com", "3")
		}},
		"names differing only in case, and ties in byte order": {build: func(t *testing.T, dir string) {
			for _, n := range []string{"ann", "Ann", "ANN", "bob", "Bob", "Zed", "zed", "Émile", "émile", "_x", "Ann "} {
				commitAs(t, dir, n, "same@example.com", n)
			}
			commitAs(t, dir, "Ann", "same@example.com", "tie breaker")
		}},
		"unicode names": {build: func(t *testing.T, dir string) {
			for i, n := range []string{"Jürgen Groß", "李小龍", "Zoë", "Ångström", "Ωmega", "😀 Emoji", "Zoë", "Ελένη"} {
				commitAs(t, dir, n, fmt.Sprintf("u%d@example.com", i), n)
			}
		}},
		"mailmap with every form": {build: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, ".mailmap"), ""+
				"# the team\n"+
				"Ann Author <ann@example.com>\n"+
				"<bob@example.com> <bob@laptop.local>\n"+
				"Cid Coder <cid@example.com> <CID@old.example>\n"+
				"Dee Dev <dee@example.com> dd <shared@example.com>\n"+
				"Eve Eng <eve@example.com> EVE <shared@example.com>\n"+
				"Shared Bot <shared@example.com>\n"+
				"Ann A. <ann@example.com>\n")
			testenv.Git(t, dir, "add", ".mailmap")
			commitAs(t, dir, "ann", "ann@example.com", "1")
			commitAs(t, dir, "annie", "ANN@example.com", "2")
			commitAs(t, dir, "Bob", "bob@laptop.local", "3")
			commitAs(t, dir, "Robert", "bob@example.com", "4")
			commitAs(t, dir, "cid", "cid@old.example", "5")
			commitAs(t, dir, "dd", "shared@example.com", "6")
			commitAs(t, dir, "eve", "shared@example.com", "7")
			commitAs(t, dir, "ci", "shared@example.com", "8")
			commitAs(t, dir, "Ann A.", "other@example.com", "9")
		}},
		"mailmap.file from the repository config": {build: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, ".mailmap"), "From Tree <a@example.com>\nTree Only <b@example.com>\n")
			writeFile(t, filepath.Join(dir, "extra.mailmap"), "From Config <a@example.com>\n")
			testenv.Git(t, dir, "config", "mailmap.file", "extra.mailmap")
			commitAs(t, dir, "a", "a@example.com", "1")
			commitAs(t, dir, "b", "b@example.com", "2")
		}},
		"mailmap.blob": {build: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "m"), "From Blob <a@example.com>\n")
			testenv.Git(t, dir, "add", "m")
			commitAs(t, dir, "a", "a@example.com", "1")
			testenv.Git(t, dir, "config", "mailmap.blob", "main:m")
			commitAs(t, dir, "a", "a@example.com", "2")
		}},
		"a symlinked .mailmap is not read": {build: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "real"), "Linked <a@example.com>\n")
			if err := os.Symlink("real", filepath.Join(dir, ".mailmap")); err != nil {
				t.Skip(err)
			}
			commitAs(t, dir, "a", "a@example.com", "1")
		}},
		"author lines git cannot split": {build: func(t *testing.T, dir string) {
			commitAs(t, dir, "a", "a@example.com", "1")
			tree := testenv.Git(t, dir, "rev-parse", "HEAD^{tree}")
			parent := testenv.Git(t, dir, "rev-parse", "HEAD")
			for _, header := range []string{
				"author no brackets 1 +0000\n",
				"",
				"author  Leading Space  <l@example.com> 1 +0000\nauthor Last Wins <w@example.com> 1 +0000\n",
				"author Trailing Tab\t<t@example.com>\n",
				"author <only@example.com> 1 +0000\n",
			} {
				raw := fmt.Sprintf("tree %s\nparent %s\n%scommitter C <c@example.com> 1 +0000\n\nmsg\n", tree, parent, header)
				out, err := gitgen.Git(context.Background(), dir, testenv.GitEnv(), strings.NewReader(raw), "hash-object", "-t", "commit", "-w", "--stdin", "--literally")
				if err != nil {
					t.Fatal(err)
				}
				parent = strings.TrimSpace(out)
			}
			testenv.Git(t, dir, "update-ref", "refs/heads/main", parent)
		}},
		"an annotated tag as the revision": {rev: "v1", build: func(t *testing.T, dir string) {
			commitAs(t, dir, "a", "a@example.com", "1")
			commitAs(t, dir, "b", "b@example.com", "2")
			testenv.Git(t, dir, "tag", "-a", "-m", "v1", "v1")
			commitAs(t, dir, "c", "c@example.com", "3")
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := newRepo(t)
			c.build(t, dir)
			rev := c.rev
			if rev == "" {
				rev = "HEAD"
			}
			want := gitShortlog(t, dir, rev)
			cs, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir, Rev: c.rev, Mailmap: true, Getenv: hermetic})
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatShortlog(cs); got != want {
				t.Errorf("Shortlog:\n%s\ngit shortlog -n -s %s:\n%s", got, rev, want)
			}
		})
	}
}

func TestShortlogEmailAndNoMailmap(t *testing.T) {
	dir := newRepo(t)
	writeFile(t, filepath.Join(dir, ".mailmap"), "Ann <ann@example.com> <ann@old.example>\n")
	commitAs(t, dir, "ann", "ann@old.example", "1")
	commitAs(t, dir, "Ann", "ann@home.example", "2")
	commitAs(t, dir, "Ann", "ann@home.example", "3")
	commitAs(t, dir, "Ann", "ann@example.com", "4")
	commitAs(t, dir, "Bob", "bob@b.example", "5")
	commitAs(t, dir, "Bob", "bob@a.example", "6")
	cs, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir, Mailmap: true, Getenv: hermetic})
	if err != nil {
		t.Fatal(err)
	}
	want := []Contributor{
		// ann@old.example is rewritten to ann@example.com: two commits,
		// as many as ann@home.example, which sorts later.
		{Name: "Ann", Email: "ann@example.com", Commits: 4},
		{Name: "Bob", Email: "bob@a.example", Commits: 2},
	}
	if fmt.Sprint(cs) != fmt.Sprint(want) {
		t.Errorf("Shortlog = %+v, want %+v", cs, want)
	}
	cs, err = Shortlog(context.Background(), ShortlogOptions{Dir: filepath.Join(dir, ".git"), Getenv: hermetic})
	if err != nil {
		t.Fatal(err)
	}
	want = []Contributor{
		{Name: "Ann", Email: "ann@home.example", Commits: 3},
		{Name: "Bob", Email: "bob@a.example", Commits: 2},
		{Name: "ann", Email: "ann@old.example", Commits: 1},
	}
	if fmt.Sprint(cs) != fmt.Sprint(want) {
		t.Errorf("Shortlog without mailmap = %+v, want %+v", cs, want)
	}
}

func TestShortlogShallowClone(t *testing.T) {
	src := newRepo(t)
	for i := range 6 {
		commitAs(t, src, fmt.Sprintf("Author %d", i%3), fmt.Sprintf("a%d@example.com", i%3), fmt.Sprint(i))
	}
	testenv.Git(t, src, "checkout", "-q", "-b", "side", "HEAD~3")
	commitAs(t, src, "Side", "side@example.com", "side")
	testenv.Git(t, src, "checkout", "-q", "main")
	testenv.Git(t, src, "merge", "-q", "--no-ff", "-m", "merge", "side")
	dst := filepath.Join(t.TempDir(), "clone")
	testenv.Git(t, src, "clone", "-q", "--depth", "3", "file://"+src, dst)
	if _, err := os.Stat(filepath.Join(dst, ".git", "shallow")); err != nil {
		t.Fatalf("the clone is not shallow: %v", err)
	}
	for dir, want := range map[string]bool{src: false, dst: true} {
		if got, err := IsShallow(dir); err != nil || got != want {
			t.Errorf("IsShallow(%s) = %v, %v; want %v", dir, got, err, want)
		}
	}
	want := gitShortlog(t, dst, "HEAD")
	cs, err := Shortlog(context.Background(), ShortlogOptions{Dir: dst, Mailmap: true, Getenv: hermetic})
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatShortlog(cs); got != want {
		t.Errorf("Shortlog:\n%s\ngit shortlog:\n%s", got, want)
	}
	full := gitShortlog(t, src, "HEAD")
	if want == full {
		t.Errorf("the shallow clone counts the whole history:\n%s", full)
	}
}

func TestShortlogLinkedWorktree(t *testing.T) {
	dir := newRepo(t)
	commitAs(t, dir, "a", "a@example.com", "1")
	wt := filepath.Join(t.TempDir(), "wt")
	testenv.Git(t, dir, "worktree", "add", "-q", "-b", "other", wt)
	commitAs(t, wt, "b", "b@example.com", "2")
	// Each worktree reads its own .mailmap.
	writeFile(t, filepath.Join(wt, ".mailmap"), "Bee <b@example.com>\n")
	writeFile(t, filepath.Join(dir, ".mailmap"), "Ay <a@example.com>\n")
	want := gitShortlog(t, wt, "HEAD")
	if !strings.Contains(want, "Bee") || strings.Contains(want, "Ay") {
		t.Fatalf("git shortlog in the worktree:\n%s", want)
	}
	cs, err := Shortlog(context.Background(), ShortlogOptions{Dir: wt, Mailmap: true, Getenv: hermetic})
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatShortlog(cs); got != want {
		t.Errorf("Shortlog:\n%s\ngit shortlog:\n%s", got, want)
	}
}

func TestShortlogErrors(t *testing.T) {
	dir := newRepo(t)
	if _, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), `resolving "HEAD"`) {
		t.Errorf("no commits: err = %v, want one about resolving HEAD", err)
	}
	commitAs(t, dir, "a", "a@example.com", "1")
	commitAs(t, dir, "b", "b@example.com", "2")
	if _, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir, Rev: "nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown revision: err = %v", err)
	}
	if _, err := Shortlog(context.Background(), ShortlogOptions{Dir: t.TempDir()}); !errors.Is(err, ErrNotRepo) {
		t.Errorf("not a repository: err = %v, want ErrNotRepo", err)
	}
	// Delete the root commit: the history is incomplete, not shallow.
	root := testenv.Git(t, dir, "rev-parse", "HEAD~1")
	if err := os.Remove(filepath.Join(dir, ".git", "objects", root[:2], root[2:])); err != nil {
		t.Fatal(err)
	}
	_, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), root) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing parent: err = %v, want one naming %s as missing", err, root)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Shortlog(ctx, ShortlogOptions{Dir: dir}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
}

// manyAuthors writes a history of n commits with merges and authors drawn
// from a pool of awkward identities, through git fast-import, plus a
// .mailmap that rewrites some of them.
func manyAuthors(t testing.TB, dir string, n int) {
	t.Helper()
	if _, err := testenv.GitE(dir, nil, "init", "-q", "-b", "main"); err != nil {
		t.Fatal(err)
	}
	pool := []string{
		"Ann <ann@example.com>", "ann <ann@example.com>", "ANN <Ann@Example.com>", "Ann <ann@home.example>",
		"Bob <bob@example.com>", "Robert <bob@example.com>", "Jürgen Groß <jg@example.com>", "李小龍 <li@example.com>",
		"Émile <e@example.com>", "émile <e@example.com>", "bot <shared@ci.example>", "dd <shared@ci.example>",
		"Zoë <zoe@example.com>", "Zoe <zoe@example.com>", "_under <u@example.com>", "<anon@example.com>",
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var stream bytes.Buffer
	w := bufio.NewWriter(&stream)
	mainTip, sideTip := 0, 0
	for m := 1; m <= n; m++ {
		ident := pool[rng.IntN(len(pool))]
		ref := "refs/heads/main"
		onSide := sideTip != 0 && rng.IntN(3) == 0
		if onSide {
			ref = "refs/heads/side"
		}
		fmt.Fprintf(w, "commit %s\nmark :%d\nauthor %s %d +0000\ncommitter C <c@example.com> %d +0000\ndata 2\nc\n", ref, m, ident, m, m)
		switch {
		case m == 1:
		case onSide:
			fmt.Fprintf(w, "from :%d\n", sideTip)
		default:
			fmt.Fprintf(w, "from :%d\n", mainTip)
			if sideTip != 0 && rng.IntN(4) == 0 {
				fmt.Fprintf(w, "merge :%d\n", sideTip)
			}
		}
		fmt.Fprintln(w)
		switch {
		case onSide:
			sideTip = m
		case sideTip == 0 && rng.IntN(10) == 0:
			mainTip = m
			fmt.Fprintf(w, "reset refs/heads/side\nfrom :%d\n\n", m)
			sideTip = m
		default:
			mainTip = m
		}
	}
	fmt.Fprintf(w, "done\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := gitgen.Git(context.Background(), dir, testenv.GitEnv(), &stream, "fast-import", "--quiet", "--done"); err != nil {
		t.Fatal(err)
	}
	if _, err := testenv.GitE(dir, nil, "reset", "-q", "--hard", "main"); err != nil {
		t.Fatal(err)
	}
	mailmap := "Ann Author <ann@example.com>\nBob <bob@example.com> Robert <BOB@example.com>\n" +
		"Dee Dev <dee@example.com> dd <shared@ci.example>\nZoë <zoe@example.com>\n"
	if err := os.WriteFile(filepath.Join(dir, ".mailmap"), []byte(mailmap), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestShortlogLargeHistories(t *testing.T) {
	testenv.Require(t, "git")
	cases := map[string]func(t *testing.T, dir string){
		"10k commits from gitgen, packed": func(t *testing.T, dir string) {
			opts := gitgen.Options{Seed: 5, Commits: 10_000, MergeRate: 0.1, BranchRate: 0.1, CrissCross: 0.3, Pack: true}
			if err := gitgen.Repo(context.Background(), dir, opts); err != nil {
				t.Fatal(err)
			}
		},
		"5k commits by many authors": func(t *testing.T, dir string) {
			manyAuthors(t, dir, 5_000)
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("-short")
			}
			dir := t.TempDir()
			build(t, dir)
			start := time.Now()
			want := gitShortlog(t, dir, "HEAD")
			gitTook := time.Since(start)
			start = time.Now()
			cs, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir, Mailmap: true, Getenv: hermetic})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("Shortlog %v, git shortlog %v", time.Since(start), gitTook)
			if got := FormatShortlog(cs); got != want {
				t.Errorf("Shortlog:\n%s\ngit shortlog -n -s HEAD:\n%s", got, want)
			}
		})
	}
}

func BenchmarkShortlog(b *testing.B) {
	testenv.Require(b, "git")
	dir := b.TempDir()
	opts := gitgen.Options{Seed: 5, Commits: 10_000, MergeRate: 0.1, BranchRate: 0.1, CrissCross: 0.3, Pack: true}
	if err := gitgen.Repo(context.Background(), dir, opts); err != nil {
		b.Fatal(err)
	}
	b.Run("go-git", func(b *testing.B) {
		for b.Loop() {
			if _, err := Shortlog(context.Background(), ShortlogOptions{Dir: dir, Mailmap: true, Getenv: hermetic}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("git", func(b *testing.B) {
		for b.Loop() {
			if _, err := gitgen.Git(context.Background(), dir, testenv.GitEnv(), nil, "shortlog", "-n", "-s", "HEAD"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
