package pypi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testPypirc = `[distutils]
index-servers =
    pypi
    gitea

[server-login]
username = legacy-user

[pypi]
username = __token__
password = pypi-from-pypirc#x

[gitea]
repository: http://gitea.test:3000/api/packages/owner/pypi
username = owner
password = gitea-pw

[nourl]
username = x

[devpi]
repository = https://devpi.test/alice/dev/
`

func TestResolve(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".pypirc"), []byte(testPypirc), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyHome := t.TempDir()
	tests := map[string]struct {
		opts ResolveOptions
		env  map[string]string
		want Repository
		err  error  // errors.Is target
		msg  string // in the error
	}{
		"default is pypi with pypirc credentials": {
			env:  map[string]string{"HOME": home},
			want: Repository{Name: "pypi", UploadURL: pypiUploadURL, IndexURL: pypiIndexURL, JSONURL: pypiJSONURL, Username: "__token__", Password: "pypi-from-pypirc#x"},
		},
		"no pypirc, no credentials": {
			env:  map[string]string{"HOME": emptyHome},
			want: Repository{Name: "pypi", UploadURL: pypiUploadURL, IndexURL: pypiIndexURL, JSONURL: pypiJSONURL},
		},
		"testpypi gets its URLs and the server-login user": {
			opts: ResolveOptions{Repository: "testpypi"},
			env:  map[string]string{"HOME": home},
			want: Repository{Name: "testpypi", UploadURL: testpypiUploadURL, IndexURL: testpypiIndexURL, JSONURL: testpypiJSONURL, Username: "legacy-user"},
		},
		"pypirc section": {
			opts: ResolveOptions{Repository: "gitea"},
			env:  map[string]string{"HOME": home},
			want: Repository{Name: "gitea", UploadURL: "http://gitea.test:3000/api/packages/owner/pypi", IndexURL: "http://gitea.test:3000/api/packages/owner/pypi/simple/", Username: "owner", Password: "gitea-pw"},
		},
		"section not listed in index-servers is still used": {
			opts: ResolveOptions{Repository: "devpi"},
			env:  map[string]string{"HOME": home},
			want: Repository{Name: "devpi", UploadURL: "https://devpi.test/alice/dev/", IndexURL: "https://devpi.test/alice/dev/+simple/", Username: "legacy-user"},
		},
		"TWINE_REPOSITORY picks the section": {
			env:  map[string]string{"HOME": home, "TWINE_REPOSITORY": "gitea"},
			want: Repository{Name: "gitea", UploadURL: "http://gitea.test:3000/api/packages/owner/pypi", IndexURL: "http://gitea.test:3000/api/packages/owner/pypi/simple/", Username: "owner", Password: "gitea-pw"},
		},
		"Repository beats TWINE_REPOSITORY": {
			opts: ResolveOptions{Repository: "testpypi"},
			env:  map[string]string{"HOME": emptyHome, "TWINE_REPOSITORY": "gitea"},
			want: Repository{Name: "testpypi", UploadURL: testpypiUploadURL, IndexURL: testpypiIndexURL, JSONURL: testpypiJSONURL},
		},
		"PYRELEASE_TOKEN beats TWINE_ and pypirc": {
			opts: ResolveOptions{Repository: "gitea"},
			env:  map[string]string{"HOME": home, "PYRELEASE_TOKEN": "tok", "TWINE_USERNAME": "tu", "TWINE_PASSWORD": "tp"},
			want: Repository{Name: "gitea", UploadURL: "http://gitea.test:3000/api/packages/owner/pypi", IndexURL: "http://gitea.test:3000/api/packages/owner/pypi/simple/", Username: "__token__", Password: "tok"},
		},
		"TWINE_ beat pypirc": {
			opts: ResolveOptions{Repository: "gitea"},
			env:  map[string]string{"HOME": home, "TWINE_USERNAME": "tu", "TWINE_PASSWORD": "tp"},
			want: Repository{Name: "gitea", UploadURL: "http://gitea.test:3000/api/packages/owner/pypi", IndexURL: "http://gitea.test:3000/api/packages/owner/pypi/simple/", Username: "tu", Password: "tp"},
		},
		"TWINE_PASSWORD alone keeps the pypirc user": {
			opts: ResolveOptions{Repository: "gitea"},
			env:  map[string]string{"HOME": home, "TWINE_PASSWORD": "tp"},
			want: Repository{Name: "gitea", UploadURL: "http://gitea.test:3000/api/packages/owner/pypi", IndexURL: "http://gitea.test:3000/api/packages/owner/pypi/simple/", Username: "owner", Password: "tp"},
		},
		"a password without a user goes with __token__": {
			env:  map[string]string{"HOME": emptyHome, "TWINE_PASSWORD": "pypi-x"},
			want: Repository{Name: "pypi", UploadURL: pypiUploadURL, IndexURL: pypiIndexURL, JSONURL: pypiJSONURL, Username: "__token__", Password: "pypi-x"},
		},
		"TWINE_REPOSITORY_URL replaces the URL and drops pypirc credentials": {
			opts: ResolveOptions{Repository: "gitea"},
			env:  map[string]string{"HOME": home, "TWINE_REPOSITORY_URL": "http://other.test/"},
			want: Repository{UploadURL: "http://other.test/", IndexURL: "http://other.test/simple/"},
		},
		"an upload URL with credentials in it": {
			opts: ResolveOptions{Repository: "https://u:p%40ss@upload.example.test/legacy/"},
			env:  map[string]string{"HOME": home},
			want: Repository{UploadURL: "https://upload.example.test/legacy/", IndexURL: "https://example.test/simple/", JSONURL: "https://example.test/pypi/", Username: "u", Password: "p@ss"},
		},
		"IndexURL override": {
			opts: ResolveOptions{Repository: "https://nexus.test/custom/upload", IndexURL: "https://nexus.test/custom/simple"},
			env:  map[string]string{"HOME": home},
			want: Repository{UploadURL: "https://nexus.test/custom/upload", IndexURL: "https://nexus.test/custom/simple/"},
		},
		"http PyPI becomes https": {
			opts: ResolveOptions{Repository: "http://upload.pypi.org/legacy/"},
			env:  map[string]string{"HOME": emptyHome},
			want: Repository{UploadURL: pypiUploadURL, IndexURL: pypiIndexURL, JSONURL: pypiJSONURL},
		},
		"missing section": {
			opts: ResolveOptions{Repository: "nosuch"},
			env:  map[string]string{"HOME": home},
			err:  ErrNoSection, msg: filepath.Join(home, ".pypirc"),
		},
		"section without repository": {
			opts: ResolveOptions{Repository: "nourl"},
			env:  map[string]string{"HOME": home},
			msg:  "section [nourl] has no repository",
		},
		"explicit pypirc missing": {
			opts: ResolveOptions{Pypirc: filepath.Join(emptyHome, "nope")},
			env:  map[string]string{"HOME": home},
			err:  os.ErrNotExist,
		},
		"index URL not derivable": {
			opts: ResolveOptions{Repository: "https://example.test/a/b/c/upload"},
			env:  map[string]string{"HOME": home},
			err:  ErrNoIndexURL, msg: "index-url",
		},
		"not http": {
			opts: ResolveOptions{Repository: "ftp://example.test/"},
			env:  map[string]string{"HOME": home},
			msg:  "not an http or https URL",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o := tc.opts
			o.Getenv = func(k string) string { return tc.env[k] }
			got, err := Resolve(o)
			if tc.err != nil || tc.msg != "" {
				if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("err = %v, want %v containing %q", err, tc.err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("\n got %#v\nwant %#v\n(passwords %q, %q)", got, tc.want, got.Password, tc.want.Password)
			}
		})
	}
}

func TestDeriveIndex(t *testing.T) {
	tests := map[string]struct {
		upload, index, json string
	}{
		"pypi":             {upload: "https://upload.pypi.org/legacy/", index: pypiIndexURL, json: pypiJSONURL},
		"testpypi":         {upload: "https://test.pypi.org/legacy/", index: testpypiIndexURL, json: testpypiJSONURL},
		"warehouse":        {upload: "https://upload.example.test/legacy/", index: "https://example.test/simple/", json: "https://example.test/pypi/"},
		"gitea":            {upload: "http://127.0.0.1:3000/api/packages/owner/pypi", index: "http://127.0.0.1:3000/api/packages/owner/pypi/simple/"},
		"gitea subpath":    {upload: "https://h.test/git/api/packages/o/pypi/", index: "https://h.test/git/api/packages/o/pypi/simple/"},
		"devpi":            {upload: "https://devpi.test/alice/dev/", index: "https://devpi.test/alice/dev/+simple/"},
		"pypiserver":       {upload: "http://localhost:8080/", index: "http://localhost:8080/simple/"},
		"pypiserver bare":  {upload: "http://localhost:8080", index: "http://localhost:8080/simple/"},
		"nexus":            {upload: "https://nexus.test/repository/pypi-internal/", index: "https://nexus.test/repository/pypi-internal/simple/"},
		"artifactory":      {upload: "https://a.test/artifactory/api/pypi/pypi-local", index: "https://a.test/artifactory/api/pypi/pypi-local/simple/"},
		"unknown, 3 parts": {upload: "https://x.test/a/b/c"},
		"unknown, 1 part":  {upload: "https://x.test/upload/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(tc.upload)
			if err != nil {
				t.Fatal(err)
			}
			index, json, err := deriveIndex(u)
			if tc.index == "" {
				if !errors.Is(err, ErrNoIndexURL) {
					t.Errorf("err = %v, want ErrNoIndexURL", err)
				}
				return
			}
			if err != nil || index != tc.index || json != tc.json {
				t.Errorf("got %q %q %v, want %q %q", index, json, err, tc.index, tc.json)
			}
		})
	}
}

func TestRepositoryHidesPassword(t *testing.T) {
	r := Repository{Name: "pypi", UploadURL: "https://user:" + secret + "@upload.pypi.org/legacy/?token=" + secret, Username: "__token__", Password: secret}
	var logs syncBuffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("repo", "r", r)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("repo", "r", r)
	tok := Token{Username: "__token__", Password: secret}
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("token", "t", tok)
	for _, s := range []string{r.String(), fmt.Sprint(r), fmt.Sprintf("%v %+v %#v %s", r, r, r, r), logs.String(), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok)} {
		if strings.Contains(s, secret) {
			t.Errorf("%q shows the password", s)
		}
	}
	if !strings.Contains(r.String(), "upload.pypi.org/legacy/") {
		t.Errorf("String() = %q, want the upload URL", r.String())
	}
}
