package forge

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
)

// gitea is the API of Gitea and Forgejo, under {server}/api/v1.
type gitea struct {
	c           *client
	owner, name string
}

// giteaRelease is a release as Gitea's API gives it.
type giteaRelease struct {
	ID         int64  `json:"id"`
	TagName    string `json:"tag_name"`
	Name       string `json:"name"`
	Body       string `json:"body"`
	Draft      bool   `json:"draft"`
	Prerelease bool   `json:"prerelease"`
	HTMLURL    string `json:"html_url"`
}

func (g giteaRelease) release() *release {
	return &release{id: strconv.FormatInt(g.ID, 10), tag: g.TagName, title: g.Name, notes: g.Body, draft: g.Draft, prerelease: g.Prerelease, page: g.HTMLURL}
}

func (g *gitea) releases(query url.Values, more ...string) string {
	return g.c.url(query, append([]string{"repos", g.owner, g.name, "releases"}, more...)...)
}

// find asks for the release of tag, then looks through the list of
// releases: the by-tag lookup does not return drafts.
func (g *gitea) find(ctx context.Context, tag string) (*release, error) {
	const limit = 50
	page := func(n int) string {
		return g.releases(url.Values{"page": {strconv.Itoa(n)}, "limit": {strconv.Itoa(limit)}})
	}
	return findRelease[giteaRelease](ctx, g.c, tag, g.releases(nil, "tags", tag), page, limit, 20)
}

func (g *gitea) create(ctx context.Context, want release) (*release, error) {
	return sendRelease[giteaRelease](ctx, g.c, "creating release "+want.tag, http.MethodPost, g.releases(nil), editBody(want))
}

func (g *gitea) update(ctx context.Context, old *release, want release) (*release, error) {
	return sendRelease[giteaRelease](ctx, g.c, "updating release "+want.tag, http.MethodPatch, g.releases(nil, old.id), editBody(want))
}

// giteaAsset is an attachment of a release. Gitea gives no digest: its
// sha256 is that of the file downloaded back.
type giteaAsset struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	DownloadURL string `json:"browser_download_url"`
}

func (g *gitea) assets(ctx context.Context, r *release) ([]remote, error) {
	var list []giteaAsset
	if err := g.c.call(ctx, "listing assets of release "+r.tag, http.MethodGet, g.releases(nil, r.id, "assets"), nil, &list); err != nil {
		return nil, err
	}
	out := make([]remote, 0, len(list))
	for _, a := range list {
		out = append(out, remote{name: a.Name, url: a.DownloadURL})
	}
	return out, nil
}

// upload sends the file as the "attachment" field of a multipart form,
// which Gitea's API takes; the form's framing is computed ahead so the
// file streams with an exact Content-Length.
func (g *gitea) upload(ctx context.Context, r *release, a Asset) error {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("attachment", a.Name); err != nil {
		return err
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	if err := mw.Close(); err != nil {
		return err
	}
	suffix := head.Bytes()
	target := g.releases(url.Values{"name": {a.Name}}, r.id, "assets")
	return g.c.upload(ctx, "uploading "+a.Name+" to release "+r.tag, http.MethodPost, target, a.Path, mw.FormDataContentType(), prefix, suffix, nil)
}

func (g *gitea) fields() []string { return []string{"title", "notes", "draft", "prerelease"} }
