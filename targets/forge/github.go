package forge

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// githubAPIVersion is the REST API version the requests are written for.
const githubAPIVersion = "2022-11-28"

// github is GitHub's REST API, at GITHUB_API_URL. Assets go to the upload
// host the release names in its upload_url.
type github struct {
	c           *client
	owner, name string
}

// githubRelease is a release as GitHub's API gives it.
type githubRelease struct {
	ID         int64  `json:"id"`
	TagName    string `json:"tag_name"`
	Name       string `json:"name"`
	Body       string `json:"body"`
	Draft      bool   `json:"draft"`
	Prerelease bool   `json:"prerelease"`
	HTMLURL    string `json:"html_url"`
	UploadURL  string `json:"upload_url"`
}

func (g githubRelease) release() *release {
	return &release{id: strconv.FormatInt(g.ID, 10), tag: g.TagName, title: g.Name, notes: g.Body,
		draft: g.Draft, prerelease: g.Prerelease, page: g.HTMLURL, upload: g.UploadURL}
}

// releaseEdit is the body of a create or an update of a release, as
// GitHub's API takes it (repos/create-release, repos/update-release) and
// Gitea's, which follows it.
type releaseEdit struct {
	TagName    string `json:"tag_name"`
	Target     string `json:"target_commitish,omitempty"`
	Name       string `json:"name"`
	Body       string `json:"body"`
	Draft      bool   `json:"draft"`
	Prerelease bool   `json:"prerelease"`
}

func editBody(r release) releaseEdit {
	return releaseEdit{TagName: r.tag, Target: r.commit, Name: r.title, Body: r.notes, Draft: r.draft, Prerelease: r.prerelease}
}

func (g *github) releases(query url.Values, more ...string) string {
	return g.c.url(query, append([]string{"repos", g.owner, g.name, "releases"}, more...)...)
}

// find asks for the release of tag (repos/get-release-by-tag), then looks
// through the list of releases (repos/list-releases): the by-tag lookup
// does not see drafts.
func (g *github) find(ctx context.Context, tag string) (*release, error) {
	// The tag is one parameter that may span segments (pkg/v1.0).
	byTag := g.releases(nil, append([]string{"tags"}, strings.Split(tag, "/")...)...)
	const perPage = 100
	page := func(n int) string {
		return g.releases(url.Values{"per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(n)}})
	}
	return findRelease[githubRelease](ctx, g.c, tag, byTag, page, perPage, 10)
}

func (g *github) create(ctx context.Context, want release) (*release, error) {
	return sendRelease[githubRelease](ctx, g.c, "creating release "+want.tag, http.MethodPost, g.releases(nil), editBody(want))
}

func (g *github) update(ctx context.Context, old *release, want release) (*release, error) {
	return sendRelease[githubRelease](ctx, g.c, "updating release "+want.tag, http.MethodPatch, g.releases(nil, old.id), editBody(want))
}

// githubAsset is a release asset; digest is "sha256:<hex>" on assets
// uploaded since GitHub computes it, null on older ones.
type githubAsset struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	URL    string  `json:"url"`
	Digest *string `json:"digest"`
}

func (g *github) assets(ctx context.Context, r *release) ([]remote, error) {
	const perPage = 100
	var out []remote
	for page := 1; ; page++ {
		var list []githubAsset
		q := url.Values{"per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(page)}}
		if err := g.c.call(ctx, "listing assets of release "+r.tag, http.MethodGet, g.releases(q, r.id, "assets"), nil, &list); err != nil {
			return nil, err
		}
		for _, a := range list {
			rem := remote{name: a.Name, url: a.URL, accept: "application/octet-stream"}
			if a.Digest != nil {
				if sum, ok := strings.CutPrefix(*a.Digest, "sha256:"); ok {
					rem.sha256 = strings.ToLower(sum)
				}
			}
			out = append(out, rem)
		}
		if len(list) < perPage {
			return out, nil
		}
	}
}

// upload posts the file to the release's upload_url, a URI template
// ("{?name,label}") whose host is the upload host.
func (g *github) upload(ctx context.Context, r *release, a Asset) error {
	base, _, _ := strings.Cut(r.upload, "{")
	if base == "" {
		base = g.releases(nil, r.id, "assets")
	}
	target := base + "?" + url.Values{"name": {a.Name}}.Encode()
	var got githubAsset
	if err := g.c.upload(ctx, "uploading "+a.Name+" to release "+r.tag, http.MethodPost, target, a.Path, "application/octet-stream", nil, nil, &got); err != nil {
		return err
	}
	// The digest GitHub computed says whether what arrived is what was sent.
	if got.Digest != nil {
		if sum, ok := strings.CutPrefix(*got.Digest, "sha256:"); ok && !strings.EqualFold(sum, a.SHA256) {
			return fmt.Errorf("forge: github: release %s: %s arrived with sha256 %s, not the %s sent (delete the asset and publish again): %w", r.tag, a.Name, sum, a.SHA256, ErrCorrupt)
		}
	}
	return nil
}

func (g *github) fields() []string { return []string{"title", "notes", "draft", "prerelease"} }
