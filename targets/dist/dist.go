// Package dist is the layout of the dist directory and its artifact
// manifest: what each target built, with the facts the next target (on this
// machine or another one) needs to trust it — kind, version, tags, size,
// sha256, commit and build time. Targets pass state through dist/ and the
// manifest only.
//
// It is the one registry of what a build made and where: targets ask the
// manifest with filters (m.Artifacts.Filter(And(ByVersion(v), ForIndex))),
// check a file against its recorded sha256 with Artifact.Verify, and a
// version's set against what [tool.pyrelease.snapshot] expect lists with
// Missing. The snapshot store's sidecar is defined here too, with its
// conversions to and from an artifact, so that what publish writes and
// what fetch records are the same facts.
//
// dist/ itself holds only what goes to a package index, wheels and sdists,
// as every Python tool expects (`twine upload dist/*`). Everything else
// pyrelease makes or fetches — the manifest, frozen-tool archives,
// installers and their SHA256SUMS — lives in dist/.pyrelease/, which shell
// globs, Python's glob and the build backends' sdist rules all skip.
package dist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
)

// FileName is the manifest's name inside Sub.
const FileName = "artifacts.json"

// Sub is the directory of dist/ that holds the manifest and every artifact
// that is not a wheel or an sdist.
const Sub = ".pyrelease"

// ManifestPath is where the manifest of the dist directory dir lives.
func ManifestPath(dir string) string {
	return filepath.Join(dir, Sub, FileName)
}

// ManifestRel is the manifest's path relative to the project, for messages.
var ManifestRel = filepath.Join("dist", Sub, FileName)

// PathFor is where an artifact of kind goes, as a slash path relative to
// the dist directory: wheels and sdists at the top, the rest in Sub.
func PathFor(kind, name string) string {
	if kind == KindWheel || kind == KindSdist {
		return name
	}
	return Sub + "/" + name
}

// ModeFor is the file mode an artifact has on disk: installers are
// programs to run, everything else is data.
func ModeFor(kind, name string) fs.FileMode {
	if kind == KindInstaller && !strings.HasSuffix(name, ".dmg") {
		return 0o755
	}
	return 0o644
}

// KindOf tells an artifact's kind from its file name, for files that come
// without a sidecar (an index page's links).
func KindOf(name string) string {
	switch {
	case strings.HasSuffix(name, ".whl"):
		return KindWheel
	case strings.HasSuffix(name, ".run"), strings.HasSuffix(name, ".exe"), strings.HasSuffix(name, ".dmg"):
		return KindInstaller
	case strings.Count(strings.TrimSuffix(strings.TrimSuffix(name, ".tar.gz"), ".zip"), "-") >= 2:
		return KindArchive
	}
	return KindSdist
}

// formatVersion is the manifest layout; readers refuse newer ones.
const formatVersion = 1

// Kinds of artifacts.
const (
	KindWheel     = "wheel"
	KindSdist     = "sdist"
	KindArchive   = "archive"   // frozen tools of one group, for one platform
	KindInstaller = "installer" // a .run, .exe or .dmg installer
)

// Artifact is one built file.
type Artifact struct {
	Name    string    `json:"name"`              // file name, unique within the manifest
	Path    string    `json:"path"`              // slash path relative to the dist directory (PathFor)
	Kind    string    `json:"kind"`              // KindWheel, KindSdist, ...
	Version string    `json:"version"`           // the version the file carries
	Tags    []string  `json:"tags,omitempty"`    // wheel tags, python-abi-platform
	Python  string    `json:"python,omitempty"`  // interpreter version that built it
	SHA256  string    `json:"sha256"`            // hex
	Size    int64     `json:"size"`              // bytes
	Commit  string    `json:"commit"`            // full commit id
	BuiltAt time.Time `json:"built_at"`          // UTC
	Project string    `json:"project,omitempty"` // distribution name as in METADATA
}

// Manifest is the content of artifacts.json.
type Manifest struct {
	FormatVersion int       `json:"format_version"`
	Artifacts     Artifacts `json:"artifacts"`
}

// ErrFormat is returned for a manifest that cannot be read.
var ErrFormat = errors.New("dist: bad manifest")

// Load reads the manifest of the dist directory dir; a missing file is an
// empty manifest.
func Load(dir string) (*Manifest, error) {
	path := ManifestPath(dir)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{FormatVersion: formatVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, path, err)
	}
	if m.FormatVersion > formatVersion {
		return nil, fmt.Errorf("%w: %s: format_version %d is newer than this pyrelease reads (%d)", ErrFormat, path, m.FormatVersion, formatVersion)
	}
	return &m, nil
}

// Find returns the artifact of that file name.
func (m *Manifest) Find(name string) (Artifact, bool) {
	i := slices.IndexFunc(m.Artifacts, func(a Artifact) bool { return a.Name == name })
	if i < 0 {
		return Artifact{}, false
	}
	return m.Artifacts[i], true
}

// mu serialises read-modify-write of manifests within one process: targets
// that mage runs in parallel record into the same file.
var mu sync.Mutex

// Record adds artifacts to the manifest of the dist directory dir,
// replacing entries of the same name, and writes the file atomically.
func Record(ctx context.Context, dir string, arts ...Artifact) error {
	mu.Lock()
	defer mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	m, err := Load(dir)
	if err != nil {
		return err
	}
	for _, a := range arts {
		if a.Name == "" || strings.ContainsAny(a.Name, `/\`) {
			return fmt.Errorf("dist: artifact name %q must be a plain file name", a.Name)
		}
		if a.Path == "" {
			a.Path = PathFor(a.Kind, a.Name)
		}
		m.Artifacts = slices.DeleteFunc(m.Artifacts, func(old Artifact) bool { return old.Name == a.Name })
		m.Artifacts = append(m.Artifacts, a)
	}
	slices.SortFunc(m.Artifacts, func(a, b Artifact) int { return strings.Compare(a.Name, b.Name) })
	m.FormatVersion = formatVersion
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	path := ManifestPath(dir)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("dist: %s: %w", path, err)
	}
	return nil
}

// Hash returns a file's sha256 (hex) and size.
func Hash(path string) (string, int64, error) {
	sum, n, err := hashFile(path)
	if err != nil {
		return "", 0, fmt.Errorf("dist: %w", err)
	}
	return sum, n, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
