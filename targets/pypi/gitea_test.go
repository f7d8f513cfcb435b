package pypi

import (
	"context"
	"errors"
	"html"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// giteaFiles writes a wheel and an sdist of greet-tool at version.
func giteaFiles(t *testing.T, version string) []string {
	dir := t.TempDir()
	meta := strings.Replace(setuptoolsMetadata, "Version: 1.0.0", "Version: "+version, 1)
	return []string{
		writeWheel(t, dir, "greet_tool-"+version+"-py3-none-any.whl", meta),
		writeSdist(t, dir, "greet_tool-"+version+".tar.gz", meta),
	}
}

func giteaRepo(u testenv.GiteaUser) Repository {
	return Repository{Name: u.Name, UploadURL: u.UploadURL, IndexURL: u.SimpleURL, Username: u.Name, Password: u.Token}
}

func fastRetry() httpretry.Policy {
	return httpretry.Policy{Attempts: 6, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}
}

// TestGiteaTwineAndUsListTheSame uploads the same files with twine (as
// one user) and with Client (as another): the index lists both with the
// same names, hashes and Requires-Python.
func TestGiteaTwineAndUsListTheSame(t *testing.T) {
	g := testenv.StartGitea(t)
	twine := testenv.Require(t, "twine")
	paths := giteaFiles(t, "1.0.0")
	ctx := context.Background()

	peer := g.User("viatwine")
	cmd := exec.Command(twine, append([]string{"upload", "--non-interactive", "--disable-progress-bar",
		"--repository-url", peer.UploadURL, "-u", peer.Name, "-p", peer.Token}, paths...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("twine upload: %v\n%s", err, out)
	}

	ours := g.User("viapyrelease")
	c := &Client{Retry: fastRetry()}
	var files []File
	for _, p := range paths {
		f, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	for _, f := range SortForUpload(files) {
		if _, err := c.Upload(ctx, giteaRepo(ours), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Verify(ctx, giteaRepo(ours), "greet-tool", files, 30*time.Second, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	want, err := c.Existing(ctx, giteaRepo(peer), "greet-tool")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Existing(ctx, giteaRepo(ours), "greet-tool")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 || !maps.Equal(got, want) {
		t.Errorf("listed after our upload %v, after twine's %v", got, want)
	}
	// The metadata the index took from the form: the simple page's
	// data-requires-python, and Gitea's package API.
	for _, u := range []testenv.GiteaUser{peer, ours} {
		page := get(t, u.SimpleURL+"greet-tool/", "")
		if !strings.Contains(page, `data-requires-python="&gt;=3.9"`) {
			t.Errorf("%s: simple page lacks Requires-Python:\n%s", u.Name, page)
		}
	}
	// Gitea's package page shows the metadata it stored from the form:
	// each value appears on both uploads' pages or on neither.
	peerPage := get(t, g.URL+peer.Name+"/-/packages/pypi/greet-tool/1.0.0", peer.Token)
	oursPage := get(t, g.URL+ours.Name+"/-/packages/pypi/greet-tool/1.0.0", ours.Token)
	shown := 0
	for _, f := range files[0].Metadata {
		v := html.EscapeString(strings.TrimSpace(strings.SplitN(f.Value, "\n", 2)[0]))
		if v == "" || len(v) < 3 {
			continue
		}
		inPeer, inOurs := strings.Contains(peerPage, v), strings.Contains(oursPage, v)
		if inPeer != inOurs {
			t.Errorf("metadata %s = %q: on twine's page %v, on ours %v", f.Name, v, inPeer, inOurs)
		}
		if inOurs {
			shown++
		}
	}
	if shown < 6 {
		t.Errorf("only %d metadata values shown on the package page", shown)
	}
	peerMeta := get(t, g.URL+"api/v1/packages/"+peer.Name+"/pypi/greet-tool/1.0.0/files", peer.Token)
	oursMeta := get(t, g.URL+"api/v1/packages/"+ours.Name+"/pypi/greet-tool/1.0.0/files", ours.Token)
	norm := func(s, user string) string {
		s = strings.ReplaceAll(s, user, "OWNER")
		// Ids and times differ between two uploads; the rest must not.
		for _, key := range []string{`"id":`, `"created_at":`, `"created":`, `"last_login":`, `"updated":`} {
			for {
				i := strings.Index(s, key)
				if i < 0 {
					break
				}
				j := i + len(key)
				for j < len(s) && s[j] != ',' && s[j] != '}' {
					j++
				}
				s = s[:i] + "X" + s[j:]
			}
		}
		return s
	}
	if a, b := norm(peerMeta, peer.Name), norm(oursMeta, ours.Name); a != b {
		t.Errorf("package metadata differs:\ntwine: %s\nours:  %s", a, b)
	}
}

func get(t *testing.T, u, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, data)
	}
	return string(data)
}

func TestGiteaIdempotentAndConflict(t *testing.T) {
	g := testenv.StartGitea(t)
	u := g.User("again")
	ctx := context.Background()
	c := &Client{Retry: fastRetry()}
	paths := giteaFiles(t, "2.0.0")
	f, err := ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if res, err := c.Upload(ctx, giteaRepo(u), f); err != nil || res.Skipped {
		t.Fatalf("first upload: %+v, %v", res, err)
	}
	res, err := c.Upload(ctx, giteaRepo(u), f)
	if err != nil || !res.Skipped || res.Status != http.StatusConflict {
		t.Fatalf("second upload of the same file: %+v, %v; want skipped after 409", res, err)
	}
	// Same name, other bytes.
	other := writeWheel(t, t.TempDir(), f.Name, strings.Replace(setuptoolsMetadata, "Version: 1.0.0", "Version: 2.0.0", 1)+"\nchanged\n")
	g2, err := ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, giteaRepo(u), g2); !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	} else if !strings.Contains(err.Error(), f.SHA256) || !strings.Contains(err.Error(), g2.SHA256) {
		t.Errorf("conflict error lacks the two hashes: %v", err)
	}
	// Wrong credentials: Gitea's 401, no secret in the message.
	bad := giteaRepo(u)
	bad.Password = "wrong-" + secret
	h, _ := ReadFile(paths[1])
	_, err = c.Upload(ctx, bad, h)
	var ue *UploadError
	if !errors.As(err, &ue) || ue.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 UploadError", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the password: %v", err)
	}
}

// TestGiteaThroughFaults puts a proxy in front of Gitea that answers 503
// or drops the connection mid-body on the first uploads: the upload still
// lands, once.
func TestGiteaThroughFaults(t *testing.T) {
	g := testenv.StartGitea(t)
	u := g.User("faults")
	target, _ := url.Parse(g.URL)
	var posts atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			switch posts.Add(1) {
			case 1:
				io.Copy(io.Discard, r.Body)
				http.Error(w, "upstream busy", http.StatusServiceUnavailable)
				return
			case 2:
				io.CopyN(io.Discard, r.Body, 512)
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	repo := giteaRepo(u)
	repo.UploadURL = strings.Replace(u.UploadURL, strings.TrimSuffix(g.URL, "/"), proxy.URL, 1)
	c := &Client{Retry: fastRetry()}
	f, err := ReadFile(giteaFiles(t, "3.0.0")[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(context.Background(), repo, f); err != nil {
		t.Fatal(err)
	}
	if posts.Load() < 3 {
		t.Errorf("%d POSTs, want the two faults and a success", posts.Load())
	}
	got, err := c.Existing(context.Background(), giteaRepo(u), "greet-tool")
	if err != nil || len(got) != 1 || got[f.Name] != f.SHA256 {
		t.Errorf("listed %v, %v; want exactly %s", got, err, f.Name)
	}
}
