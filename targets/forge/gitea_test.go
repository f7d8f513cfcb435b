package forge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// giteaAPI talks to the test server as its admin would, to set the stage
// and to check what Publish left.
type giteaAPI struct {
	t          *testing.T
	base       string // .../api/v1/
	user, pass string
}

func (a giteaAPI) do(method, path string, body, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = a.base + path
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, target, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.SetBasicAuth(a.user, a.pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
		a.t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, got)
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if s, ok := out.(*[]byte); ok {
			*s = got
		} else if err := json.Unmarshal(got, out); err != nil {
			a.t.Fatalf("%s %s: %v\n%s", method, path, err, got)
		}
	}
	return resp.StatusCode
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// giteaStage starts Gitea with a user, a token allowed to write
// repositories, and a repository greet tagged v1.3.0rc1 and v1.3.0; it
// returns the Options that publish v1.3.0 with three files, and the files.
func giteaStage(t *testing.T) (giteaAPI, Options, map[string][]byte) {
	g := testenv.StartGitea(t)
	u := g.User("releaser")
	api := giteaAPI{t: t, base: g.URL + "api/v1/", user: u.Name, pass: u.Password}
	var token struct {
		SHA1 string `json:"sha1"`
	}
	api.do(http.MethodPost, "users/"+u.Name+"/tokens", map[string]any{"name": "forge", "scopes": []string{"write:repository"}}, &token)
	api.do(http.MethodPost, "user/repos", map[string]any{"name": "greet", "auto_init": true, "default_branch": "main"}, nil)
	for _, tag := range []string{"v1.3.0rc1", "v1.3.0"} {
		api.do(http.MethodPost, "repos/"+u.Name+"/greet/tags", map[string]any{"tag_name": tag, "target": "main"}, nil)
	}

	dir := t.TempDir()
	files := map[string][]byte{
		"greet-1.3.0-linux-x86_64.tar.gz": randomBytes(t, 3<<20),
		"greet-1.3.0-linux-x86_64.run":    randomBytes(t, 100<<10),
		"SHA256SUMS":                      []byte("0000  greet-1.3.0-linux-x86_64.tar.gz\n"),
	}
	var assets []Asset
	for _, name := range slices.Sorted(maps.Keys(files)) {
		writeFile(t, filepath.Join(dir, name), files[name])
		assets = append(assets, Asset{Path: filepath.Join(dir, name)})
	}
	o := Options{
		Kind: Gitea, URL: g.URL + "api/v1", Repository: u.Name + "/greet", Token: token.SHA1,
		Tag: "v1.3.0", Title: "greet 1.3.0", Notes: "### Added\n\n- Greets in French.", Assets: assets,
	}
	return api, o, files
}

// TestPublishToGitea publishes a release with assets on a real Gitea, reads
// the assets back byte for byte, publishes again (nothing is uploaded),
// changes the notes (the release is updated), and refuses an asset whose
// bytes changed; a draft is found again although Gitea's by-tag lookup
// does not return drafts.
func TestPublishToGitea(t *testing.T) {
	api, o, files := giteaStage(t)
	ctx := context.Background()

	res, err := Publish(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || len(res.Assets) != 3 || len(res.Updated) != 0 {
		t.Fatalf("first publish: %+v, want a created release with 3 assets", res)
	}
	for _, a := range res.Assets {
		if a.Status != Uploaded {
			t.Errorf("first publish: %s %s, want uploaded", a.Name, a.Status)
		}
	}
	var rel struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		Body       string `json:"body"`
		Prerelease bool   `json:"prerelease"`
		Draft      bool   `json:"draft"`
		HTMLURL    string `json:"html_url"`
	}
	api.do(http.MethodGet, "repos/"+api.user+"/greet/releases/tags/v1.3.0", nil, &rel)
	if rel.Name != o.Title || rel.Body != o.Notes || rel.Prerelease || rel.Draft || res.URL != rel.HTMLURL {
		t.Errorf("release on the forge = %+v (result URL %s), want title %q, the notes, not a pre-release nor a draft", rel, res.URL, o.Title)
	}
	listAssets := func() map[string]string {
		var list []struct {
			Name string `json:"name"`
			URL  string `json:"browser_download_url"`
		}
		api.do(http.MethodGet, "repos/"+api.user+"/greet/releases/"+itoa64(rel.ID)+"/assets", nil, &list)
		m := map[string]string{}
		for _, a := range list {
			m[a.Name] = a.URL
		}
		return m
	}
	listed := listAssets()
	if len(listed) != 3 {
		t.Fatalf("the release lists %d assets, want 3: %v", len(listed), listed)
	}
	for name, want := range files {
		var got []byte
		api.do(http.MethodGet, listed[name], nil, &got)
		if !bytes.Equal(got, want) {
			t.Errorf("%s downloaded back: %d bytes, not the %d uploaded", name, len(got), len(want))
		}
	}

	t.Run("again uploads nothing", func(t *testing.T) {
		res, err := Publish(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created || len(res.Updated) != 0 {
			t.Errorf("second publish: %+v, want the release found and left alone", res)
		}
		for _, a := range res.Assets {
			if a.Status != Present {
				t.Errorf("second publish: %s %s, want present", a.Name, a.Status)
			}
		}
		if n := len(listAssets()); n != 3 {
			t.Errorf("the release has %d assets after a second publish, want 3", n)
		}
	})

	t.Run("notes and flags that differ are updated", func(t *testing.T) {
		o := o
		o.Notes, o.Prerelease = "### Added\n\n- Greets in French and German.\n", true
		res, err := Publish(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Updated, []string{"notes", "prerelease"}) {
			t.Errorf("Updated = %v, want [notes prerelease]", res.Updated)
		}
		api.do(http.MethodGet, "repos/"+api.user+"/greet/releases/tags/v1.3.0", nil, &rel)
		if normalizeNotes(rel.Body) != normalizeNotes(o.Notes) || !rel.Prerelease {
			t.Errorf("release after the update = %+v", rel)
		}
	})

	t.Run("a changed asset is refused", func(t *testing.T) {
		changed := filepath.Join(t.TempDir(), "greet-1.3.0-linux-x86_64.run")
		writeFile(t, changed, []byte("other bytes"))
		extra := filepath.Join(t.TempDir(), "greet-1.3.0-macos-arm64.tar.gz")
		writeFile(t, extra, []byte("a new archive"))
		o := o
		o.Assets = []Asset{{Path: extra}, {Path: changed}}
		_, err := Publish(ctx, o)
		var ce *ConflictError
		if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) || ce.Name != "greet-1.3.0-linux-x86_64.run" {
			t.Fatalf("err = %v, want a conflict on the .run", err)
		}
		if n := len(listAssets()); n != 3 {
			t.Errorf("the release has %d assets after a refused publish, want 3 (nothing uploaded)", n)
		}
	})

	publishEdgesToGitea(t, api, o)
}

// publishEdgesToGitea publishes a draft twice (found again although
// Gitea's by-tag lookup does not return drafts), a release whose tag the
// forge lacks (created at the commit given), and with a wrong token.
func publishEdgesToGitea(t *testing.T, api giteaAPI, o Options) {
	ctx := context.Background()
	t.Run("a draft is found again", func(t *testing.T) {
		o := o
		o.Tag, o.Draft, o.Prerelease, o.Assets = "v1.3.0rc1", true, true, o.Assets[:1]
		for i, want := range []Status{Uploaded, Present} {
			res, err := Publish(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Created != (i == 0) || len(res.Updated) != 0 || res.Assets[0].Status != want {
				t.Errorf("publish %d of a draft: %+v", i+1, res)
			}
		}
	})

	t.Run("a missing tag is created at the commit", func(t *testing.T) {
		var branch struct {
			Commit struct {
				ID string `json:"id"`
			} `json:"commit"`
		}
		api.do(http.MethodGet, "repos/"+api.user+"/greet/branches/main", nil, &branch)
		o := o
		o.Tag, o.Commit, o.Assets = "v1.4.0", branch.Commit.ID, nil
		if _, err := Publish(ctx, o); err != nil {
			t.Fatal(err)
		}
		var tag struct {
			Commit struct {
				SHA string `json:"sha"`
			} `json:"commit"`
		}
		api.do(http.MethodGet, "repos/"+api.user+"/greet/tags/v1.4.0", nil, &tag)
		if tag.Commit.SHA != branch.Commit.ID || tag.Commit.SHA == "" {
			t.Errorf("tag v1.4.0 is at %q, want %q", tag.Commit.SHA, branch.Commit.ID)
		}
	})

	t.Run("a wrong token fails without showing itself", func(t *testing.T) {
		o := o
		o.Token = "not-the-token-0123456789abcdef"
		_, err := Publish(ctx, o)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || strings.Contains(err.Error(), o.Token) {
			t.Errorf("err = %v, want a 401 that does not show the token", err)
		}
	})
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
