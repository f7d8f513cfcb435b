package forge

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// gitlab is GitLab's REST API, under {server}/api/v4 (CI_API_V4_URL). A
// GitLab release holds links, not files: each asset is uploaded to the
// project's generic package registry and the release links to it. GitLab
// releases have neither drafts nor a pre-release mark.
type gitlab struct {
	c            *client
	project      string // id or path, escaped as one segment
	pkg, version string
}

func newGitLab(c *client, o Options) *gitlab {
	g := &gitlab{c: c, project: o.Repository, pkg: o.Package, version: o.Version}
	if g.pkg == "" {
		g.pkg = path.Base(o.Repository)
	}
	if g.version == "" {
		g.version = strings.TrimPrefix(o.Tag, "v")
	}
	return g
}

// gitlabRelease is a release as GitLab's API gives it.
type gitlabRelease struct {
	TagName     string `json:"tag_name"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Links       struct {
		Self string `json:"self"`
	} `json:"_links"`
}

func (g gitlabRelease) release() *release {
	return &release{id: g.TagName, tag: g.TagName, title: g.Name, notes: g.Description, page: g.Links.Self}
}

// gitlabEdit is the body of a create (with the tag) or an update.
type gitlabEdit struct {
	TagName     string `json:"tag_name,omitempty"`
	Ref         string `json:"ref,omitempty"` // where a missing tag is created
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (g *gitlab) url(query url.Values, more ...string) string {
	return g.c.url(query, append([]string{"projects", g.project}, more...)...)
}

func (g *gitlab) find(ctx context.Context, tag string) (*release, error) {
	var r gitlabRelease
	err := g.c.call(ctx, "looking up release "+tag, http.MethodGet, g.url(nil, "releases", tag), nil, &r)
	if isStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.release(), nil
}

func (g *gitlab) create(ctx context.Context, want release) (*release, error) {
	body := gitlabEdit{TagName: want.tag, Ref: want.commit, Name: want.title, Description: want.notes}
	return sendRelease[gitlabRelease](ctx, g.c, "creating release "+want.tag, http.MethodPost, g.url(nil, "releases"), body)
}

func (g *gitlab) update(ctx context.Context, old *release, want release) (*release, error) {
	body := gitlabEdit{Name: want.title, Description: want.notes}
	return sendRelease[gitlabRelease](ctx, g.c, "updating release "+want.tag, http.MethodPut, g.url(nil, "releases", old.id), body)
}

// gitlabLink is a release's asset link, as listed and as created.
type gitlabLink struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	LinkType string `json:"link_type,omitempty"`
}

// assets lists the release's links; GitLab documents no paging for them.
func (g *gitlab) assets(ctx context.Context, r *release) ([]remote, error) {
	var links []gitlabLink
	if err := g.c.call(ctx, "listing links of release "+r.tag, http.MethodGet, g.url(nil, "releases", r.id, "assets", "links"), nil, &links); err != nil {
		return nil, err
	}
	out := make([]remote, 0, len(links))
	for _, l := range links {
		out = append(out, remote{name: l.Name, url: l.URL})
	}
	return out, nil
}

// packageFile is where the generic package registry keeps a file.
func (g *gitlab) packageFile(name string) string {
	return g.url(nil, "packages", "generic", g.pkg, g.version, name)
}

// upload puts the file into the generic package, unless a run that
// stopped before linking it already did, then links it from the release.
func (g *gitlab) upload(ctx context.Context, r *release, a Asset) error {
	file := g.packageFile(a.Name)
	doing := "uploading " + a.Name + " to package " + g.pkg + " " + g.version
	sum, err := g.c.digest(ctx, "looking for "+a.Name+" in package "+g.pkg+" "+g.version, file, "")
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound:
		if err := g.c.upload(ctx, doing, http.MethodPut, file, a.Path, "application/octet-stream", nil, nil, nil); err != nil {
			return err
		}
	case err != nil:
		return err
	case sum != a.SHA256:
		return &ConflictError{Forge: GitLab, Tag: r.tag, Name: a.Name + " (package " + g.pkg + " " + g.version + ")", Local: a.SHA256, Remote: sum}
	}
	link := gitlabLink{Name: a.Name, URL: file, LinkType: "package"}
	return g.c.call(ctx, "linking "+a.Name+" from release "+r.tag, http.MethodPost, g.url(nil, "releases", r.id, "assets", "links"), link, nil)
}

func (g *gitlab) fields() []string { return []string{"title", "notes"} }
