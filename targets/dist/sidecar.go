package dist

import (
	"encoding/json"
	"strings"
	"time"
)

// Sidecar is the JSON a snapshot store keeps beside every published file:
// enough to trust the file and to know where it came from without opening
// it. It is the manifest entry of the file (Artifact.Sidecar, and back with
// Sidecar.Artifact) plus what the store adds about the publish.
type Sidecar struct {
	Project  string    `json:"project"`
	Version  string    `json:"version"`
	Describe string    `json:"describe,omitempty"`
	Commit   string    `json:"commit"`
	Branch   string    `json:"branch,omitempty"`
	Tag      string    `json:"tag,omitempty"`
	BuiltAt  time.Time `json:"built_at"`
	JobURL   string    `json:"job_url,omitempty"`
	Platform string    `json:"platform,omitempty"` // wheel platform tag or archive platform; "any" for pure wheels and sdists
	Python   string    `json:"python,omitempty"`   // interpreter version that built it
	Kind     string    `json:"kind"`               // KindWheel, ...
	Tags     []string  `json:"tags,omitempty"`     // wheel tags
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	File     string    `json:"file"`             // original file name
	Family   string    `json:"family,omitempty"` // File with the version replaced by "{version}"
	// AliasOf is set on the sidecar of a latest alias: the key it copies.
	AliasOf     string    `json:"alias_of,omitempty"`
	PublishedAt time.Time `json:"published_at"`
}

// Marshal encodes the sidecar as stored.
func (s Sidecar) Marshal() []byte {
	data, _ := json.MarshalIndent(s, "", "  ")
	return append(data, '\n')
}

// Sidecar is what a sidecar says about the artifact; the store fills in
// the fields of the publish (describe, branch, tag, job, family, time).
func (a Artifact) Sidecar() Sidecar {
	return Sidecar{
		Project: a.Project, Version: a.Version, Commit: a.Commit, BuiltAt: a.BuiltAt, Platform: a.Platform(),
		Python: a.Python, Kind: a.Kind, Tags: a.Tags, Size: a.Size, SHA256: a.SHA256, File: a.Name,
	}
}

// Platform is the platform the artifact is for: a wheel's platform tag,
// an archive's or installer's platform, or "any" (pure wheels' tags end
// in any; sdists have no tags).
func (a Artifact) Platform() string {
	if len(a.Tags) == 0 {
		return "any"
	}
	t := a.Tags[len(a.Tags)-1]
	// A wheel tag is python-abi-platform; an archive's or installer's
	// tag is the platform itself (linux-x86_64).
	if i := strings.LastIndex(t, "-"); i >= 0 && a.Kind == KindWheel {
		t = t[i+1:]
	}
	return t
}

// Artifact is the manifest entry of the file the sidecar describes, at
// PathFor of its kind (KindOf its name when the sidecar names none).
func (s Sidecar) Artifact() Artifact {
	kind := s.Kind
	if kind == "" {
		kind = KindOf(s.File)
	}
	return Artifact{
		Name: s.File, Path: PathFor(kind, s.File), Kind: kind, Version: s.Version, Tags: s.Tags, Python: s.Python,
		SHA256: s.SHA256, Size: s.Size, Commit: s.Commit, BuiltAt: s.BuiltAt, Project: s.Project,
	}
}
