// Package dist is the artifact manifest, dist/artifacts.json: what each
// target built, with the facts the next target (on this machine or another
// one) needs to trust it — kind, version, tags, size, sha256, commit and
// build time. Targets pass state through dist/ and this file only.
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

// FileName is the manifest's name inside the dist directory.
const FileName = "artifacts.json"

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
	Path    string    `json:"path"`              // slash path relative to the manifest's directory
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
	FormatVersion int        `json:"format_version"`
	Artifacts     []Artifact `json:"artifacts"`
}

// ErrFormat is returned for a manifest that cannot be read.
var ErrFormat = errors.New("dist: bad manifest")

// Load reads dir/artifacts.json; a missing file is an empty manifest.
func Load(dir string) (*Manifest, error) {
	path := filepath.Join(dir, FileName)
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

// Record adds artifacts to dir/artifacts.json, replacing entries of the
// same name, and writes the file atomically.
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
		m.Artifacts = slices.DeleteFunc(m.Artifacts, func(old Artifact) bool { return old.Name == a.Name })
		m.Artifacts = append(m.Artifacts, a)
	}
	slices.SortFunc(m.Artifacts, func(a, b Artifact) int { return strings.Compare(a.Name, b.Name) })
	m.FormatVersion = formatVersion
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, FileName), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("dist: %s: %w", filepath.Join(dir, FileName), err)
	}
	return nil
}

// Hash returns a file's sha256 (hex) and size.
func Hash(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("dist: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("dist: reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
