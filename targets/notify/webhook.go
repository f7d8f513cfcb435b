package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// webhookRelease is the generic hook's document. Every field is always
// present, so that receivers can rely on one schema.
type webhookRelease struct {
	Event      string        `json:"event"`
	Project    string        `json:"project"`
	Version    string        `json:"version"`
	Tag        string        `json:"tag"`
	Commit     string        `json:"commit"`
	Repository string        `json:"repository"`
	ProjectURL string        `json:"project_url"`
	JobURL     string        `json:"job_url"`
	Files      []webhookFile `json:"files"`
}

type webhookFile struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"` // 0 when not known
}

// WebhookPayload is the JSON document posted to the generic hook:
// {"event":"release","project":...,"version":...,"tag":...,"commit":...,
// "repository":...,"project_url":...,"job_url":...,
// "files":[{"name","url","sha256","size"}]}.
func WebhookPayload(r Release) ([]byte, error) {
	if err := checkRelease(r); err != nil {
		return nil, err
	}
	doc := webhookRelease{
		Event:      "release",
		Project:    r.Project,
		Version:    r.Version,
		Tag:        r.Tag,
		Commit:     r.Commit,
		Repository: repository(r.Repository),
		ProjectURL: r.ProjectURL,
		JobURL:     r.JobURL,
		Files:      make([]webhookFile, 0, len(r.Files)),
	}
	for _, f := range r.Files {
		doc.Files = append(doc.Files, webhookFile{Name: f.Name, URL: f.URL, SHA256: f.SHA256, Size: max(f.Size, 0)})
	}
	return marshal(doc)
}

func checkRelease(r Release) error {
	if strings.TrimSpace(r.Project) == "" || strings.TrimSpace(r.Version) == "" {
		return fmt.Errorf("notify: project %q, version %q: %w; want both set", r.Project, r.Version, ErrIncomplete)
	}
	return nil
}

// repository drops the user, password and query secrets of an index URL:
// a notification is read by more people than the release job's settings.
func repository(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		return httpretry.Redact(u)
	}
	return s
}

// marshal writes indented JSON without HTML escaping, so that payloads
// (and the golden files of the tests) read as they are meant.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("notify: encoding the payload: %w", err)
	}
	return buf.Bytes(), nil
}
