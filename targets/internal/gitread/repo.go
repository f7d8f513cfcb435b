package version

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// repository is an opened repository: where its files are and its
// object database.
type repository struct {
	gitDir    string // per-worktree git dir: HEAD, index
	commonDir string // shared: objects, refs, packed-refs, config, shallow
	workTree  string // "" for a bare repository
	cfg       *gitConfig
	odb       *odb
	packed    *packedRefs
	packedErr error
	packedOK  bool
	// lstat stats worktree paths for the dirty check; tests count calls.
	lstat func(string) (fs.FileInfo, error)
}

// openRepository finds the repository containing dir the way git's
// discovery does: a .git directory or file in dir or a parent, or dir (or
// a parent) being a git directory itself.
func openRepository(dir string) (*repository, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("version: %s: %w", dir, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("version: %s: %w", dir, err)
	}
	for cur := abs; ; {
		dotgit := filepath.Join(cur, ".git")
		if st, err := os.Stat(dotgit); err == nil {
			if st.Mode().IsRegular() {
				gd, err := readGitFile(dotgit)
				if err != nil {
					return nil, err
				}
				if isGitDir(gd) {
					return newRepository(gd, cur)
				}
				return nil, &FileError{Path: dotgit, Reason: "points to " + gd + ", which is not a git directory", Err: ErrNotRepo}
			}
			if st.IsDir() && isGitDir(dotgit) {
				return newRepository(dotgit, cur)
			}
		}
		if isGitDir(cur) {
			return newRepository(cur, "")
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return nil, fmt.Errorf("%w: %s (nor any of its parents)", ErrNotRepo, dir)
		}
		cur = parent
	}
}

// readGitFile reads a "gitdir: <path>" file, as left by git worktree add
// and by submodules.
func readGitFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", &FileError{Path: path, Reason: "cannot read", Err: err}
	}
	s := strings.TrimRight(string(data), "\r\n")
	rest, ok := strings.CutPrefix(s, "gitdir: ")
	if !ok || rest == "" {
		return "", &FileError{Path: path, Reason: `expected "gitdir: <path>"`, Err: ErrNotRepo}
	}
	if !filepath.IsAbs(rest) {
		rest = filepath.Join(filepath.Dir(path), rest)
	}
	return filepath.Clean(rest), nil
}

// commonDirOf follows a worktree's "commondir" file.
func commonDirOf(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	cd := strings.TrimRight(string(data), "\r\n")
	if cd == "" {
		return gitDir
	}
	if !filepath.IsAbs(cd) {
		cd = filepath.Join(gitDir, cd)
	}
	return filepath.Clean(cd)
}

// isGitDir is git's is_git_directory: a valid HEAD, and objects/ and
// refs/ in the common directory.
func isGitDir(d string) bool {
	head, err := os.ReadFile(filepath.Join(d, "HEAD"))
	if err != nil {
		return false
	}
	if !bytes.HasPrefix(head, []byte("ref:")) {
		if _, ok := parseOID(bytes.TrimRight(head, "\r\n")); !ok {
			return false
		}
	}
	cd := commonDirOf(d)
	for _, sub := range []string{"objects", "refs"} {
		if st, err := os.Stat(filepath.Join(cd, sub)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

func newRepository(gitDir, workTree string) (*repository, error) {
	r := &repository{gitDir: gitDir, commonDir: commonDirOf(gitDir), workTree: workTree}
	cfg, err := loadConfig(r.commonDir, r.gitDir)
	if err != nil {
		return nil, err
	}
	r.cfg = cfg
	if v, _, ok := cfg.get("extensions.objectformat"); ok && !strings.EqualFold(v, "sha1") {
		return nil, &FileError{Path: filepath.Join(r.commonDir, "config"), Reason: "extensions.objectFormat " + v + " is not supported", Err: ErrUnsupported}
	}
	if v, _, ok := cfg.get("extensions.refstorage"); ok && !strings.EqualFold(v, "files") {
		return nil, &FileError{Path: filepath.Join(r.commonDir, "config"), Reason: "extensions.refStorage " + v + " is not supported", Err: ErrUnsupported}
	}
	if wt, _, ok := cfg.get("core.worktree"); ok && wt != "" && r.gitDir == r.commonDir {
		if !filepath.IsAbs(wt) {
			wt = filepath.Join(r.gitDir, wt)
		}
		r.workTree = filepath.Clean(wt)
	}
	r.odb = newODB(filepath.Join(r.commonDir, "objects"))
	return r, nil
}

func (r *repository) close() { r.odb.close() }

// displayDir names the repository in messages: its worktree, or its git
// directory when bare.
func (r *repository) displayDir() string {
	if r.workTree != "" {
		return r.workTree
	}
	return r.gitDir
}

func (r *repository) packedRefs() (*packedRefs, error) {
	if r.packedOK {
		return r.packed, r.packedErr
	}
	r.packedOK = true
	path := filepath.Join(r.commonDir, "packed-refs")
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.packed = &packedRefs{}
	case err != nil:
		r.packedErr = &FileError{Path: path, Reason: "cannot read", Err: err}
	default:
		p, err := parsePackedRefs(data)
		if err != nil {
			r.packedErr = &FileError{Path: path, Reason: err.Error(), Err: ErrCorrupt}
		}
		r.packed = p
	}
	return r.packed, r.packedErr
}

// refFile is where a loose ref lives: HEAD and per-worktree refs in the
// worktree's git dir, everything else in the common dir.
func (r *repository) refFile(name string) string {
	base := r.commonDir
	if name == "HEAD" || strings.HasPrefix(name, "refs/worktree/") || strings.HasPrefix(name, "refs/bisect/") || strings.HasPrefix(name, "refs/rewritten/") || !strings.HasPrefix(name, "refs/") {
		base = r.gitDir
	}
	return filepath.Join(base, filepath.FromSlash(name))
}

// errRefMissing is returned when a ref does not exist.
var errRefMissing = errors.New("ref does not exist")

// readRef resolves a ref through symbolic refs (at most five levels, as
// git) and returns its object name and the ref it finally resolved to.
func (r *repository) readRef(name string) (oid, string, error) {
	for depth := 0; depth < 6; depth++ {
		data, err := os.ReadFile(r.refFile(name))
		if err == nil {
			if target, ok := bytes.CutPrefix(data, []byte("ref:")); ok {
				name = strings.TrimSpace(string(target))
				continue
			}
			id, ok := parseLooseRef(data)
			if !ok {
				return oid{}, name, &FileError{Path: r.refFile(name), Reason: "expected an object name or \"ref: <name>\"", Err: ErrCorrupt}
			}
			return id, name, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscallEISDIR) {
			return oid{}, name, &FileError{Path: r.refFile(name), Reason: "cannot read", Err: err}
		}
		p, err := r.packedRefs()
		if err != nil {
			return oid{}, name, err
		}
		if pr, ok := p.lookup(name); ok {
			return pr.id, name, nil
		}
		return oid{}, name, errRefMissing
	}
	return oid{}, name, &FileError{Path: r.refFile(name), Reason: "symbolic ref loop", Err: ErrCorrupt}
}

// parseLooseRef accepts what git's parse_loose_ref_contents accepts: an
// object name followed by nothing or by whitespace.
func parseLooseRef(data []byte) (oid, bool) {
	if len(data) < hexLen {
		return oid{}, false
	}
	id, ok := parseOID(data[:hexLen])
	if !ok {
		return oid{}, false
	}
	if len(data) > hexLen {
		switch data[hexLen] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
		default:
			return oid{}, false
		}
	}
	return id, true
}

// head reads HEAD: the branch it points to ("" when detached) and the
// commit, with ErrNoCommits for an unborn branch.
func (r *repository) head() (oid, string, error) {
	data, err := os.ReadFile(filepath.Join(r.gitDir, "HEAD"))
	if err != nil {
		return oid{}, "", &FileError{Path: filepath.Join(r.gitDir, "HEAD"), Reason: "cannot read", Err: err}
	}
	branch := ""
	if target, ok := bytes.CutPrefix(data, []byte("ref:")); ok {
		branch = strings.TrimSpace(string(target))
	}
	id, final, err := r.readRef("HEAD")
	if errors.Is(err, errRefMissing) {
		return oid{}, "", fmt.Errorf("%w: %s: %s", ErrNoCommits, r.displayDir(), final)
	}
	if err != nil {
		return oid{}, "", err
	}
	if id.isZero() {
		return oid{}, "", fmt.Errorf("%w: %s: %s", ErrNoCommits, r.displayDir(), final)
	}
	if branch != "" {
		branch = final
	}
	short, _ := strings.CutPrefix(branch, "refs/heads/")
	if short == branch {
		short = ""
	}
	return id, short, nil
}

// tagRef is one ref under refs/tags/ in git's iteration order.
type tagRef struct {
	name      string // without refs/tags/
	id        oid
	peelKnown bool // packed-refs says whether and to what it peels
	peeled    oid  // zero when peelKnown and not annotated
	broken    bool // a loose ref git cannot read: it hides a packed one of the same name
}

// tagRefs lists refs/tags/ as git's for_each_rawref does: loose refs
// shadow packed ones, sorted by name, broken and badly named refs
// dropped (git lists them with a null object name, which matches nothing).
func (r *repository) tagRefs() ([]tagRef, error) {
	p, err := r.packedRefs()
	if err != nil {
		return nil, err
	}
	var loose []tagRef
	root := filepath.Join(r.commonDir, "refs", "tags")
	if err := r.walkLoose(root, "refs/tags/", &loose); err != nil {
		return nil, err
	}
	for i := range loose {
		loose[i].name = loose[i].name[len("refs/tags/"):]
	}
	sort.Slice(loose, func(i, j int) bool { return loose[i].name < loose[j].name })
	var out []tagRef
	lo := sort.Search(len(p.refs), func(i int) bool { return p.refs[i].name >= "refs/tags/" })
	li := 0
	for i := lo; i < len(p.refs) && strings.HasPrefix(p.refs[i].name, "refs/tags/"); i++ {
		pr := p.refs[i]
		name := pr.name[len("refs/tags/"):]
		for li < len(loose) && loose[li].name < name {
			out = append(out, loose[li])
			li++
		}
		if li < len(loose) && loose[li].name == name {
			out = append(out, loose[li])
			li++
			continue
		}
		if !validRefname(pr.name) || pr.id.isZero() {
			continue
		}
		t := tagRef{name: name, id: pr.id}
		if p.knowsPeeled(pr.name) {
			t.peelKnown = true
			if pr.hasPeeled {
				t.peeled = pr.peeled
			}
		}
		out = append(out, t)
	}
	out = append(out, loose[li:]...)
	return slices.DeleteFunc(out, func(t tagRef) bool { return t.broken }), nil
}

// walkLoose lists the loose refs under dir (named prefix...), with their
// full names, skipping what git's loose_fill_ref_dir skips or marks broken.
func (r *repository) walkLoose(dir, prefix string, out *[]tagRef) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallENOTDIR) {
			return nil
		}
		return &FileError{Path: dir, Reason: "cannot list refs", Err: err}
	}
	for _, e := range ents {
		n := e.Name()
		if n[0] == '.' || strings.HasSuffix(n, ".lock") {
			continue
		}
		full := filepath.Join(dir, n)
		st, err := os.Stat(full)
		if err != nil {
			continue
		}
		refname := prefix + n
		if st.IsDir() {
			if err := r.walkLoose(full, refname+"/", out); err != nil {
				return err
			}
			continue
		}
		if !validRefname(refname) {
			continue
		}
		id, _, err := r.readRef(refname)
		// Git lists a broken loose ref with a null object name, which
		// matches nothing, and still lets it shadow the packed ref.
		*out = append(*out, tagRef{name: refname, id: id, broken: err != nil || id.isZero()})
	}
	return nil
}
