// Package forge owns a version's release page on a code forge — GitHub,
// GitLab, or Gitea and Forgejo, each through its own REST API: Publish
// creates the release of a tag, or finds it, keeps its title, notes and
// flags as asked, and attaches the asset files (archives, installers, their
// checksums) once. Like uploads to a package index, publishing is
// idempotent: an asset the release has with the same sha256 is left as it
// is, and one with the same name and other bytes is refused, never
// replaced.
package forge

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
)

// Kinds of forge.
const (
	GitHub = "github"
	GitLab = "gitlab"
	Gitea  = "gitea" // Gitea and Forgejo, which share the API
)

// Options says what to publish where.
type Options struct {
	Kind string // GitHub, GitLab or Gitea
	// URL is the base of the REST API: GITHUB_API_URL for GitHub,
	// {server}/api/v4 for GitLab (CI_API_V4_URL), {server}/api/v1 for
	// Gitea.
	URL string
	// Repository is "owner/name"; for GitLab a project id or path.
	Repository string
	// Token is the credential: a GitHub token (Authorization: Bearer), a
	// Gitea token (Authorization: token), a GitLab personal, project or
	// group token (PRIVATE-TOKEN), or with JobToken GitLab's CI_JOB_TOKEN
	// (JOB-TOKEN). It is registered with redact, so no output shows it.
	Token    string
	JobToken bool

	Tag string // the release's tag
	// Commit is the tag's commit: a forge that does not have the tag yet
	// creates it there, rather than at the head of the default branch.
	// "" leaves it to the forge.
	Commit     string
	Title      string // the release's name; "" = the tag
	Notes      string // the release notes, markdown
	Prerelease bool   // mark the release as a pre-release (GitLab has no such mark)
	Draft      bool   // create the release as a draft (not on GitLab)

	Assets []Asset // files to attach; names must be unique

	// Package and Version name the GitLab generic package the assets are
	// uploaded to before the release links them; "" = the repository's last
	// path segment, and the tag without a leading "v".
	Package, Version string

	// DryRun reads the forge and reports what it would do, changing nothing.
	DryRun bool

	HTTP  *http.Client     // nil = http.DefaultClient
	Retry httpretry.Policy // how requests are retried
	Log   *slog.Logger     // progress; nil = none
}

// Asset is a file to attach to the release.
type Asset struct {
	Name   string // the asset's name on the release; "" = the file's base name
	Path   string // the local file
	SHA256 string // hex; "" = computed from the file. A file that differs is refused (ErrChanged)
}

// Status is what Publish did with an asset.
type Status string

// Statuses of assets.
const (
	Uploaded    Status = "uploaded"
	Present     Status = "present"      // the release has it with the same sha256
	WouldUpload Status = "would upload" // a dry run's
)

// AssetResult is one asset's outcome.
type AssetResult struct {
	Name   string
	SHA256 string
	Status Status
}

// Result is what Publish did.
type Result struct {
	URL     string   // the release's page, when the forge gives it
	Created bool     // the release was created (or, in a dry run, would be)
	Updated []string // fields of an existing release that were changed: "title", "notes", "draft", "prerelease"
	Assets  []AssetResult
}

// release is a release as the forges have it in common.
type release struct {
	id                string // the forge's id (GitLab: the tag)
	tag, title, notes string
	commit            string // where a missing tag is created
	draft, prerelease bool
	page              string // the release's web page
	upload            string // GitHub: where assets are uploaded to
}

// remote is an asset the release has.
type remote struct {
	name   string
	sha256 string // "" when the listing gives no digest: download it
	url    string // where to download it back from
	accept string // the Accept header of that download
}

// api is one forge's REST API.
type api interface {
	find(ctx context.Context, tag string) (*release, error) // nil, nil: no release of tag
	create(ctx context.Context, want release) (*release, error)
	update(ctx context.Context, old *release, want release) (*release, error)
	assets(ctx context.Context, r *release) ([]remote, error)
	upload(ctx context.Context, r *release, a Asset) error
	// fields are the release fields the forge keeps: GitLab has no flags.
	fields() []string
}

// Publish creates the release of o.Tag on the forge, or finds it, and
// attaches o.Assets. An existing release keeps its title, notes and flags
// unless they differ from o's, when they are updated (Result.Updated). An
// asset the release already has with the same sha256 is not uploaded
// again; one with another sha256 stops Publish before anything is changed
// (a *ConflictError). The sha256 of an asset on the forge is the digest
// its API gives, else that of the asset downloaded back.
func Publish(ctx context.Context, o Options) (Result, error) {
	redact.Add(o.Token)
	if err := o.check(); err != nil {
		return Result{}, err
	}
	assets, err := localAssets(ctx, o)
	if err != nil {
		return Result{}, err
	}
	c, err := newAPIClient(o)
	if err != nil {
		return Result{}, err
	}
	a := newAPI(o, c)
	want := release{tag: o.Tag, commit: o.Commit, title: o.Title, notes: o.Notes, draft: o.Draft, prerelease: o.Prerelease}
	if want.title == "" {
		want.title = o.Tag
	}
	if o.Kind == GitLab && o.Prerelease {
		o.logf("GitLab releases have no pre-release mark: the release is not marked as one", "tag", o.Tag)
	}
	var res Result
	rel, err := a.find(ctx, o.Tag)
	if err != nil {
		return Result{}, err
	}
	var have map[string]string
	if rel != nil {
		if have, err = o.remoteDigests(ctx, a, c, rel, assets); err != nil {
			return Result{}, err
		}
		if rel, res.Updated, err = o.updateRelease(ctx, a, rel, want); err != nil {
			return Result{}, err
		}
	} else {
		res.Created = true
		o.logf("creating release", "tag", o.Tag)
		if !o.DryRun {
			if rel, err = create(ctx, a, want); err != nil {
				return Result{}, err
			}
		}
	}
	if rel != nil {
		res.URL = rel.page
	}
	for _, as := range assets {
		r := AssetResult{Name: as.Name, SHA256: as.SHA256, Status: Present}
		if _, ok := have[as.Name]; !ok {
			r.Status = WouldUpload
			if !o.DryRun {
				o.logf("uploading", "asset", as.Name)
				if err := o.upload(ctx, a, c, rel, as); err != nil {
					return res, err
				}
				r.Status = Uploaded
			}
		}
		res.Assets = append(res.Assets, r)
	}
	return res, nil
}

// create creates the release. A create the forge refuses as a duplicate
// (409, 422) is a release that appeared meanwhile, or whose first create
// succeeded before its answer was lost and was sent again: it is found
// instead.
func create(ctx context.Context, a api, want release) (*release, error) {
	rel, err := a.create(ctx, want)
	if err != nil && isStatus(err, http.StatusConflict, http.StatusUnprocessableEntity) {
		if found, ferr := a.find(ctx, want.tag); ferr == nil && found != nil {
			return found, nil
		}
	}
	return rel, err
}

// upload attaches an asset. An upload the forge refuses as a duplicate
// (409, 422) is often one whose first attempt arrived and whose answer was
// lost, then sent again: the asset is looked at, and is fine when it has
// the file's sha256.
func (o Options) upload(ctx context.Context, a api, c *client, rel *release, as Asset) error {
	err := a.upload(ctx, rel, as)
	if err == nil || !isStatus(err, http.StatusConflict, http.StatusUnprocessableEntity) {
		return err
	}
	have, derr := o.remoteDigests(ctx, a, c, rel, []Asset{as})
	if derr != nil {
		return derr
	}
	if _, ok := have[as.Name]; !ok {
		return err
	}
	return nil
}

// remoteDigests returns the sha256 of each of the release's assets that
// has a name of assets, and fails on the first that differs.
func (o Options) remoteDigests(ctx context.Context, a api, c *client, rel *release, assets []Asset) (map[string]string, error) {
	remotes, err := a.assets(ctx, rel)
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	for _, as := range assets {
		i := slices.IndexFunc(remotes, func(r remote) bool { return r.name == as.Name })
		if i < 0 {
			continue
		}
		r := remotes[i]
		sum := r.sha256
		if sum == "" {
			if sum, err = c.digest(ctx, "downloading asset "+as.Name+" of release "+o.Tag, r.url, r.accept); err != nil {
				return nil, err
			}
		}
		if sum != as.SHA256 {
			return nil, &ConflictError{Forge: o.Kind, Tag: o.Tag, Name: as.Name, Local: as.SHA256, Remote: sum}
		}
		have[as.Name] = sum
	}
	return have, nil
}

// updateRelease brings an existing release's fields to want's, when they
// differ, and says which ones it changed.
func (o Options) updateRelease(ctx context.Context, a api, rel *release, want release) (*release, []string, error) {
	var changed []string
	for _, f := range a.fields() {
		differs := map[string]bool{
			"title":      rel.title != want.title,
			"notes":      normalizeNotes(rel.notes) != normalizeNotes(want.notes),
			"draft":      rel.draft != want.draft,
			"prerelease": rel.prerelease != want.prerelease,
		}[f]
		if differs {
			changed = append(changed, f)
		}
	}
	if len(changed) == 0 || o.DryRun {
		return rel, changed, nil
	}
	o.logf("updating release", "tag", o.Tag, "fields", strings.Join(changed, ", "))
	updated, err := a.update(ctx, rel, want)
	return updated, changed, err
}

// normalizeNotes makes notes comparable across forges that store them with
// other line endings or without the final newline.
func normalizeNotes(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

func (o Options) logf(msg string, args ...any) {
	if o.Log != nil {
		o.Log.Info(msg, append([]any{"forge", o.Kind, "repository", o.Repository}, args...)...)
	}
}

// check refuses options Publish cannot act on.
func (o Options) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("forge: %s: "+format+": %w", append(append([]any{o.Kind}, args...), ErrOptions)...)
	}
	switch {
	case o.Kind != GitHub && o.Kind != GitLab && o.Kind != Gitea:
		return fmt.Errorf("forge: kind %q: expected %q, %q or %q: %w", o.Kind, GitHub, GitLab, Gitea, ErrOptions)
	case o.Repository == "":
		return bad("no repository: expected \"owner/name\" or a GitLab project id")
	case o.Kind != GitLab && strings.Count(o.Repository, "/") != 1:
		return bad("repository %q: expected \"owner/name\"", o.Repository)
	case o.Tag == "":
		return bad("no tag to release")
	case o.Kind == GitLab && o.Draft:
		return bad("release %s: GitLab releases have no drafts", o.Tag)
	}
	return nil
}

// localAssets names each asset, checks the names are unique, and hashes
// the files (or checks them against the sha256 given).
func localAssets(ctx context.Context, o Options) ([]Asset, error) {
	out := make([]Asset, 0, len(o.Assets))
	seen := map[string]bool{}
	for _, a := range o.Assets {
		if a.Name == "" {
			a.Name = baseName(a.Path)
		}
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\") {
			return nil, fmt.Errorf("forge: asset %q (%s): expected a plain file name: %w", a.Name, a.Path, ErrOptions)
		}
		if seen[a.Name] {
			return nil, fmt.Errorf("forge: asset %s given twice: %w", a.Name, ErrOptions)
		}
		seen[a.Name] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sum, _, err := dist.Hash(a.Path)
		if err != nil {
			return nil, fmt.Errorf("forge: asset %s: %w", a.Name, err)
		}
		if a.SHA256 != "" && !strings.EqualFold(a.SHA256, sum) {
			return nil, fmt.Errorf("forge: asset %s: %s has sha256 %s, expected %s: %w", a.Name, a.Path, sum, a.SHA256, ErrChanged)
		}
		a.SHA256 = sum
		out = append(out, a)
	}
	return out, nil
}

func baseName(path string) string {
	i := strings.LastIndexAny(path, "/\\")
	return path[i+1:]
}

// newAPI returns the API of o's forge, which c speaks to.
func newAPI(o Options, c *client) api {
	owner, name, _ := strings.Cut(o.Repository, "/")
	switch o.Kind {
	case GitHub:
		return &github{c: c, owner: owner, name: name}
	case GitLab:
		return newGitLab(c, o)
	}
	return &gitea{c: c, owner: owner, name: name}
}

// newAPIClient returns the HTTP client of o's forge, with its credentials.
func newAPIClient(o Options) (*client, error) {
	switch o.Kind {
	case GitHub:
		c, err := newClient(o, bearer("Bearer", o.Token))
		if err == nil {
			c.headers["Accept"] = "application/vnd.github+json"
			c.headers["X-GitHub-Api-Version"] = githubAPIVersion
		}
		return c, err
	case GitLab:
		header := "PRIVATE-TOKEN"
		if o.JobToken {
			header = "JOB-TOKEN"
		}
		return newClient(o, func(h http.Header) {
			if o.Token != "" {
				h.Set(header, o.Token)
			}
		}, "PRIVATE-TOKEN", "JOB-TOKEN")
	}
	c, err := newClient(o, bearer("token", o.Token))
	if err == nil {
		c.headers["Accept"] = "application/json"
	}
	return c, err
}

func bearer(scheme, token string) func(h http.Header) {
	return func(h http.Header) {
		if token != "" {
			h.Set("Authorization", scheme+" "+token)
		}
	}
}
