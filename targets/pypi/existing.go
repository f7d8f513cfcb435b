package pypi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/htmlindex"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// Content types of the simple API (PEP 691); the Accept header asks for
// JSON first and takes HTML from indexes that have nothing else.
const (
	simpleJSON   = "application/vnd.pypi.simple.v1+json"
	simpleAccept = simpleJSON + ", application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
)

// maxListing bounds a project page read into memory; pages of projects
// with thousands of files stay well below it.
const maxListing = 64 << 20

// listingReader reads a listing of at most maxListing bytes and fails
// past them, where a LimitReader would end a longer page silently and
// leave the files after the cut out of it.
type listingReader struct {
	r io.Reader
	n int64
}

func (l *listingReader) Read(p []byte) (int, error) {
	if room := maxListing + 1 - l.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > maxListing {
		return n, fmt.Errorf("the listing is larger than %d MiB", maxListing>>20)
	}
	return n, err
}

// Existing returns what the index already serves for a project: file name ->
// sha256 (hex), from PEP 691 JSON (Accept: application/vnd.pypi.simple.v1+json),
// else the PEP 503 HTML page's #sha256= fragments, else the JSON API
// (JSONURL/{project}/json 'urls' / releases). A 404 means no files (empty map).
// A file listed without a sha256 maps to "". The JSON API is asked only
// when there is no simple index or it left some hash out.
func (c *Client) Existing(ctx context.Context, repo Repository, project string) (map[string]string, error) {
	name := config.NormalizeName(project)
	if name == "" {
		return nil, fmt.Errorf("pypi: listing files: empty project name")
	}
	if repo.IndexURL == "" && repo.JSONURL == "" {
		return nil, fmt.Errorf("pypi: listing files of %s on %s: the repository has neither a simple index nor a JSON API URL", name, repo)
	}
	files := map[string]string{}
	if repo.IndexURL != "" {
		var err error
		if files, err = c.simple(ctx, repo, name); err != nil {
			return nil, err
		}
		complete := true
		for _, sha := range files {
			if sha == "" {
				complete = false
			}
		}
		if complete || repo.JSONURL == "" {
			return files, nil
		}
	}
	fromJSON, err := c.jsonAPI(ctx, repo, name)
	if err != nil {
		if repo.IndexURL != "" {
			// The simple page answered; a JSON API that fails only costs
			// the hashes it would have added.
			c.log().Debug("JSON API failed", "project", name, "err", err)
			return files, nil
		}
		return nil, err
	}
	for file, sha := range fromJSON {
		if files[file] == "" {
			files[file] = sha
		}
	}
	return files, nil
}

// simple reads the project's page of the simple index.
func (c *Client) simple(ctx context.Context, repo Repository, name string) (map[string]string, error) {
	base, err := url.Parse(withSlash(repo.IndexURL))
	if err != nil {
		return nil, fmt.Errorf("pypi: index URL %q is not a URL: %w", redactString(repo.IndexURL), err)
	}
	u := base.JoinPath(name)
	u.Path = withSlash(u.Path)
	var files map[string]string
	err = c.get(ctx, repo, u, simpleAccept, func(resp *http.Response) error {
		media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		body := &listingReader{r: resp.Body}
		var err error
		if media == simpleJSON {
			files, err = parseSimpleJSON(body)
		} else {
			files, err = parseSimpleHTML(body)
		}
		if err != nil {
			return fmt.Errorf("pypi: reading %s: %w", httpretry.Redact(u), err)
		}
		return nil
	})
	if notFound(err) {
		return map[string]string{}, nil
	}
	return files, err
}

// jsonAPI reads {JSONURL}/{project}/json: every release's files.
func (c *Client) jsonAPI(ctx context.Context, repo Repository, name string) (map[string]string, error) {
	base, err := url.Parse(withSlash(repo.JSONURL))
	if err != nil {
		return nil, fmt.Errorf("pypi: JSON API URL %q is not a URL: %w", redactString(repo.JSONURL), err)
	}
	u := base.JoinPath(name, "json")
	files := map[string]string{}
	err = c.get(ctx, repo, u, "application/json", func(resp *http.Response) error {
		var doc struct {
			URLs     []jsonFile            `json:"urls"`
			Releases map[string][]jsonFile `json:"releases"`
		}
		if err := json.NewDecoder(&listingReader{r: resp.Body}).Decode(&doc); err != nil {
			return fmt.Errorf("pypi: reading %s: %w", httpretry.Redact(u), err)
		}
		clear(files)
		add := func(fs []jsonFile) {
			for _, f := range fs {
				if f.Filename != "" {
					files[f.Filename] = strings.ToLower(f.Digests.SHA256)
				}
			}
		}
		add(doc.URLs)
		for _, fs := range doc.Releases {
			add(fs)
		}
		return nil
	})
	if notFound(err) {
		return map[string]string{}, nil
	}
	return files, err
}

type jsonFile struct {
	Filename string `json:"filename"`
	Digests  struct {
		SHA256 string `json:"sha256"`
	} `json:"digests"`
}

// get reads u with retries. Credentials go only to the upload URL's own
// origin: a private index needs them to list files, a public index on
// another host must not see them.
func (c *Client) get(ctx context.Context, repo Repository, u *url.URL, accept string, read func(*http.Response) error) error {
	auth := sameOrigin(u, repo.UploadURL)
	return c.Retry.Read(ctx, c.readClient(), func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", accept)
		req.Header.Set("User-Agent", "pyrelease")
		if auth {
			user, pass, err := c.credentials(ctx, repo)
			if err != nil {
				return nil, fmt.Errorf("getting credentials: %w", err)
			}
			if user != "" || pass != "" {
				req.SetBasicAuth(user, pass)
			}
		}
		return req, nil
	}, read)
}

func sameOrigin(u *url.URL, other string) bool {
	o, err := url.Parse(other)
	return err == nil && strings.EqualFold(u.Scheme, o.Scheme) && strings.EqualFold(u.Host, o.Host)
}

func notFound(err error) bool {
	var he *httpretry.Error
	return errors.As(err, &he) && (he.StatusCode == http.StatusNotFound || he.StatusCode == http.StatusGone)
}

// parseSimpleJSON reads a PEP 691 project page.
func parseSimpleJSON(r io.Reader) (map[string]string, error) {
	var doc struct {
		Files []struct {
			Filename string            `json:"filename"`
			Hashes   map[string]string `json:"hashes"`
		} `json:"files"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, f := range doc.Files {
		if f.Filename != "" {
			files[f.Filename] = strings.ToLower(f.Hashes["sha256"])
		}
	}
	return files, nil
}

// parseSimpleHTML reads a PEP 503 project page: each link is a file, named
// by the last segment of its URL and hashed by its #sha256= fragment. A
// file linked twice keeps the first hash given.
func parseSimpleHTML(r io.Reader) (map[string]string, error) {
	links, err := htmlindex.Parse(nil, r)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, l := range links {
		name := strings.TrimSpace(l.Name)
		if name == "" {
			continue
		}
		if old, seen := files[name]; !seen || old == "" {
			files[name] = l.SHA256
		}
	}
	return files, nil
}
