package gitread

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

// Repo is an opened repository: where its files are, its config and its
// object database. It is not safe for concurrent use.
type Repo struct {
	// GitDir is the per-worktree git directory: HEAD, index.
	GitDir string
	// CommonDir is shared by all worktrees: objects, refs, packed-refs,
	// config, shallow. It is GitDir except in a linked worktree.
	CommonDir string
	// WorkTree is the top of the working tree, "" for a bare repository.
	WorkTree string
	// Config is the merged git config git would read in this repository.
	Config *Config
	// ODB reads the repository's objects.
	ODB *ODB

	packed    *packedRefs
	packedErr error
	packedOK  bool
}

// Open finds the repository containing dir the way git's discovery does
// (see Discover) and reads its config with the process's environment.
// Close releases its mapped packs.
func Open(dir string) (*Repo, error) { return OpenEnv(dir, nil) }

// OpenEnv is Open with the variables that locate the global and system
// config files (HOME, XDG_CONFIG_HOME, GIT_CONFIG_GLOBAL,
// GIT_CONFIG_SYSTEM, GIT_CONFIG_NOSYSTEM) read from env; nil means the
// process's environment.
func OpenEnv(dir string, env Env) (*Repo, error) {
	if _, err := os.Stat(dir); dir != "" && err != nil {
		return nil, err
	}
	gitDir, workTree, err := Discover(dir)
	if err != nil {
		return nil, err
	}
	return newRepository(gitDir, workTree, env)
}

// Discover finds the repository containing dir the way git's discovery
// does: a .git directory or file (a linked worktree or a submodule names
// its git directory in it) in dir or a parent, or dir (or a parent) being
// a git directory itself. workTree is the top of the working tree, ""
// for a bare repository. Only the files that make a git directory are
// read; the errors wrap ErrNotRepo when there is none. dir need not
// exist yet: the search starts at it all the same.
func Discover(dir string) (gitDir, workTree string, err error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", dir, err)
	}
	for cur := abs; ; {
		dotgit := filepath.Join(cur, ".git")
		if st, err := os.Stat(dotgit); err == nil {
			if st.Mode().IsRegular() {
				gd, err := readGitFile(dotgit)
				if err != nil {
					return "", "", err
				}
				if isGitDir(gd) {
					return gd, cur, nil
				}
				return "", "", &FileError{Path: dotgit, Reason: "points to " + gd + ", which is not a git directory", Err: ErrNotRepo}
			}
			if st.IsDir() && isGitDir(dotgit) {
				return dotgit, cur, nil
			}
		}
		if isGitDir(cur) {
			return cur, "", nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", "", fmt.Errorf("%w: %s (nor any of its parents)", ErrNotRepo, dir)
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

// CommonDir is the repository's shared git directory: a linked
// worktree's git directory names it in its commondir file.
func CommonDir(gitDir string) string { return commonDirOf(gitDir) }

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
		if _, ok := ParseOID(bytes.TrimRight(head, "\r\n")); !ok {
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

func newRepository(gitDir, workTree string, env Env) (*Repo, error) {
	r := &Repo{GitDir: gitDir, CommonDir: commonDirOf(gitDir), WorkTree: workTree}
	cfg, err := loadConfig(r.CommonDir, r.GitDir, env)
	if err != nil {
		return nil, err
	}
	r.Config = cfg
	if v, _, ok := cfg.Get("extensions.objectformat"); ok && !strings.EqualFold(v, "sha1") {
		return nil, &FileError{Path: filepath.Join(r.CommonDir, "config"), Reason: "extensions.objectFormat " + v + " is not supported", Err: ErrUnsupported}
	}
	if v, _, ok := cfg.Get("extensions.refstorage"); ok && !strings.EqualFold(v, "files") {
		return nil, &FileError{Path: filepath.Join(r.CommonDir, "config"), Reason: "extensions.refStorage " + v + " is not supported", Err: ErrUnsupported}
	}
	if wt, _, ok := cfg.Get("core.worktree"); ok && wt != "" && r.GitDir == r.CommonDir {
		if !filepath.IsAbs(wt) {
			wt = filepath.Join(r.GitDir, wt)
		}
		r.WorkTree = filepath.Clean(wt)
	}
	r.ODB = NewODB(filepath.Join(r.CommonDir, "objects"))
	return r, nil
}

// Close releases the object database's mapped files.
func (r *Repo) Close() { r.ODB.Close() }

// DisplayDir names the repository in messages: its worktree, or its git
// directory when bare.
func (r *Repo) DisplayDir() string {
	if r.WorkTree != "" {
		return r.WorkTree
	}
	return r.GitDir
}

func (r *Repo) packedRefs() (*packedRefs, error) {
	if r.packedOK {
		return r.packed, r.packedErr
	}
	r.packedOK = true
	path := filepath.Join(r.CommonDir, "packed-refs")
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
func (r *Repo) refFile(name string) string {
	base := r.CommonDir
	if name == "HEAD" || strings.HasPrefix(name, "refs/worktree/") || strings.HasPrefix(name, "refs/bisect/") || strings.HasPrefix(name, "refs/rewritten/") || !strings.HasPrefix(name, "refs/") {
		base = r.GitDir
	}
	return filepath.Join(base, filepath.FromSlash(name))
}

// ErrNoRef is returned by ReadRef when a ref does not exist.
var ErrNoRef = errors.New("ref does not exist")

// ReadRef resolves a ref through symbolic refs (at most five levels, as
// git) and returns its object name and the ref it finally resolved to.
func (r *Repo) ReadRef(name string) (OID, string, error) {
	for depth := 0; depth < 6; depth++ {
		id, target, exists, err := ReadLooseRef(r.refFile(name))
		switch {
		case err != nil:
			return OID{}, name, err
		case target != "":
			name = target
			continue
		case exists:
			return id, name, nil
		}
		p, err := r.packedRefs()
		if err != nil {
			return OID{}, name, err
		}
		if pr, ok := p.lookup(name); ok {
			return pr.ID, name, nil
		}
		return OID{}, name, ErrNoRef
	}
	return OID{}, name, &FileError{Path: r.refFile(name), Reason: "symbolic ref loop", Err: ErrCorrupt}
}

// ReadLooseRef reads the loose ref file at path as git's
// parse_loose_ref_contents does: target is the ref a symbolic ref
// ("ref: refs/heads/main") names, id the object name of any other.
// exists is false when there is no file (or a directory) there, in which
// case packed-refs decides. An empty file is a broken ref, an error.
func ReadLooseRef(path string) (id OID, target string, exists bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallEISDIR) {
			return OID{}, "", false, nil
		}
		return OID{}, "", false, &FileError{Path: path, Reason: "cannot read", Err: err}
	}
	if t, ok := bytes.CutPrefix(data, []byte("ref:")); ok {
		if target = strings.TrimSpace(string(t)); target == "" {
			return OID{}, "", true, &FileError{Path: path, Reason: "symbolic ref names no ref", Err: ErrCorrupt}
		}
		return OID{}, target, true, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return OID{}, "", true, &FileError{Path: path, Reason: "is empty: a broken ref (expected an object name)", Err: ErrCorrupt}
	}
	id, ok := parseLooseRef(data)
	if !ok {
		return OID{}, "", true, &FileError{Path: path, Reason: "expected an object name or \"ref: <name>\"", Err: ErrCorrupt}
	}
	return id, "", true, nil
}

// parseLooseRef accepts what git's parse_loose_ref_contents accepts: an
// object name followed by nothing or by whitespace.
func parseLooseRef(data []byte) (OID, bool) {
	if len(data) < HexLen {
		return OID{}, false
	}
	id, ok := ParseOID(data[:HexLen])
	if !ok {
		return OID{}, false
	}
	if len(data) > HexLen {
		switch data[HexLen] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
		default:
			return OID{}, false
		}
	}
	return id, true
}

// Head reads HEAD: the branch it points to ("" when detached) and the
// commit, with ErrNoCommits for an unborn branch.
func (r *Repo) Head() (OID, string, error) {
	data, err := os.ReadFile(filepath.Join(r.GitDir, "HEAD"))
	if err != nil {
		return OID{}, "", &FileError{Path: filepath.Join(r.GitDir, "HEAD"), Reason: "cannot read", Err: err}
	}
	branch := ""
	if target, ok := bytes.CutPrefix(data, []byte("ref:")); ok {
		branch = strings.TrimSpace(string(target))
	}
	id, final, err := r.ReadRef("HEAD")
	if errors.Is(err, ErrNoRef) {
		return OID{}, "", fmt.Errorf("%w: %s: %s", ErrNoCommits, r.DisplayDir(), final)
	}
	if err != nil {
		return OID{}, "", err
	}
	if id.IsZero() {
		return OID{}, "", fmt.Errorf("%w: %s: %s", ErrNoCommits, r.DisplayDir(), final)
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

// TagRef is one ref under refs/tags/ in git's iteration order.
type TagRef struct {
	Name      string // without refs/tags/
	ID        OID
	PeelKnown bool // packed-refs says whether and to what it peels
	Peeled    OID  // zero when peelKnown and not annotated
	broken    bool // a loose ref git cannot read: it hides a packed one of the same name
}

// TagRefs lists refs/tags/ as git's for_each_rawref does: loose refs
// shadow packed ones, sorted by name, broken and badly named refs
// dropped (git lists them with a null object name, which matches nothing).
func (r *Repo) TagRefs() ([]TagRef, error) {
	p, err := r.packedRefs()
	if err != nil {
		return nil, err
	}
	var loose []TagRef
	root := filepath.Join(r.CommonDir, "refs", "tags")
	if err := r.walkLoose(root, "refs/tags/", &loose); err != nil {
		return nil, err
	}
	for i := range loose {
		loose[i].Name = loose[i].Name[len("refs/tags/"):]
	}
	sort.Slice(loose, func(i, j int) bool { return loose[i].Name < loose[j].Name })
	var out []TagRef
	lo := sort.Search(len(p.refs), func(i int) bool { return p.refs[i].Name >= "refs/tags/" })
	li := 0
	for i := lo; i < len(p.refs) && strings.HasPrefix(p.refs[i].Name, "refs/tags/"); i++ {
		pr := p.refs[i]
		name := pr.Name[len("refs/tags/"):]
		for li < len(loose) && loose[li].Name < name {
			out = append(out, loose[li])
			li++
		}
		if li < len(loose) && loose[li].Name == name {
			out = append(out, loose[li])
			li++
			continue
		}
		if !validRefname(pr.Name) || pr.ID.IsZero() {
			continue
		}
		t := TagRef{Name: name, ID: pr.ID}
		if p.knowsPeeled(pr.Name) {
			t.PeelKnown = true
			if pr.HasPeeled {
				t.Peeled = pr.Peeled
			}
		}
		out = append(out, t)
	}
	out = append(out, loose[li:]...)
	return slices.DeleteFunc(out, func(t TagRef) bool { return t.broken }), nil
}

// walkLoose lists the loose refs under dir (named prefix...), with their
// full names, skipping what git's loose_fill_ref_dir skips or marks broken.
func (r *Repo) walkLoose(dir, prefix string, out *[]TagRef) error {
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
		id, _, err := r.ReadRef(refname)
		// Git lists a broken loose ref with a null object name, which
		// matches nothing, and still lets it shadow the packed ref.
		*out = append(*out, TagRef{Name: refname, ID: id, broken: err != nil || id.IsZero()})
	}
	return nil
}

// SubmoduleHead resolves a checked-out submodule's HEAD; ok is false
// when it is not checked out, which git treats as unchanged.
func SubmoduleHead(dir string) (OID, bool) {
	gd := filepath.Join(dir, ".git")
	st, err := os.Stat(gd)
	if err != nil {
		return OID{}, false
	}
	if st.Mode().IsRegular() {
		if gd, err = readGitFile(gd); err != nil {
			return OID{}, false
		}
	}
	sub := &Repo{GitDir: gd, CommonDir: commonDirOf(gd)}
	id, _, err := sub.ReadRef("HEAD")
	if err != nil {
		return OID{}, false
	}
	return id, true
}
