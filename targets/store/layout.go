package store

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/dist"
)

// Top-level directories of the layout.
const (
	SnapshotsDir = "snapshots"
	BranchesDir  = "branches"
	IncomingDir  = ".incoming"
	SimpleDir    = "simple"
	IndexFile    = "index.html"
	// SidecarExt is appended to an artifact's key to name its sidecar.
	SidecarExt = ".json"
	// LatestWord replaces the version in a family's alias.
	LatestWord = "latest"
)

// Sidecar is the JSON written beside every published file: enough to trust
// the file and to know where it came from without opening it. Its type and
// its conversions to and from a manifest entry are dist's.
type Sidecar = dist.Sidecar

// ParseSidecar decodes a sidecar, checking the fields a reader relies on.
func ParseSidecar(key string, data []byte) (Sidecar, error) {
	var s Sidecar
	if err := json.Unmarshal(data, &s); err != nil {
		return Sidecar{}, fmt.Errorf("store: sidecar %s: %w", key, err)
	}
	if s.File == "" || !sha256Hex.MatchString(s.SHA256) || s.Size < 0 {
		return Sidecar{}, fmt.Errorf("store: sidecar %s: want file, a hex sha256 and a size, got file=%q sha256=%q size=%d", key, s.File, s.SHA256, s.Size)
	}
	return s, nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// VersionDir is where builds of a tagged version go.
func VersionDir(version string) string {
	return SnapshotsDir + "/v" + version
}

// BranchDir is where builds of a branch go, with the branch made path-safe.
func BranchDir(branch string) string {
	return BranchesDir + "/" + SafeBranch(branch)
}

var unsafeRun = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SafeBranch turns a branch name into one path segment: runs of anything
// but letters, digits, '.', '_' and '-' become '-', and names that would
// be hidden or special ("", ".", "..", ".x") are prefixed with '_'.
// "feature/login" becomes "feature-login".
func SafeBranch(branch string) string {
	s := unsafeRun.ReplaceAllString(branch, "-")
	s = strings.Trim(s, "-")
	if s == "" || strings.HasPrefix(s, ".") {
		s = "_" + s
	}
	return s
}

// Family returns the file name with its version replaced by "{version}":
// files of one family are the same artifact at different versions, and
// pruning and latest aliases work per family. The version is looked for
// as written in the name (wheel names escape '-' and '+' as '_').
func Family(file string, versions ...string) string {
	for _, v := range versions {
		for _, form := range []string{v, strings.NewReplacer("-", "_", "+", "_").Replace(v)} {
			if form == "" {
				continue
			}
			if i := strings.Index(file, "-"+form); i >= 0 {
				return file[:i+1] + "{version}" + file[i+1+len(form):]
			}
		}
	}
	return ""
}

// LatestName is the alias name of a family, or "" when the family cannot
// have one: wheels and sdists, whose names pip parses ("latest" is not a
// version), and names without a version.
func LatestName(family, kind string) string {
	if family == "" || kind == "wheel" || kind == "sdist" || strings.HasSuffix(family, ".whl") {
		return ""
	}
	return strings.Replace(family, "{version}", LatestWord, 1)
}

// IsSidecar reports whether key names a sidecar rather than an artifact.
func IsSidecar(key string) bool {
	return strings.HasSuffix(key, SidecarExt)
}

// SafeName reports whether name is one plain file name: no separators, no
// "..", no leading dot, no control characters.
func SafeName(name string) bool {
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") || len(name) > 255 {
		return false
	}
	if strings.ContainsAny(name, `/\`) || path.Base(name) != name {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// randomSuffix names temporary entries and runs uniquely.
func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// inHiddenDir reports keys with a hidden segment, such as uploads in flight
// under .incoming: readers never see them.
func inHiddenDir(key string) bool {
	return slices.ContainsFunc(strings.Split(key, "/"), func(s string) bool { return strings.HasPrefix(s, ".") })
}
