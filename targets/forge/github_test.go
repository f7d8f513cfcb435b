package forge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// fakeGitHub plays GitHub's REST API from its published description:
// every request is checked against the operation it names, and every
// answer is the description's example of that answer with the state of
// the fake written over it, checked against the answer's schema. Assets
// are uploaded to a second server, as upload_url points to another host,
// and downloaded back through a redirect to a third origin (storage).
type fakeGitHub struct {
	t      *testing.T
	spec   *openAPI
	token  string
	api    *httptest.Server
	up     *httptest.Server
	mu     sync.Mutex
	nextID int64
	rels   []*ghRelease
	reqs   []recorded
	bad    []string
	// failUploads is how many upload attempts get a 502 first.
	failUploads int
	// locked is a repository whose releases the token may not create.
	locked string
	// corrupt makes the next upload arrive with a byte changed.
	corrupt bool
	// loseAnswer keeps the next upload and answers it 502, as when the
	// answer is lost on the way back.
	loseAnswer bool
	// commits are the target_commitish of each create.
	commits []string
}

type ghRelease struct {
	id                      int64
	owner, repo, tag, title string
	body                    string
	draft, pre              bool
	assets                  []*ghAsset
}

type ghAsset struct {
	id       int64
	name     string
	data     []byte
	noDigest bool // uploaded before GitHub computed digests
}

func newFakeGitHub(t *testing.T, spec *openAPI) *fakeGitHub {
	f := &fakeGitHub{t: t, spec: spec, token: "ghp_faketoken0123456789abcdefghij", nextID: 100}
	f.api = httptest.NewServer(http.HandlerFunc(f.serve))
	f.up = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.api.Close)
	t.Cleanup(f.up.Close)
	return f
}

func (f *fakeGitHub) problem(format string, args ...any) {
	f.bad = append(f.bad, fmt.Sprintf(format, args...))
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	rec := record(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := strings.CutPrefix(rec.Path, "/storage/"); ok {
		// The storage host a download is redirected to: not the API.
		if rec.Header.Get("Authorization") != "" {
			f.problem("the token followed the redirect to another origin: %s", rec.Path)
		}
		f.reqs = append(f.reqs, recorded{Method: rec.Method, Path: rec.Path, Op: "storage"})
		if a := f.asset(id); a != nil {
			_, _ = w.Write(a.data)
			return
		}
		http.NotFound(w, r)
		return
	}
	f.bad = append(f.bad, f.spec.check(&rec)...)
	if got := rec.Header.Get("Authorization"); got != "Bearer "+f.token {
		f.problem("%s %s: Authorization %q, want the bearer token", rec.Method, rec.Path, got)
	}
	if rec.Header.Get("X-GitHub-Api-Version") == "" || !strings.Contains(rec.Header.Get("Accept"), "json") && rec.Op != "repos/get-release-asset" {
		f.problem("%s %s: no API version or JSON Accept header: %v", rec.Method, rec.Path, rec.Header)
	}
	onUploadHost := r.Host == strings.TrimPrefix(f.up.URL, "http://")
	if onUploadHost != (rec.Op == "repos/upload-release-asset") {
		f.problem("%s went to the wrong host %s", rec.Op, r.Host)
	}
	f.reqs = append(f.reqs, rec)
	p := f.spec.pathParams(rec.Template, rec.Path)
	f.answer(w, rec, p)
}

// answer plays the operation rec was matched to.
func (f *fakeGitHub) answer(w http.ResponseWriter, rec recorded, p map[string]string) {
	rel := f.release(p)
	switch rec.Op {
	case "repos/get-release-by-tag":
		for _, r := range f.rels {
			if r.owner == p["owner"] && r.repo == p["repo"] && r.tag == p["tag"] && !r.draft {
				f.reply(w, rec, "200", f.releaseJSON(rec, r))
				return
			}
		}
		f.reply(w, rec, "404", map[string]any{"message": "Not Found", "status": "404"})
	case "repos/list-releases":
		list := []any{}
		if rec.Query.Get("page") == "1" {
			for _, r := range f.rels {
				if r.owner == p["owner"] && r.repo == p["repo"] {
					list = append(list, f.releaseJSON(rec, r))
				}
			}
		}
		f.reply(w, rec, "200", list)
	case "repos/create-release":
		f.create(w, rec, p)
	case "repos/update-release":
		var body map[string]any
		_ = json.Unmarshal(rec.Body, &body)
		rel.title, rel.body = body["name"].(string), body["body"].(string)
		rel.draft, rel.pre = body["draft"].(bool), body["prerelease"].(bool)
		f.reply(w, rec, "200", f.releaseJSON(rec, rel))
	case "repos/list-release-assets":
		list := []any{}
		if rec.Query.Get("page") == "1" {
			for _, a := range rel.assets {
				list = append(list, f.assetJSON(rec, a))
			}
		}
		f.reply(w, rec, "200", list)
	case "repos/upload-release-asset":
		f.upload(w, rec, rel)
	case "repos/get-release-asset":
		if rec.Header.Get("Accept") != "application/octet-stream" {
			f.problem("asset download without Accept: application/octet-stream")
		}
		w.Header().Set("Location", f.up.URL+"/storage/"+p["asset_id"])
		w.WriteHeader(http.StatusFound)
	default:
		f.problem("unexpected operation %s", rec.Op)
		w.WriteHeader(http.StatusTeapot)
	}
}

func (f *fakeGitHub) create(w http.ResponseWriter, rec recorded, p map[string]string) {
	var body map[string]any
	_ = json.Unmarshal(rec.Body, &body)
	if p["repo"] == f.locked {
		f.reply(w, rec, "422", map[string]any{"message": "Validation Failed", "documentation_url": f.api.URL + "/docs",
			"errors": []any{map[string]any{"resource": "Release", "code": "custom", "field": "tag_name", "message": "tag_name is not a valid tag"}}})
		return
	}
	f.nextID++
	commit, _ := body["target_commitish"].(string)
	f.commits = append(f.commits, commit)
	r := &ghRelease{id: f.nextID, owner: p["owner"], repo: p["repo"], tag: body["tag_name"].(string)}
	r.title, _ = body["name"].(string)
	r.body, _ = body["body"].(string)
	r.draft, _ = body["draft"].(bool)
	r.pre, _ = body["prerelease"].(bool)
	f.rels = append(f.rels, r)
	f.reply(w, rec, "201", f.releaseJSON(rec, r))
}

func (f *fakeGitHub) upload(w http.ResponseWriter, rec recorded, rel *ghRelease) {
	if f.failUploads > 0 {
		f.failUploads--
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if n, _ := strconv.Atoi(rec.Header.Get("Content-Length")); n != len(rec.Body) {
		f.problem("upload: Content-Length %s for %d bytes", rec.Header.Get("Content-Length"), len(rec.Body))
	}
	name := rec.Query.Get("name")
	if slices.ContainsFunc(rel.assets, func(a *ghAsset) bool { return a.name == name }) {
		w.WriteHeader(http.StatusUnprocessableEntity) // the description gives no body for it
		return
	}
	f.nextID++
	a := &ghAsset{id: f.nextID, name: name, data: rec.Body}
	if f.corrupt {
		f.corrupt = false
		a.data = append(slices.Clone(rec.Body[:len(rec.Body)-1]), rec.Body[len(rec.Body)-1]^1)
	}
	rel.assets = append(rel.assets, a)
	if f.loseAnswer {
		f.loseAnswer = false
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	f.reply(w, rec, "201", f.assetJSON(rec, a))
}

func (f *fakeGitHub) release(p map[string]string) *ghRelease {
	id, _ := strconv.ParseInt(p["release_id"], 10, 64)
	for _, r := range f.rels {
		if r.id == id {
			return r
		}
	}
	return &ghRelease{}
}

func (f *fakeGitHub) asset(id string) *ghAsset {
	for _, r := range f.rels {
		for _, a := range r.assets {
			if strconv.FormatInt(a.id, 10) == id {
				return a
			}
		}
	}
	return nil
}

// releaseJSON is the description's release example with the fake's
// release written over it.
func (f *fakeGitHub) releaseJSON(rec recorded, r *ghRelease) map[string]any {
	ex, _, _ := f.spec.response(http.MethodPost, "/repos/{owner}/{repo}/releases", "201")
	base := fmt.Sprintf("%s/repos/%s/%s/releases/%d", f.api.URL, r.owner, r.repo, r.id)
	ex["id"], ex["tag_name"], ex["name"], ex["body"] = r.id, r.tag, r.title, r.body
	ex["draft"], ex["prerelease"] = r.draft, r.pre
	ex["url"], ex["assets_url"] = base, base+"/assets"
	ex["html_url"] = fmt.Sprintf("%s/%s/%s/releases/tag/%s", f.api.URL, r.owner, r.repo, r.tag)
	ex["upload_url"] = fmt.Sprintf("%s/repos/%s/%s/releases/%d/assets{?name,label}", f.up.URL, r.owner, r.repo, r.id)
	assets := []any{}
	for _, a := range r.assets {
		assets = append(assets, f.assetJSON(rec, a))
	}
	ex["assets"] = assets
	return ex
}

func (f *fakeGitHub) assetJSON(rec recorded, a *ghAsset) map[string]any {
	ex, _, _ := f.spec.response(http.MethodGet, "/repos/{owner}/{repo}/releases/assets/{asset_id}", "200")
	sum := sha256.Sum256(a.data)
	ex["id"], ex["name"], ex["size"], ex["content_type"] = a.id, a.name, len(a.data), "application/octet-stream"
	ex["digest"] = "sha256:" + hex.EncodeToString(sum[:])
	if a.noDigest {
		ex["digest"] = nil
	}
	ex["url"] = fmt.Sprintf("%s/repos/o/r/releases/assets/%d", f.api.URL, a.id)
	ex["browser_download_url"] = fmt.Sprintf("%s/download/%s", f.api.URL, a.name)
	return ex
}

// reply sends v as the answer of status, after checking it against the
// schema the description gives that answer.
func (f *fakeGitHub) reply(w http.ResponseWriter, rec recorded, status string, v any) {
	_, _, schema := f.spec.response(rec.Method, rec.Template, status)
	if schema == nil {
		f.problem("%s: the description has no JSON answer %s", rec.Op, status)
	}
	data, _ := json.Marshal(v)
	var back any
	_ = json.Unmarshal(data, &back)
	for _, p := range f.spec.validate(schema, back, rec.Op+" answer "+status, false) {
		f.problem("the fake's own answer: %s", p)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	code, _ := strconv.Atoi(status)
	w.WriteHeader(code)
	_, _ = w.Write(data)
}

// ops returns the operations recorded since from, and the index to
// start from next.
func (f *fakeGitHub) ops(from int) ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.reqs[from:] {
		out = append(out, r.Op)
	}
	return out, len(f.reqs)
}

// TestPublishToGitHubByItsDescription drives Publish against a fake
// GitHub whose every request and answer is checked against GitHub's
// published OpenAPI description (PYRELEASE_GITHUB_OPENAPI, which .ci/run
// downloads): a first publish through a 502 on an upload, a second that
// uploads nothing, an asset without a digest downloaded back through a
// redirect that must not carry the token, notes updated, a changed asset
// refused; then a dry run, an upload GitHub digests otherwise, one whose
// answer is lost, and a 422 reported with GitHub's message.
func TestPublishToGitHubByItsDescription(t *testing.T) {
	spec := loadOpenAPI(t, "PYRELEASE_GITHUB_OPENAPI")
	f := newFakeGitHub(t, spec)
	f.failUploads = 1
	dir := t.TempDir()
	archive, sums := filepath.Join(dir, "greet-1.3.0-linux-x86_64.tar.gz"), filepath.Join(dir, "SHA256SUMS")
	writeFile(t, archive, randomBytes(t, 200<<10))
	writeFile(t, sums, []byte("abc  greet-1.3.0-linux-x86_64.tar.gz\n"))
	var waits []time.Duration
	o := Options{
		Kind: GitHub, URL: f.api.URL, Repository: "me/greet", Token: f.token,
		Tag: "v1.3.0", Commit: "0123456789abcdef0123456789abcdef01234567", Title: "greet 1.3.0", Notes: "- Greets in French.", Prerelease: true,
		Assets: []Asset{{Path: archive}, {Path: sums}},
		Retry:  httpretry.Policy{Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }},
	}
	ctx := context.Background()
	check := func(step string, from int, want []string) int {
		t.Helper()
		return f.expect(t, step, from, want)
	}

	res, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Assets[0].Status != Uploaded || res.Assets[1].Status != Uploaded {
		t.Errorf("first publish: %+v", res)
	}
	next := check("first publish", 0, []string{"repos/get-release-by-tag", "repos/list-releases", "repos/create-release",
		"repos/upload-release-asset", "repos/upload-release-asset", "repos/upload-release-asset"})
	if len(waits) != 1 {
		t.Errorf("waited %d times, want once, after the 502", len(waits))
	}
	if !slices.Equal(f.commits, []string{o.Commit}) {
		t.Errorf("target_commitish of the creates: %q, want the tag's commit", f.commits)
	}
	if got := f.rels[0].assets[0].data; len(got) != 200<<10 {
		t.Errorf("the archive arrived with %d bytes", len(got))
	}

	res, err = Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || len(res.Updated) != 0 || res.Assets[0].Status != Present || res.Assets[1].Status != Present {
		t.Errorf("second publish: %+v", res)
	}
	next = check("second publish", next, []string{"repos/get-release-by-tag", "repos/list-release-assets"})

	f.rels[0].assets[1].noDigest = true
	o.Notes = "- Greets in French and German."
	res, err = Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Updated, []string{"notes"}) || res.Assets[1].Status != Present {
		t.Errorf("third publish: %+v, want the notes updated and SHA256SUMS present", res)
	}
	next = check("third publish", next, []string{"repos/get-release-by-tag", "repos/list-release-assets", "repos/get-release-asset", "storage", "repos/update-release"})
	if f.rels[0].body != o.Notes {
		t.Errorf("notes on the fake: %q", f.rels[0].body)
	}

	writeFile(t, sums, []byte("changed\n"))
	_, err = Publish(ctx, o)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Name != "SHA256SUMS" {
		t.Errorf("a changed SHA256SUMS: err = %v, want a conflict", err)
	}
	next = check("changed asset", next, []string{"repos/get-release-by-tag", "repos/list-release-assets", "repos/get-release-asset", "storage"})

	publishTroublesToGitHub(t, f, o, next)
	for _, p := range f.bad {
		t.Error(p)
	}
}

// expect checks the operations recorded since from, and returns the index
// to check from next.
func (f *fakeGitHub) expect(t *testing.T, step string, from int, want []string) int {
	t.Helper()
	got, next := f.ops(from)
	if !slices.Equal(got, want) {
		t.Errorf("%s: operations\n%v\nwant\n%v", step, got, want)
	}
	return next
}

// publishTroublesToGitHub publishes o as a dry run, through an upload
// that arrives corrupted, through one whose answer is lost, and to a
// repository that refuses the release with a 422.
func publishTroublesToGitHub(t *testing.T, f *fakeGitHub, o Options, next int) {
	ctx := context.Background()
	check := func(step string, from int, want []string) int {
		t.Helper()
		return f.expect(t, step, from, want)
	}
	var res Result
	var err error
	dry := o
	dry.Repository, dry.DryRun = "me/dry", true
	res, err = Publish(ctx, dry)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Assets[0].Status != WouldUpload || res.Assets[1].Status != WouldUpload {
		t.Errorf("dry run: %+v", res)
	}
	next = check("dry run", next, []string{"repos/get-release-by-tag", "repos/list-releases"})

	writeFile(t, o.Assets[1].Path, []byte("abc  greet-1.3.0-linux-x86_64.tar.gz\n"))
	f.corrupt = true
	cor := o
	cor.Repository = "me/corrupt"
	if _, err := Publish(ctx, cor); !errors.Is(err, ErrCorrupt) {
		t.Errorf("an upload GitHub digests otherwise: err = %v, want ErrCorrupt", err)
	}
	next = check("corrupt upload", next, []string{"repos/get-release-by-tag", "repos/list-releases", "repos/create-release", "repos/upload-release-asset"})

	f.loseAnswer = true
	lost := o
	lost.Repository = "me/lost"
	res, err = Publish(ctx, lost)
	if err != nil || res.Assets[0].Status != Uploaded || len(f.rels[len(f.rels)-1].assets) != 2 {
		t.Errorf("an upload whose answer was lost: %+v, %v; want both assets once", res, err)
	}
	next = check("lost answer", next, []string{"repos/get-release-by-tag", "repos/list-releases", "repos/create-release",
		"repos/upload-release-asset", "repos/upload-release-asset", "repos/list-release-assets", "repos/upload-release-asset"})

	f.locked = "locked"
	o.Repository, o.Assets = "me/locked", nil
	_, err = Publish(ctx, o)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "Validation Failed (tag_name: tag_name is not a valid tag)") {
		t.Errorf("a refused create: err = %v, want a 422 with GitHub's message", err)
	}
	// A 422 may be a duplicate whose first create succeeded: the release is
	// looked for again before giving up.
	check("refused create", next, []string{"repos/get-release-by-tag", "repos/list-releases", "repos/create-release", "repos/get-release-by-tag", "repos/list-releases"})

}

// TestDescriptionCheckerCatches keeps the checker honest: requests GitHub's
// description does not allow are reported.
func TestDescriptionCheckerCatches(t *testing.T) {
	spec := loadOpenAPI(t, "PYRELEASE_GITHUB_OPENAPI")
	json := http.Header{"Content-Type": {"application/json"}}
	for name, c := range map[string]struct {
		rec  recorded
		want string
	}{
		"no such operation": {rec: recorded{Method: http.MethodPut, Path: "/repos/o/r/releases"}, want: "no such operation"},
		"wrong type":        {rec: recorded{Method: http.MethodPost, Path: "/repos/o/r/releases", Header: json, Body: []byte(`{"tag_name":"v1","draft":"yes"}`)}, want: "draft"},
		"required property": {rec: recorded{Method: http.MethodPost, Path: "/repos/o/r/releases", Header: json, Body: []byte(`{"name":"x"}`)}, want: `required property "tag_name"`},
		"unknown property":  {rec: recorded{Method: http.MethodPatch, Path: "/repos/o/r/releases/1", Header: json, Body: []byte(`{"title":"x"}`)}, want: `"title" is not in the schema`},
		"enum":              {rec: recorded{Method: http.MethodPatch, Path: "/repos/o/r/releases/1", Header: json, Body: []byte(`{"make_latest":"yes"}`)}, want: "not one of"},
		"missing name":      {rec: recorded{Method: http.MethodPost, Path: "/repos/o/r/releases/1/assets", Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte("x")}, want: `required query parameter "name"`},
		"undeclared query":  {rec: recorded{Method: http.MethodGet, Path: "/repos/o/r/releases/tags/v1", Query: map[string][]string{"limit": {"5"}}}, want: `"limit" is not in the description`},
		"media type":        {rec: recorded{Method: http.MethodPost, Path: "/repos/o/r/releases", Header: http.Header{"Content-Type": {"multipart/form-data"}}, Body: []byte("x")}, want: "Content-Type"},
	} {
		t.Run(name, func(t *testing.T) {
			got := strings.Join(spec.check(&c.rec), "\n")
			if !strings.Contains(got, c.want) {
				t.Errorf("problems %q lack %q", got, c.want)
			}
		})
	}
	ok := recorded{Method: http.MethodGet, Path: "/repos/o/r/releases/tags/pkg/v1.0", Query: map[string][]string{}}
	if p := spec.check(&ok); len(p) != 0 || ok.Op != "repos/get-release-by-tag" {
		t.Errorf("a tag with a slash (x-multi-segment): %v, matched %q", p, ok.Op)
	}
}
