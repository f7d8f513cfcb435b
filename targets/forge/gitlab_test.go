package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// No machine-readable description of these endpoints was found on npm (as
// @octokit/openapi is GitHub's), so they are written down here from
// GitLab's REST API documentation: the pages "Releases API"
// (api/releases/index), "Release links API" (api/releases/links) and
// "Generic packages in the package registry"
// (user/packages/generic_packages/index). Each recorded request must be
// one of them, with its path parameters well formed and a JSON body of
// the documented attributes only, required ones present, of the
// documented types.
var gitlabEndpoints = []gitlabEndpoint{
	{op: "get a release", method: http.MethodGet, path: "/projects/:id/releases/:tag_name"},
	{op: "create a release", method: http.MethodPost, path: "/projects/:id/releases", body: map[string]attr{
		"tag_name": {typ: "string", required: true}, "name": {typ: "string"}, "description": {typ: "string"},
		"ref": {typ: "string"}, "tag_message": {typ: "string"}, "milestones": {typ: "array"},
		"assets": {typ: "object"}, "released_at": {typ: "string"},
	}},
	{op: "update a release", method: http.MethodPut, path: "/projects/:id/releases/:tag_name", body: map[string]attr{
		"name": {typ: "string"}, "description": {typ: "string"}, "milestones": {typ: "array"}, "released_at": {typ: "string"},
	}},
	{op: "list links", method: http.MethodGet, path: "/projects/:id/releases/:tag_name/assets/links"},
	{op: "create a link", method: http.MethodPost, path: "/projects/:id/releases/:tag_name/assets/links", body: map[string]attr{
		"name": {typ: "string", required: true}, "url": {typ: "string", required: true},
		"direct_asset_path": {typ: "string"}, "link_type": {typ: "string", enum: []string{"other", "runbook", "image", "package"}},
	}},
	{op: "publish a package file", method: http.MethodPut, path: "/projects/:id/packages/generic/:package_name/:package_version/:file_name",
		query: []string{"status", "select"}, raw: true},
	{op: "download a package file", method: http.MethodGet, path: "/projects/:id/packages/generic/:package_name/:package_version/:file_name"},
}

type gitlabEndpoint struct {
	op, method, path string
	body             map[string]attr
	query            []string // optional query attributes
	raw              bool     // the body is the file itself
}

type attr struct {
	typ      string
	required bool
	enum     []string
}

// gitlabParam are the documented forms of path parameters: the project's
// id or URL-encoded path, and the generic package's name, version and file
// name.
var gitlabParam = map[string]*regexp.Regexp{
	"id":              regexp.MustCompile(`^(?:[0-9]+|[A-Za-z0-9_.-]+(?:%2F[A-Za-z0-9_.-]+)+)$`),
	"tag_name":        regexp.MustCompile(`^[^/]+$`),
	"package_name":    regexp.MustCompile(`^[A-Za-z0-9._-]+$`),
	"package_version": regexp.MustCompile(`^(?:[0-9A-Za-z_-]+\.)*[0-9A-Za-z_-]+(?:\+[0-9A-Za-z.-]+)?$`),
	"file_name":       regexp.MustCompile(`^[A-Za-z0-9._+~-]+$`),
}

// match finds the endpoint of a request and its path parameters.
func (e gitlabEndpoint) match(method, path string) (map[string]string, bool) {
	want, got := strings.Split(e.path, "/"), strings.Split(path, "/")
	if method != e.method || len(want) != len(got) {
		return nil, false
	}
	params := map[string]string{}
	for i, w := range want {
		if name, ok := strings.CutPrefix(w, ":"); ok {
			params[name] = got[i]
		} else if w != got[i] {
			return nil, false
		}
	}
	return params, true
}

// checkGitLab returns the documented endpoint of a request and what is
// wrong with it.
func checkGitLab(rec recorded, prefix string) (gitlabEndpoint, map[string]string, []string) {
	path := strings.TrimPrefix(rec.Path, prefix)
	for _, e := range gitlabEndpoints {
		params, ok := e.match(rec.Method, path)
		if !ok {
			continue
		}
		var bad []string
		for name, v := range params {
			if !gitlabParam[name].MatchString(v) {
				bad = append(bad, fmt.Sprintf("%s: path parameter %s = %q is not of the documented form", e.op, name, v))
			}
		}
		for k := range rec.Query {
			if !slices.Contains(e.query, k) {
				bad = append(bad, fmt.Sprintf("%s: query attribute %q is not documented", e.op, k))
			}
		}
		bad = append(bad, e.checkBody(rec)...)
		return e, params, bad
	}
	return gitlabEndpoint{}, nil, []string{fmt.Sprintf("%s %s: not a documented endpoint", rec.Method, path)}
}

func (e gitlabEndpoint) checkBody(rec recorded) []string {
	switch {
	case e.raw || len(rec.Body) == 0 && e.body == nil:
		return nil
	case e.body == nil:
		return []string{e.op + ": a body is sent to an endpoint that takes none"}
	case !strings.HasPrefix(rec.Header.Get("Content-Type"), "application/json"):
		return []string{e.op + ": the body is not sent as JSON"}
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body, &body); err != nil {
		return []string{fmt.Sprintf("%s: body: %v", e.op, err)}
	}
	var bad []string
	for name, a := range e.body {
		if _, ok := body[name]; a.required && !ok {
			bad = append(bad, fmt.Sprintf("%s: required attribute %q missing", e.op, name))
		}
	}
	for name, v := range body {
		a, ok := e.body[name]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: attribute %q is not documented", e.op, name))
		case !hasType(v, a.typ):
			bad = append(bad, fmt.Sprintf("%s: attribute %q = %v is not a %s", e.op, name, v, a.typ))
		case a.enum != nil && !slices.Contains(a.enum, fmt.Sprint(v)):
			bad = append(bad, fmt.Sprintf("%s: attribute %q = %v is not one of %v", e.op, name, v, a.enum))
		}
	}
	return bad
}

// fakeGitLab plays the documented endpoints, its package downloads
// redirected to object storage on another origin as GitLab does with
// object storage.
type fakeGitLab struct {
	api, storage *httptest.Server
	token        string
	header       string // JOB-TOKEN or PRIVATE-TOKEN
	mu           sync.Mutex
	releases     map[string]map[string]any // by tag
	links        map[string][]map[string]any
	files        map[string][]byte // by package path
	ops          []string
	bad          []string
	failPuts     int
	refs         []string // the ref of each create
}

func newFakeGitLab(t *testing.T) *fakeGitLab {
	f := &fakeGitLab{token: "glcbt-faketoken0123456789abcdef", header: "JOB-TOKEN",
		releases: map[string]map[string]any{}, links: map[string][]map[string]any{}, files: map[string][]byte{}}
	f.api = httptest.NewServer(http.HandlerFunc(f.serve))
	f.storage = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ops = append(f.ops, "storage")
		for _, h := range []string{"Job-Token", "Private-Token", "Authorization"} {
			if r.Header.Get(h) != "" {
				f.bad = append(f.bad, "the token followed the redirect to object storage in "+h)
			}
		}
		data, ok := f.files[r.URL.Query().Get("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(f.api.Close)
	t.Cleanup(f.storage.Close)
	return f
}

func (f *fakeGitLab) serve(w http.ResponseWriter, r *http.Request) {
	rec := record(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	e, p, bad := checkGitLab(rec, "/api/v4")
	f.bad = append(f.bad, bad...)
	f.ops = append(f.ops, e.op)
	if got := rec.Header.Get(f.header); got != f.token {
		f.bad = append(f.bad, fmt.Sprintf("%s: %s header %q, want the token", e.op, f.header, got))
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	tag, _ := url.PathUnescape(p["tag_name"])
	var body map[string]any
	_ = json.Unmarshal(rec.Body, &body)
	file := strings.Join([]string{p["package_name"], p["package_version"], p["file_name"]}, "/")
	switch e.op {
	case "get a release":
		if rel, ok := f.releases[tag]; ok {
			reply(http.StatusOK, rel)
			return
		}
		reply(http.StatusNotFound, map[string]any{"message": "404 Not Found"})
	case "create a release":
		tag := body["tag_name"].(string)
		f.refs = append(f.refs, fmt.Sprint(body["ref"]))
		f.releases[tag] = map[string]any{"tag_name": tag, "name": body["name"], "description": body["description"],
			"_links": map[string]any{"self": f.api.URL + "/-/releases/" + tag}}
		reply(http.StatusCreated, f.releases[tag])
	case "update a release":
		f.releases[tag]["name"], f.releases[tag]["description"] = body["name"], body["description"]
		reply(http.StatusOK, f.releases[tag])
	case "list links":
		reply(http.StatusOK, append([]map[string]any{}, f.links[tag]...))
	case "create a link":
		link := map[string]any{"id": len(f.links[tag]) + 1, "name": body["name"], "url": body["url"], "link_type": body["link_type"]}
		f.links[tag] = append(f.links[tag], link)
		reply(http.StatusCreated, link)
	case "publish a package file":
		if f.failPuts > 0 {
			f.failPuts--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		f.files[file] = rec.Body
		reply(http.StatusCreated, map[string]any{"message": "201 Created"})
	case "download a package file":
		if _, ok := f.files[file]; !ok {
			reply(http.StatusNotFound, map[string]any{"message": "404 Package Not Found"})
			return
		}
		http.Redirect(w, r, f.storage.URL+"/bucket?"+url.Values{"file": {file}}.Encode(), http.StatusFound)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *fakeGitLab) since(from int) ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ops[from:]), len(f.ops)
}

// TestPublishToGitLabAsDocumented drives Publish against a fake of
// GitLab's documented releases, release links and generic packages
// endpoints, checking every request against them: a first publish with
// CI_JOB_TOKEN through a 503, a second that uploads nothing, a run that
// finds a file already in the package (a run stopped before linking it),
// notes updated, and a changed asset refused. Package downloads are
// redirected to another origin, which must not receive the token.
func TestPublishToGitLabAsDocumented(t *testing.T) {
	f := newFakeGitLab(t)
	f.failPuts = 1
	dir := t.TempDir()
	archive, sums := filepath.Join(dir, "greet-1.3.0-linux-x86_64.tar.gz"), filepath.Join(dir, "SHA256SUMS")
	writeFile(t, archive, randomBytes(t, 100<<10))
	writeFile(t, sums, []byte("abc  greet-1.3.0-linux-x86_64.tar.gz\n"))
	o := Options{
		Kind: GitLab, URL: f.api.URL + "/api/v4", Repository: "group/greet", Token: f.token, JobToken: true,
		Tag: "v1.3.0", Commit: "0123456789abcdef0123456789abcdef01234567", Title: "greet 1.3.0", Notes: "- Greets in French.", Prerelease: true,
		Assets: []Asset{{Path: archive}, {Path: sums}}, Package: "greet", Version: "1.3.0",
		Retry: httpretry.Policy{Sleep: func(context.Context, time.Duration) error { return nil }},
	}
	ctx := context.Background()
	check := func(step string, from int, want ...string) int {
		t.Helper()
		got, next := f.since(from)
		if !slices.Equal(got, want) {
			t.Errorf("%s: requests\n%q\nwant\n%q", step, got, want)
		}
		return next
	}

	res, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Assets[0].Status != Uploaded || res.Assets[1].Status != Uploaded || res.URL == "" {
		t.Errorf("first publish: %+v", res)
	}
	upload := []string{"download a package file", "publish a package file", "create a link"}
	// The first file's upload is answered 503 once, and sent again.
	next := check("first publish", 0, slices.Concat([]string{"get a release", "create a release"},
		upload[:2], upload[1:], upload)...)
	if !slices.Equal(f.refs, []string{o.Commit}) {
		t.Errorf("ref of the creates: %q, want the tag's commit", f.refs)
	}
	if got := f.files["greet/1.3.0/greet-1.3.0-linux-x86_64.tar.gz"]; len(got) != 100<<10 {
		t.Errorf("the archive arrived with %d bytes", len(got))
	}
	if link := f.links["v1.3.0"][0]; link["link_type"] != "package" || !strings.HasSuffix(link["url"].(string), "/projects/group%2Fgreet/packages/generic/greet/1.3.0/greet-1.3.0-linux-x86_64.tar.gz") {
		t.Errorf("link = %v", link)
	}

	res, err = Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || len(res.Updated) != 0 || res.Assets[0].Status != Present || res.Assets[1].Status != Present {
		t.Errorf("second publish: %+v", res)
	}
	download := []string{"download a package file", "storage"}
	next = check("second publish", next, slices.Concat([]string{"get a release", "list links"}, download, download)...)

	// A run stopped between the upload and the link: the file is in the
	// package and is linked without uploading it again.
	f.links["v1.3.0"] = f.links["v1.3.0"][:1]
	o.Notes = "- Greets in French and German."
	res, err = Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Updated, []string{"notes"}) || res.Assets[1].Status != Uploaded {
		t.Errorf("third publish: %+v", res)
	}
	next = check("relinking", next, slices.Concat([]string{"get a release", "list links"}, download,
		[]string{"update a release"}, download, []string{"create a link"})...)

	writeFile(t, sums, []byte("changed\n"))
	_, err = Publish(ctx, o)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Name != "SHA256SUMS" || !errors.Is(err, ErrConflict) {
		t.Errorf("a changed SHA256SUMS: err = %v, want a conflict", err)
	}
	check("changed asset", next, slices.Concat([]string{"get a release", "list links"}, download, download)...)

	for _, b := range f.bad {
		t.Error(b)
	}
}

// TestGitLabPrivateToken sends a personal or project token as
// PRIVATE-TOKEN, and refuses a draft, which GitLab releases cannot be.
func TestGitLabPrivateToken(t *testing.T) {
	f := newFakeGitLab(t)
	f.header, f.token = "PRIVATE-TOKEN", "glpat-faketoken0123456789abcdef"
	o := Options{Kind: GitLab, URL: f.api.URL + "/api/v4", Repository: "42", Token: f.token, Tag: "v2.0.0"}
	if _, err := Publish(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if rel := f.releases["v2.0.0"]; rel == nil || rel["name"] != "v2.0.0" {
		t.Errorf("release = %v, want one named after its tag", rel)
	}
	o.Draft = true
	if _, err := Publish(context.Background(), o); !errors.Is(err, ErrOptions) {
		t.Errorf("a draft on GitLab: err = %v, want ErrOptions", err)
	}
	for _, b := range f.bad {
		t.Error(b)
	}
}
