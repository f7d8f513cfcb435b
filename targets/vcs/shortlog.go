package vcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	formatcfg "github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
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
	repo, err := openShortlogRepo(o.Dir)
	if err != nil {
		return nil, err
	}
	defer repo.close()
	rev := o.Rev
	if rev == "" {
		rev = "HEAD"
	}
	start, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("vcs: shortlog: resolving %q in %s: %w", rev, repo.dir, err)
	}
	var mm *mailmap
	if o.Mailmap {
		if mm, err = repo.readMailmap(o.Getenv); err != nil {
			return nil, err
		}
	}
	counts, err := repo.countAuthors(ctx, *start)
	if err != nil {
		return nil, err
	}
	return groupAuthors(counts, mm), nil
}

// FormatShortlog prints contributors as `git shortlog -n -s` does.
func FormatShortlog(cs []Contributor) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%6d\t%s\n", c.Commits, c.Name)
	}
	return b.String()
}

// shortlogRepo is a repository opened for a full-history read.
type shortlogRepo struct {
	*git.Repository
	storage *filesystem.Storage
	dir     string // the worktree root, or the git directory when bare
	bare    bool
}

// openShortlogRepo opens the repository with its pack files kept open:
// go-git otherwise reopens a pack for every object it reads, which
// dominates a walk over the whole history.
func openShortlogRepo(dir string) (*shortlogRepo, error) {
	plain, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		// go-git finds a bare repository only when not searching for
		// a .git directory.
		plain, err = git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotRepo, dir, err)
	}
	fs, ok := plain.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("vcs: shortlog: %s: unexpected storage %T, want a filesystem repository", dir, plain.Storer)
	}
	r := &shortlogRepo{}
	wt, err := plain.Worktree()
	switch {
	case errors.Is(err, git.ErrIsBareRepository):
		r.bare = true
		r.dir = fs.Filesystem().Root()
	case err != nil:
		return nil, fmt.Errorf("vcs: shortlog: %s: %w", dir, err)
	default:
		r.dir = wt.Filesystem.Root()
	}
	r.storage = filesystem.NewStorageWithOptions(fs.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true})
	// Nothing here reads the worktree, so the storage is opened alone.
	if r.Repository, err = git.Open(r.storage, nil); err != nil {
		_ = r.storage.Close()
		return nil, fmt.Errorf("vcs: shortlog: opening %s: %w", dir, err)
	}
	return r, nil
}

func (r *shortlogRepo) close() { _ = r.storage.Close() }

// IsShallow reports whether the repository holding dir is a shallow clone,
// whose history (and so its shortlog) stops at the commits fetched.
func IsShallow(dir string) (bool, error) {
	r, err := openShortlogRepo(dir)
	if err != nil {
		return false, err
	}
	defer r.close()
	shallow, err := r.storage.Shallow()
	if err != nil {
		return false, fmt.Errorf("vcs: reading the shallow list of %s: %w", r.dir, err)
	}
	return len(shallow) > 0, nil
}

// countAuthors walks every commit reachable from start once and counts
// commits per raw author line. Grouping waits until the walk is done, so
// the mailmap is applied once per identity, not once per commit.
func (r *shortlogRepo) countAuthors(ctx context.Context, start plumbing.Hash) (map[string]int, error) {
	shallow, err := r.storage.Shallow()
	if err != nil {
		return nil, fmt.Errorf("vcs: shortlog: reading the shallow list of %s: %w", r.dir, err)
	}
	boundary := make(map[plumbing.Hash]bool, len(shallow))
	for _, h := range shallow {
		boundary[h] = true
	}
	counts := map[string]int{}
	seen := map[plumbing.Hash]struct{}{start: {}}
	queue := []plumbing.Hash{start}
	var buf bytes.Buffer
	for n := 0; len(queue) > 0; n++ {
		h := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := r.readObject(h, &buf); err != nil {
			if errors.Is(err, plumbing.ErrObjectNotFound) && h != start {
				return nil, fmt.Errorf("vcs: shortlog: %s: commit %s is missing: the history is incomplete but not marked shallow (.git/shallow)", r.dir, h)
			}
			return nil, fmt.Errorf("vcs: shortlog: %s: reading commit %s: %w", r.dir, h, err)
		}
		author, parents, err := parseCommitHeader(buf.Bytes())
		if err != nil {
			return nil, fmt.Errorf("vcs: shortlog: %s: commit %s: %w", r.dir, h, err)
		}
		counts[string(author)]++
		if boundary[h] {
			// git grafts shallow commits as parentless.
			continue
		}
		for ; len(parents) > 0; parents = parents[parentLineLen:] {
			p, _ := parseHex(parents[7:47])
			if _, ok := seen[p]; ok {
				continue
			}
			seen[p] = struct{}{}
			queue = append(queue, p)
		}
	}
	return counts, nil
}

// readObject reads commit h into buf.
func (r *shortlogRepo) readObject(h plumbing.Hash, buf *bytes.Buffer) error {
	obj, err := r.storage.EncodedObject(plumbing.CommitObject, h)
	if err != nil {
		return err
	}
	rd, err := obj.Reader()
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(rd)
	if cerr := rd.Close(); err == nil {
		err = cerr
	}
	return err
}

const (
	treeLineLen   = len("tree ") + 40 + 1
	parentLineLen = len("parent ") + 40 + 1
)

// parseCommitHeader returns the value of a commit's author line and its
// parent lines, read as git reads them: the parents are the "parent"
// lines right after the tree line, and the author is the last "author"
// line of the header.
func parseCommitHeader(data []byte) (author, parents []byte, err error) {
	if len(data) <= treeLineLen || !bytes.HasPrefix(data, []byte("tree ")) || data[treeLineLen-1] != '\n' {
		return nil, nil, errors.New("bogus commit object: no tree line")
	}
	if _, ok := parseHex(data[5:45]); !ok {
		return nil, nil, errors.New("bad tree pointer")
	}
	rest := data[treeLineLen:]
	n := 0
	for len(rest)-n > parentLineLen-1 && bytes.HasPrefix(rest[n:], []byte("parent ")) {
		if len(rest)-n <= parentLineLen || rest[n+parentLineLen-1] != '\n' {
			return nil, nil, errors.New("bad parents")
		}
		if _, ok := parseHex(rest[n+7 : n+47]); !ok {
			return nil, nil, errors.New("bad parents")
		}
		n += parentLineLen
	}
	parents = rest[:n]
	// The header ends at the first empty line. git's scan of it also ends
	// a line at a NUL, and goes on after it.
	header := data
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
		if v, ok := bytes.CutPrefix(line, []byte("author ")); ok {
			author = v
		}
	}
	if author == nil {
		author = []byte{}
	}
	return author, parents, nil
}

func parseHex(b []byte) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if len(b) != 2*len(h) {
		return h, false
	}
	for i := range h {
		hi, ok1 := unhex(b[2*i])
		lo, ok2 := unhex(b[2*i+1])
		if !ok1 || !ok2 {
			return h, false
		}
		h[i] = hi<<4 | lo
	}
	return h, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
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
func (r *shortlogRepo) readMailmap(getenv func(string) string) (*mailmap, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	mm := newMailmap()
	file, blob, err := r.mailmapConfig(getenv)
	if err != nil {
		return nil, err
	}
	if !r.bare {
		// git refuses to follow a symlinked in-tree .mailmap: its target
		// could be outside the repository.
		path := filepath.Join(r.dir, ".mailmap")
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("vcs: shortlog: reading mailmap %s: %w", path, err)
			}
			mm.readFile(data)
		}
	}
	if blob == "" && r.bare {
		blob = "HEAD:.mailmap"
	}
	if blob != "" {
		// Like git, a blob that does not resolve is no mailmap.
		if data, ok := r.readBlob(blob); ok {
			mm.readBlob(data)
		}
	}
	if file != "" {
		file = expandHome(file, getenv)
		if !filepath.IsAbs(file) {
			file = filepath.Join(r.dir, file)
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

// readBlob reads "rev:path" or an object name as git's mailmap.blob.
func (r *shortlogRepo) readBlob(spec string) ([]byte, bool) {
	rev, path, hasPath := strings.Cut(spec, ":")
	if !hasPath {
		h, ok := parseHex([]byte(spec))
		if !ok {
			return nil, false
		}
		b, err := r.BlobObject(h)
		if err != nil {
			return nil, false
		}
		return blobContent(b)
	}
	if rev == "" {
		rev = "HEAD"
	}
	h, err := r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, false
	}
	c, err := r.CommitObject(*h)
	if err != nil {
		return nil, false
	}
	f, err := c.File(path)
	if err != nil {
		return nil, false
	}
	return blobContent(&f.Blob)
}

func blobContent(b *object.Blob) ([]byte, bool) {
	rd, err := b.Reader()
	if err != nil {
		return nil, false
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	return data, err == nil
}

// mailmapConfig returns mailmap.file and mailmap.blob from the config
// files git reads, in its order (system, global, repository), the last
// value winning.
func (r *shortlogRepo) mailmapConfig(getenv func(string) string) (file, blob string, err error) {
	var paths []string
	if !gitBool(getenv("GIT_CONFIG_NOSYSTEM")) {
		paths = append(paths, firstNonEmpty(getenv("GIT_CONFIG_SYSTEM"), "/etc/gitconfig"))
	}
	if g := getenv("GIT_CONFIG_GLOBAL"); g != "" {
		paths = append(paths, g)
	} else {
		home := getenv("HOME")
		xdg := getenv("XDG_CONFIG_HOME")
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			paths = append(paths, filepath.Join(xdg, "git", "config"))
		}
		if home != "" {
			paths = append(paths, filepath.Join(home, ".gitconfig"))
		}
	}
	var cfgs []*formatcfg.Config
	for _, p := range paths {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return "", "", fmt.Errorf("vcs: shortlog: reading git config %s: %w", p, err)
		}
		cfg := formatcfg.New()
		err = formatcfg.NewDecoder(f).Decode(cfg)
		f.Close()
		if err != nil {
			return "", "", fmt.Errorf("vcs: shortlog: parsing git config %s: %w", p, err)
		}
		cfgs = append(cfgs, cfg)
	}
	local, err := r.Config()
	if err != nil {
		return "", "", fmt.Errorf("vcs: shortlog: reading the git config of %s: %w", r.dir, err)
	}
	cfgs = append(cfgs, local.Raw)
	for _, cfg := range cfgs {
		for _, s := range cfg.Sections {
			if !s.IsName("mailmap") {
				continue
			}
			for _, o := range s.Options {
				switch {
				case o.IsKey("file"):
					file = o.Value
				case o.IsKey("blob"):
					blob = o.Value
				}
			}
		}
	}
	return file, blob, nil
}

// gitBool reads a boolean environment variable as git does.
func gitBool(s string) bool {
	switch strings.ToLower(s) {
	case "", "0", "false", "no", "off":
		return false
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n != 0
	}
	return true
}

func expandHome(p string, getenv func(string) string) string {
	if p == "~" {
		return getenv("HOME")
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(getenv("HOME"), rest)
	}
	return p
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
