package vcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/gitread"
)

// Contributor is one line of `git shortlog -n -s`.
type Contributor struct {
	// Name is the author name after .mailmap rewriting: what shortlog
	// groups by and prints.
	Name string
	// Email is the (rewritten) address this name committed with most
	// often, the byte-wise smallest on a tie. Shortlog -s does not print
	// it; it is here for callers that want to link a name.
	Email string
	// Commits is the number of commits reachable from the revision.
	Commits int
}

// ShortlogOptions says which history Shortlog counts.
type ShortlogOptions struct {
	// Dir is a directory inside the repository.
	Dir string
	// Rev is the revision whose history is counted; "" means HEAD.
	Rev string
	// Mailmap rewrites identities as git does: .mailmap at the top of the
	// worktree, then mailmap.blob (HEAD:.mailmap in a bare repository),
	// then mailmap.file from the git config.
	Mailmap bool
	// Getenv reads HOME, XDG_CONFIG_HOME and GIT_CONFIG_{GLOBAL,SYSTEM,
	// NOSYSTEM} to find the config files git would read; nil means
	// os.Getenv.
	Getenv func(string) string
}

// unparsedAuthor is what git's %aN expands to when the author line cannot
// be split into a name and an address: the placeholder stays unexpanded,
// and shortlog counts such commits under this literal name.
const unparsedAuthor = "%aN"

// Shortlog counts the commits reachable from Rev per author as
// `git shortlog -n -s Rev` does: every commit once, following all
// parents; authors grouped by name alone after .mailmap rewriting (names
// differing only in case are different authors); sorted by count,
// descending, then by name in byte order.
//
// In a shallow clone the walk stops at the shallow boundary, as git's
// does, and counts the commits that are there. A commit missing for any
// other reason is an error. Commit encodings other than UTF-8 are not
// converted, and replace refs and grafts are not applied.
func Shortlog(ctx context.Context, o ShortlogOptions) ([]Contributor, error) {
	repo, err := openReader(o.Dir, o.Getenv)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	rev := o.Rev
	if rev == "" {
		rev = "HEAD"
	}
	start, err := resolveCommit(repo, rev)
	if err != nil {
		return nil, fmt.Errorf("vcs: shortlog: resolving %q in %s: %w", rev, repo.DisplayDir(), err)
	}
	var mm *mailmap
	if o.Mailmap {
		if mm, err = readMailmap(repo); err != nil {
			return nil, err
		}
	}
	// Grouping waits until the walk is done, so the mailmap is applied
	// once per identity, not once per commit.
	counts := map[string]int{}
	err = repo.WalkCommits(ctx, start, func(_ gitread.OID, commit []byte) error {
		counts[string(gitread.CommitField(commit, "author"))]++
		return nil
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, err
		}
		return nil, fmt.Errorf("vcs: shortlog: %s: %w", repo.DisplayDir(), err)
	}
	return groupAuthors(counts, mm), nil
}

// resolveCommit resolves a revision to the commit it names.
func resolveCommit(repo *gitread.Repo, rev string) (gitread.OID, error) {
	head, _, err := repo.Head()
	if err != nil && (rev == "HEAD" || rev == "@" || strings.HasPrefix(rev, "HEAD~") || strings.HasPrefix(rev, "HEAD^")) {
		return gitread.OID{}, err
	}
	id, err := repo.ResolveRev(rev, head, nil)
	if err != nil {
		return gitread.OID{}, err
	}
	return repo.PeelToCommit(id, rev)
}

// FormatShortlog prints contributors as `git shortlog -n -s` does.
func FormatShortlog(cs []Contributor) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%6d\t%s\n", c.Commits, c.Name)
	}
	return b.String()
}

// openReader opens the repository holding dir for reading, with the
// config git would read given getenv (nil: the process's environment).
func openReader(dir string, getenv func(string) string) (*gitread.Repo, error) {
	var env gitread.Env
	if getenv != nil {
		env = func(k string) (string, bool) {
			v := getenv(k)
			return v, v != ""
		}
	}
	repo, err := gitread.OpenEnv(dir, env)
	if errors.Is(err, gitread.ErrNotRepo) {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotRepo, dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("vcs: opening the repository of %s: %w", dir, err)
	}
	return repo, nil
}

// IsShallow reports whether the repository holding dir is a shallow clone,
// whose history (and so its shortlog) stops at the commits fetched.
func IsShallow(dir string) (bool, error) {
	r, err := openReader(dir, nil)
	if err != nil {
		return false, err
	}
	defer r.Close()
	shallow, err := r.ShallowSet()
	if err != nil {
		return false, fmt.Errorf("vcs: reading the shallow list of %s: %w", r.DisplayDir(), err)
	}
	return len(shallow) > 0, nil
}

// splitIdent splits an identity line ("Name <email> 123 +0000") as git's
// split_ident_line does: the name is everything before the first '<'
// with trailing (not leading) whitespace removed, the address runs to the
// first '>' after it.
func splitIdent(line string) (name, email string, ok bool) {
	lt := strings.IndexByte(line, '<')
	if lt < 0 {
		return "", "", false
	}
	gt := strings.IndexByte(line[lt+1:], '>')
	if gt < 0 {
		return "", "", false
	}
	end := lt
	for end > 0 && isGitSpace(line[end-1]) {
		end--
	}
	return line[:end], line[lt+1 : lt+1+gt], true
}

// groupAuthors rewrites each distinct author line with the mailmap and
// groups the counts by the resulting name.
func groupAuthors(counts map[string]int, mm *mailmap) []Contributor {
	type group struct {
		total  int
		emails map[string]int
	}
	groups := map[string]*group{}
	for raw, n := range counts {
		name, email, ok := splitIdent(raw)
		if !ok {
			name, email = unparsedAuthor, ""
		} else if mm != nil {
			name, email = mm.lookup(name, email)
		}
		g := groups[name]
		if g == nil {
			g = &group{emails: map[string]int{}}
			groups[name] = g
		}
		g.total += n
		g.emails[email] += n
	}
	cs := make([]Contributor, 0, len(groups))
	for name, g := range groups {
		c := Contributor{Name: name, Commits: g.total}
		best := -1
		for e, n := range g.emails {
			if n > best || n == best && e < c.Email {
				c.Email, best = e, n
			}
		}
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Commits != cs[j].Commits {
			return cs[i].Commits > cs[j].Commits
		}
		return cs[i].Name < cs[j].Name
	})
	return cs
}

// readMailmap reads the mailmap sources in git's order; later entries
// override earlier ones.
func readMailmap(r *gitread.Repo) (*mailmap, error) {
	mm := newMailmap()
	bare := r.WorkTree == ""
	if !bare {
		// git refuses to follow a symlinked in-tree .mailmap: its target
		// could be outside the repository.
		path := filepath.Join(r.WorkTree, ".mailmap")
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("vcs: shortlog: reading mailmap %s: %w", path, err)
			}
			mm.readFile(data)
		}
	}
	blob, _, _ := r.Config.Get("mailmap.blob")
	if blob == "" && bare {
		blob = "HEAD:.mailmap"
	}
	if blob != "" {
		head, _, _ := r.Head()
		// Like git, a blob that does not resolve is no mailmap.
		if data, err := r.ReadBlob(blob, head); err == nil {
			mm.readBlob(data)
		}
	}
	if file, ok := r.Config.Path("mailmap.file"); ok && file != "" {
		if !filepath.IsAbs(file) {
			file = filepath.Join(r.DisplayDir(), file)
		}
		data, err := os.ReadFile(file)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("vcs: shortlog: reading mailmap.file %s: %w", file, err)
		default:
			mm.readFile(data)
		}
	}
	return mm, nil
}

// isGitSpace is git's isspace: ASCII space, tab, LF and CR, but not the
// vertical tab or form feed C's isspace also matches.
func isGitSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// mailmap rewrites identities as git's mailmap.c does. Addresses and
// names are matched without regard to ASCII case (git compares both with
// strcasecmp).
type mailmap struct {
	entries map[string]*mailmapEntry // by folded commit address
}

// mailmapEntry holds the replacement for an address alone and, keyed by
// folded commit name, those for a name and address together.
type mailmapEntry struct {
	simple mailmapInfo
	byName map[string]mailmapInfo
}

// mailmapInfo is a replacement; nil fields keep the commit's value.
type mailmapInfo struct {
	name, email *string
}

func newMailmap() *mailmap { return &mailmap{entries: map[string]*mailmapEntry{}} }

// parseMailmap parses the content of a .mailmap file.
func parseMailmap(data []byte) *mailmap {
	mm := newMailmap()
	mm.readFile(data)
	return mm
}

// readFile adds the lines of a mailmap file. git reads files with
// fgets into 1024 bytes, so a longer line is read as several.
func (m *mailmap) readFile(data []byte) {
	const chunk = 1023
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		n = min(n, chunk)
		m.readLine(data[:n])
		data = data[n:]
	}
}

// readBlob adds the lines of a mailmap blob, which git reads as one C
// string: it ends at the first NUL.
func (m *mailmap) readBlob(data []byte) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		m.readLine(line)
	}
}

// readLine reads one line in any of the four forms:
//
//	Proper Name <commit@email>
//	<proper@email> <commit@email>
//	Proper Name <proper@email> <commit@email>
//	Proper Name <proper@email> Commit Name <commit@email>
//
// A line starting with '#' is a comment; so is anything after the last
// address.
func (m *mailmap) readLine(line []byte) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	if len(line) == 0 || line[0] == '#' {
		return
	}
	name1, email1, rest, ok := parseNameEmail(string(line), false)
	if !ok {
		return
	}
	var name2, email2 *string
	if rest != "" {
		if n, e, _, ok := parseNameEmail(rest, true); ok {
			name2, email2 = n, &e
		}
	}
	m.add(name1, &email1, name2, email2)
}

// parseNameEmail reads "Name <email>" from the start of s and returns
// what follows; the name is nil when blank.
func parseNameEmail(s string, allowEmptyEmail bool) (name *string, email, rest string, ok bool) {
	lt := strings.IndexByte(s, '<')
	if lt < 0 {
		return nil, "", "", false
	}
	gt := strings.IndexByte(s[lt+1:], '>')
	if gt < 0 || gt == 0 && !allowEmptyEmail {
		return nil, "", "", false
	}
	gt += lt + 1
	start, end := 0, lt
	for start < end && isGitSpace(s[start]) {
		start++
	}
	for end > start && isGitSpace(s[end-1]) {
		end--
	}
	if start < end {
		n := s[start:end]
		name = &n
	}
	return name, s[lt+1 : gt], s[gt+1:], true
}

// add records a mapping as git's add_mapping does: without a commit
// address the proper address is the one matched; a later simple entry
// replaces only the fields it gives; a later entry for the same commit
// name replaces the earlier whole.
func (m *mailmap) add(newName, newEmail, oldName, oldEmail *string) {
	if oldEmail == nil {
		oldEmail, newEmail = newEmail, nil
	}
	key := foldASCII(*oldEmail)
	e := m.entries[key]
	if e == nil {
		e = &mailmapEntry{}
		m.entries[key] = e
	}
	if oldName == nil {
		if newName != nil {
			e.simple.name = newName
		}
		if newEmail != nil {
			e.simple.email = newEmail
		}
		return
	}
	if e.byName == nil {
		e.byName = map[string]mailmapInfo{}
	}
	e.byName[foldASCII(*oldName)] = mailmapInfo{name: newName, email: newEmail}
}

// lookup returns the canonical name and address for a commit identity:
// an entry naming the commit name wins over one for the address alone.
func (m *mailmap) lookup(name, email string) (string, string) {
	e := m.entries[foldASCII(email)]
	if e == nil {
		return name, email
	}
	info := e.simple
	if byName, ok := e.byName[foldASCII(name)]; ok {
		info = byName
	}
	if info.name != nil {
		name = *info.name
	}
	if info.email != nil {
		email = *info.email
	}
	return name, email
}

// foldASCII lowercases ASCII letters only, as strcasecmp does in the C
// and UTF-8 locales.
func foldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
