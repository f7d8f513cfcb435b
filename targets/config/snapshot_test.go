package config

import (
	"errors"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestSnapshotDefaults(t *testing.T) {
	dir, _ := project(t, header)
	c, err := LoadEnv(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Snapshot{Keep: 1, Checksum: "when-supported", PartSize: 16, Concurrency: 4, LatestCopyLimit: 100}
	if !reflect.DeepEqual(c.Snapshot, want) {
		t.Errorf("Snapshot = %+v\nwant %+v", c.Snapshot, want)
	}
}

func TestSnapshotKeys(t *testing.T) {
	tests := map[string]struct {
		toml string
		want func(s *Snapshot)
	}{
		"empty table":       {toml: "", want: func(*Snapshot) {}},
		"store path":        {toml: `store = "build/snaps"`, want: func(s *Snapshot) { s.Store = "build/snaps" }},
		"store file url":    {toml: `store = "file:///srv/snaps"`, want: func(s *Snapshot) { s.Store = "file:///srv/snaps" }},
		"store s3":          {toml: `store = "s3://rel/greet?region=eu-west-1"`, want: func(s *Snapshot) { s.Store = "s3://rel/greet?region=eu-west-1" }},
		"store s3 bucket":   {toml: `store = "s3://rel"`, want: func(s *Snapshot) { s.Store = "s3://rel" }},
		"keep":              {toml: `keep = 5`, want: func(s *Snapshot) { s.Keep = 5 }},
		"endpoint":          {toml: `endpoint = "http://127.0.0.1:9000"`, want: func(s *Snapshot) { s.Endpoint = "http://127.0.0.1:9000" }},
		"https endpoint":    {toml: `endpoint = "https://minio.example.org/"`, want: func(s *Snapshot) { s.Endpoint = "https://minio.example.org/" }},
		"region":            {toml: `region = "eu-west-1"`, want: func(s *Snapshot) { s.Region = "eu-west-1" }},
		"profile":           {toml: `profile = "ci"`, want: func(s *Snapshot) { s.Profile = "ci" }},
		"path-style true":   {toml: `path-style = true`, want: func(s *Snapshot) { s.PathStyle, s.PathStyleSet = true, true }},
		"path-style false":  {toml: `path-style = false`, want: func(s *Snapshot) { s.PathStyleSet = true }},
		"acl":               {toml: `acl = "public-read"`, want: func(s *Snapshot) { s.ACL = "public-read" }},
		"acl empty":         {toml: `acl = ""`, want: func(*Snapshot) {}},
		"cache-control":     {toml: `cache-control = "max-age=60"`, want: func(s *Snapshot) { s.CacheControl = "max-age=60" }},
		"checksum":          {toml: `checksum = "when-required"`, want: func(s *Snapshot) { s.Checksum = "when-required" }},
		"part-size low":     {toml: `part-size = 5`, want: func(s *Snapshot) { s.PartSize = 5 }},
		"part-size high":    {toml: `part-size = 5120`, want: func(s *Snapshot) { s.PartSize = 5120 }},
		"concurrency":       {toml: `concurrency = 64`, want: func(s *Snapshot) { s.Concurrency = 64 }},
		"latest-copy-limit": {toml: `latest-copy-limit = 0`, want: func(s *Snapshot) { s.LatestCopyLimit = 0 }},
		"fetch-from https":  {toml: `fetch-from = "https://files.example.org/greet/"`, want: func(s *Snapshot) { s.FetchFrom = "https://files.example.org/greet/" }},
		"fetch-from file":   {toml: `fetch-from = "file:///srv/index.html"`, want: func(s *Snapshot) { s.FetchFrom = "file:///srv/index.html" }},
		"allow-hosts":       {toml: `allow-hosts = ["cdn.example.org", "127.0.0.1:8080"]`, want: func(s *Snapshot) { s.AllowHosts = []string{"cdn.example.org", "127.0.0.1:8080"} }},
		"allow-hosts one":   {toml: `allow-hosts = "cdn.example.org"`, want: func(s *Snapshot) { s.AllowHosts = []string{"cdn.example.org"} }},
		"expect": {
			toml: `expect = ["greet-{version}.tar.gz", { pattern = "greet-{version}-{python}-{python}-{platform}.whl", python = ["cp311", "cp312"], platform = ["manylinux_2_17_x86_64", "win_amd64"] }]`,
			want: func(s *Snapshot) {
				s.Expect = []Expect{
					{Pattern: "greet-{version}.tar.gz"},
					{Pattern: "greet-{version}-{python}-{python}-{platform}.whl", Python: []string{"cp311", "cp312"}, Platform: []string{"manylinux_2_17_x86_64", "win_amd64"}},
				}
			},
		},
		"expect one glob": {toml: `expect = "greet-*.whl"`, want: func(s *Snapshot) { s.Expect = []Expect{{Pattern: "greet-*.whl"}} }},
		"expect array of tables": {
			toml: "[[tool.pyrelease.snapshot.expect]]\npattern = \"greet-{version}-py3-none-{platform}.whl\"\nplatform = \"any\"\n",
			want: func(s *Snapshot) {
				s.Expect = []Expect{{Pattern: "greet-{version}-py3-none-{platform}.whl", Platform: []string{"any"}}}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, header+"[tool.pyrelease.snapshot]\n"+tc.toml+"\n")
			c, err := LoadEnv(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := defaultSnapshot()
			tc.want(&want)
			if !reflect.DeepEqual(c.Snapshot, want) {
				t.Errorf("Snapshot = %+v\nwant %+v", c.Snapshot, want)
			}
		})
	}
}

func TestSnapshotEnv(t *testing.T) {
	const file = header + `[tool.pyrelease.snapshot]
store = "s3://from-file/prefix"
keep = 3
fetch-from = "https://files.example.org/"
`
	tests := map[string]struct {
		env  map[string]string
		want func(s *Snapshot)
	}{
		"no variables keeps the file": {want: func(*Snapshot) {}},
		"empty variables are unset": {
			env:  map[string]string{"PYRELEASE_STORE": " ", "PYRELEASE_KEEP": "", "PYRELEASE_FETCH_FROM": "\n"},
			want: func(*Snapshot) {},
		},
		"store wins": {
			env:  map[string]string{"PYRELEASE_STORE": " file:///tmp/snaps "},
			want: func(s *Snapshot) { s.Store = "file:///tmp/snaps" },
		},
		"keep wins": {
			env:  map[string]string{"PYRELEASE_KEEP": "10"},
			want: func(s *Snapshot) { s.Keep = 10 },
		},
		"fetch-from wins": {
			env:  map[string]string{"PYRELEASE_FETCH_FROM": "file:///srv/index.html"},
			want: func(s *Snapshot) { s.FetchFrom = "file:///srv/index.html" },
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, file)
			c, err := LoadEnv(dir, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			want := defaultSnapshot()
			want.Store, want.Keep, want.FetchFrom = "s3://from-file/prefix", 3, "https://files.example.org/"
			tc.want(&want)
			if !reflect.DeepEqual(c.Snapshot, want) {
				t.Errorf("Snapshot = %+v\nwant %+v", c.Snapshot, want)
			}
		})
	}
}

func TestSnapshotEnvBad(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"keep not a number": {
			env:  map[string]string{"PYRELEASE_KEEP": "all"},
			want: `config: environment variable PYRELEASE_KEEP: expected an integer >= 1, got "all"`,
		},
		"keep zero": {
			env:  map[string]string{"PYRELEASE_KEEP": "0"},
			want: `config: environment variable PYRELEASE_KEEP: expected an integer >= 1 (builds kept per branch and artifact family), got 0`,
		},
		"store scheme": {
			env:  map[string]string{"PYRELEASE_STORE": "gs://bucket"},
			want: `config: environment variable PYRELEASE_STORE: expected a directory path, a file:// URL or an s3://bucket/prefix URL (URL schemes: "file", "s3"), got "gs://bucket"`,
		},
		"fetch-from scheme": {
			env:  map[string]string{"PYRELEASE_FETCH_FROM": "ftp://files.example.org/"},
			want: `config: environment variable PYRELEASE_FETCH_FROM: expected an http, https or file URL of an HTML index page`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, _ := project(t, header)
			_, err := LoadEnv(dir, env(tc.env))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant ErrInvalid containing %q", err, tc.want)
			}
			// The variable, not the file, is to blame.
			if strings.Contains(err.Error(), "pyproject.toml") {
				t.Errorf("err = %v names the file", err)
			}
		})
	}
}

func TestSnapshotBad(t *testing.T) {
	tests := map[string]struct {
		toml string
		is   error
		want string // follows "pyproject.toml: "
	}{
		"unknown key with suggestion": {
			toml: `path_style = true`,
			is:   ErrUnknownKey, want: `unknown key "path_style" in [tool.pyrelease.snapshot] (did you mean "path-style"?); valid keys: store, keep,`,
		},
		"unknown key": {
			toml: `bucket = "x"`,
			is:   ErrUnknownKey, want: `unknown key "bucket" in [tool.pyrelease.snapshot]; valid keys:`,
		},
		"store not a string": {
			toml: `store = 1`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] store: expected a string, got integer 1`,
		},
		"store empty": {
			toml: `store = ""`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] store: expected a directory path, a file:// URL or an s3://bucket/prefix URL, got ""`,
		},
		"store other scheme": {
			toml: `store = "https://bucket.example.org/"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] store: expected a directory path, a file:// URL or an s3://bucket/prefix URL (URL schemes: "file", "s3"), got "https://bucket.example.org/"`,
		},
		"store s3 without bucket": {
			toml: `store = "s3:///prefix"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] store: expected a bucket name after s3://`,
		},
		"store s3 with credentials": {
			toml: `store = "s3://AKIA:secret@bucket/p"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] store: expected an s3:// URL without credentials (they come from the environment or the profile), got "s3://AKIA:xxxxx@bucket/p"`,
		},
		"store unparsable": {
			toml: `store = "s3://bu cket/%zz"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] store: expected a directory path`,
		},
		"store file url without dir": {
			toml: `store = "file://"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] store: expected a directory after file://`,
		},
		"keep zero": {
			toml: `keep = 0`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] keep: expected an integer >= 1 (builds kept per branch and artifact family), got 0`,
		},
		"keep quoted": {
			toml: `keep = "2"`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] keep: expected an integer >= 1 (builds kept per branch and artifact family), got string "2"`,
		},
		"keep float": {
			toml: `keep = 2.5`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] keep: expected an integer >= 1 (builds kept per branch and artifact family), got float 2.5`,
		},
		"endpoint without scheme": {
			toml: `endpoint = "127.0.0.1:9000"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] endpoint: expected an http or https URL of an S3-compatible server`,
		},
		"endpoint without host": {
			toml: `endpoint = "http:///x"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] endpoint: expected an http or https URL of an S3-compatible server, such as http://127.0.0.1:9000, got "http:///x"`,
		},
		"endpoint with credentials": {
			toml: `endpoint = "http://minio:minio123@127.0.0.1:9000"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] endpoint: expected an endpoint URL without credentials (they come from the environment or the profile), got "http://minio:xxxxx@127.0.0.1:9000"`,
		},
		"region not a string": {
			toml: `region = ["eu"]`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] region: expected a string, got an array`,
		},
		"profile not a string": {
			toml: `profile = true`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] profile: expected a string, got boolean true`,
		},
		"path-style quoted": {
			toml: `path-style = "true"`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] path-style: expected a boolean (true or false, unquoted), got string "true"`,
		},
		"acl": {
			toml: `acl = "public-read-write"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] acl: expected "private" or "public-read" (or "" for the bucket's default), got "public-read-write"`,
		},
		"cache-control not a string": {
			toml: `cache-control = 60`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] cache-control: expected a string, got integer 60`,
		},
		"checksum": {
			toml: `checksum = "never"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] checksum: expected "when-supported" or "when-required", got "never"`,
		},
		"part-size small": {
			toml: `part-size = 4`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] part-size: expected an integer from 5 to 5120 (MiB, the limits of S3 multipart parts), got 4`,
		},
		"part-size large": {
			toml: `part-size = 5121`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] part-size: expected an integer from 5 to 5120`,
		},
		"concurrency zero": {
			toml: `concurrency = 0`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] concurrency: expected an integer from 1 to 64, got 0`,
		},
		"latest-copy-limit over 5 GiB": {
			toml: `latest-copy-limit = 5121`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] latest-copy-limit: expected an integer from 0 to 5120 (MiB; S3 copies at most 5 GiB at once), got 5121`,
		},
		"concurrency large": {
			toml: `concurrency = 65`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] concurrency: expected an integer from 1 to 64, got 65`,
		},
		"fetch-from scheme": {
			toml: `fetch-from = "s3://bucket/index.html"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] fetch-from: expected an http, https or file URL of an HTML index page (URL schemes: "http", "https", "file"), got "s3://bucket/index.html"`,
		},
		"fetch-from relative": {
			toml: `fetch-from = "dist/index.html"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] fetch-from: expected an http, https or file URL of an HTML index page`,
		},
		"fetch-from without host": {
			toml: `fetch-from = "https:///index.html"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] fetch-from: expected an http, https or file URL of an HTML index page with a host`,
		},
		"fetch-from file without path": {
			toml: `fetch-from = "file://"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] fetch-from: expected an http, https or file URL of an HTML index page with a path`,
		},
		"fetch-from password is not shown": {
			toml: `fetch-from = "ftp://user:hunter2@files.example.org/"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] fetch-from: expected an http, https or file URL of an HTML index page (URL schemes: "http", "https", "file"), got "ftp://user:xxxxx@files.example.org/"`,
		},
		"allow-hosts url": {
			toml: `allow-hosts = ["https://cdn.example.org/"]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] allow-hosts[0]: expected a host name such as files.example.org (no scheme, path or user), got "https://cdn.example.org/"`,
		},
		"allow-hosts empty entry": {
			toml: `allow-hosts = ["a.example.org", ""]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] allow-hosts[1]: expected a host name`,
		},
		"allow-hosts not strings": {
			toml: `allow-hosts = [1]`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] allow-hosts[0]: expected a string, got integer 1`,
		},
		"expect not an array": {
			toml: `expect = 1`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] expect: expected an array of file-name globs and {pattern, python, platform} tables, got integer 1`,
		},
		"expect entry not a glob": {
			toml: `expect = [true]`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] expect[0]: expected a file-name glob or a {pattern, python, platform} table, got boolean true`,
		},
		"expect table without pattern": {
			toml: `expect = [{ python = ["cp312"] }]`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] expect[0].pattern: expected a file-name glob, got none`,
		},
		"expect table unknown key": {
			toml: `expect = [{ pattern = "a-{platform}", platforms = ["x"] }]`,
			is:   ErrUnknownKey, want: `unknown key "platforms" in [tool.pyrelease.snapshot] expect[0] (did you mean "platform"?); valid keys: pattern, python, platform`,
		},
		"expect empty glob": {
			toml: `expect = ["a", ""]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[1]: expected a file-name glob, got ""`,
		},
		"expect path": {
			toml: `expect = ["dist/*.whl"]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0]: expected a file-name glob without /, got "dist/*.whl"`,
		},
		"expect bad glob": {
			toml: `expect = ["greet-[{version}.tar.gz"]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0]: expected a valid glob (path.Match syntax), got "greet-[{version}.tar.gz" (syntax error in pattern)`,
		},
		"expect bad glob in a table": {
			toml: `expect = [{ pattern = 'greet-{python}\', python = ["cp312"] }]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0].pattern: expected a valid glob (path.Match syntax)`,
		},
		"expect misspelt placeholder": {
			toml: `expect = ["greet-{verison}.tar.gz"]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0]: expected placeholders {version}, {python}, {platform} only, got "{verison}" in "greet-{verison}.tar.gz"`,
		},
		"expect python placeholder without list": {
			toml: `expect = ["greet-{version}-{python}.whl"]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0]: expected a python list to expand {python}, as in { pattern = "greet-{version}-{python}.whl", python = [...] }, got none`,
		},
		"expect platform list without placeholder": {
			toml: `expect = [{ pattern = "greet-{version}.whl", platform = ["win_amd64"] }]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0].platform: expected {platform} in the pattern to go with the platform list, got "greet-{version}.whl"`,
		},
		"expect platform placeholder with empty list": {
			toml: `expect = [{ pattern = "greet-{platform}.whl", platform = [] }]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0]: expected a platform list to expand {platform}`,
		},
		"expect python list not strings": {
			toml: `expect = [{ pattern = "greet-{python}.whl", python = [311] }]`,
			is:   ErrType, want: `[tool.pyrelease.snapshot] expect[0].python[0]: expected a string, got integer 311`,
		},
		"expect python entry empty": {
			toml: `expect = [{ pattern = "greet-{python}.whl", python = ["cp311", ""] }]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0].python[1]: expected a non-empty name without /, got ""`,
		},
		"expect platform entry bad glob": {
			toml: `expect = [{ pattern = "greet-{platform}.whl", platform = ["manylinux_[x"] }]`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect[0].platform[0]: expected a valid glob (path.Match syntax), got "manylinux_[x"`,
		},
		"expect one string with placeholder": {
			toml: `expect = "greet-{platform}.whl"`,
			is:   ErrInvalid, want: `[tool.pyrelease.snapshot] expect: expected a platform list to expand {platform}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, file := project(t, header+"[tool.pyrelease.snapshot]\n"+tc.toml+"\n")
			_, err := LoadEnv(dir, nil)
			if err == nil {
				t.Fatal("LoadEnv succeeded")
			}
			want := "config: " + file + ": " + tc.want
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v\nwant %v containing %q", err, tc.is, want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "minio123") {
				t.Errorf("err = %v shows a password", err)
			}
		})
	}
}

// A snapshot table that is not a table is refused by [tool.pyrelease]'s own
// decoder, before the snapshot decoder sees it.
func TestSnapshotNotATable(t *testing.T) {
	dir, file := project(t, header+"[tool.pyrelease]\nsnapshot = \"s3://x\"\n")
	_, err := LoadEnv(dir, nil)
	want := "config: " + file + `: [tool.pyrelease] snapshot: expected a table, got string "s3://x"`
	if !errors.Is(err, ErrType) || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestSnapshotGlobs(t *testing.T) {
	tests := map[string]struct {
		expect []Expect
		want   []string
	}{
		"none": {expect: nil, want: nil},
		"plain": {
			expect: []Expect{{Pattern: "greet-{version}.tar.gz"}, {Pattern: "greet-{version}-py3-none-any.whl"}},
			want:   []string{"greet-1.2.0.tar.gz", "greet-1.2.0-py3-none-any.whl"},
		},
		"cross product": {
			expect: []Expect{{
				Pattern:  "greet-{version}-{python}-{python}-{platform}.whl",
				Python:   []string{"cp311", "cp312"},
				Platform: []string{"manylinux_2_17_x86_64", "win_amd64"},
			}},
			want: []string{
				"greet-1.2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
				"greet-1.2.0-cp311-cp311-win_amd64.whl",
				"greet-1.2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
				"greet-1.2.0-cp312-cp312-win_amd64.whl",
			},
		},
		"platform only": {
			expect: []Expect{{Pattern: "greet-{version}-{platform}.tar.gz", Platform: []string{"linux-x86_64", "macos-*"}}},
			want:   []string{"greet-1.2.0-linux-x86_64.tar.gz", "greet-1.2.0-macos-*.tar.gz"},
		},
		"repeats dropped": {
			expect: []Expect{{Pattern: "greet-{version}.tar.gz"}, {Pattern: "greet-{version}.tar.gz"}},
			want:   []string{"greet-1.2.0.tar.gz"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Snapshot{Expect: tc.expect}.Globs("1.2.0")
			if !slices.Equal(got, tc.want) {
				t.Errorf("Globs = %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Globs must match the files they were written for.
func TestSnapshotGlobsFromFile(t *testing.T) {
	dir, _ := project(t, header+`[tool.pyrelease.snapshot]
expect = ["greet-{version}.tar.gz", { pattern = "greet-{version}-{python}-{python}-{platform}.whl", python = ["cp311", "cp312"], platform = ["manylinux_2_17_x86_64", "win_amd64"] }]
`)
	c, err := LoadEnv(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Snapshot.Globs("2.0.0rc1")
	if len(got) != 5 || got[0] != "greet-2.0.0rc1.tar.gz" || got[4] != "greet-2.0.0rc1-cp312-cp312-win_amd64.whl" {
		t.Errorf("Globs = %q", got)
	}
}

// auditwheel names a repaired wheel by every policy it meets, in a
// compressed tag set (manylinux1_x86_64.manylinux_2_5_x86_64): expect
// entries written for compiled wheels must match those names, and a
// platform written as one exact policy does not.
func TestSnapshotGlobsMatchRepairedWheels(t *testing.T) {
	repaired := []string{
		"fastsum-1.2.0-cp311-cp311-manylinux1_x86_64.manylinux_2_5_x86_64.whl",
		"fastsum-1.2.0-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
		"fastsum-1.2.0-cp313-cp313-manylinux_2_28_aarch64.whl",
		"fastsum-1.2.0-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	}
	tests := map[string]struct {
		expect Expect
		want   []bool // matches repaired[i]
	}{
		"any CPython 3, any manylinux": {
			expect: Expect{Pattern: "fastsum-{version}-cp3*-manylinux*.whl"},
			want:   []bool{true, true, true, true},
		},
		"any CPython 3, x86_64 only": {
			expect: Expect{Pattern: "fastsum-{version}-cp3*-manylinux*_x86_64.whl"},
			want:   []bool{true, true, false, true},
		},
		"python list, platform by glob": {
			expect: Expect{Pattern: "fastsum-{version}-{python}-{python}-{platform}.whl", Python: []string{"cp311", "cp312"}, Platform: []string{"manylinux*_x86_64"}},
			want:   []bool{true, true, false, false},
		},
		"one exact policy misses the compressed set": {
			expect: Expect{Pattern: "fastsum-{version}-{python}-{python}-{platform}.whl", Python: []string{"cp311"}, Platform: []string{"manylinux_2_5_x86_64"}},
			want:   []bool{false, false, false, false},
		},
		"a linux_* wheel is not a manylinux one": {
			expect: Expect{Pattern: "fastsum-{version}-cp3*-manylinux*.whl"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			globs := Snapshot{Expect: []Expect{tc.expect}}.Globs("1.2.0")
			names := repaired
			if tc.want == nil {
				names, tc.want = []string{"fastsum-1.2.0-cp311-cp311-linux_x86_64.whl"}, []bool{false}
			}
			for i, n := range names {
				got := slices.ContainsFunc(globs, func(g string) bool { ok, _ := path.Match(g, n); return ok })
				if got != tc.want[i] {
					t.Errorf("%q matches %s: %v, want %v", globs, n, got, tc.want[i])
				}
			}
		})
	}
}

// The documentation is generated from SnapshotKeys, so it must list exactly
// what the decoder accepts.
func TestSnapshotKeysMatchDecoder(t *testing.T) {
	names := snapshotKeyNames()
	decoded := slices.Sorted(maps.Keys(snapshotSetters()))
	if got := slices.Sorted(slices.Values(names)); !slices.Equal(got, decoded) {
		t.Errorf("SnapshotKeys document %v, decoder accepts %v", got, decoded)
	}
	if len(names) != len(decoded) {
		t.Errorf("SnapshotKeys has %d entries for %d decoded keys (duplicates?)", len(names), len(decoded))
	}
}

// Key.Default is documentation; check it says what loading an empty file
// really gives.
func TestSnapshotKeysDefaultsMatchLoad(t *testing.T) {
	c, err := parse("pyproject.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Snapshot
	pathStyle := ""
	if s.PathStyleSet {
		pathStyle = strconv.FormatBool(s.PathStyle)
	}
	effective := map[string]string{
		snapKeyStore:        s.Store,
		snapKeyKeep:         strconv.Itoa(s.Keep),
		snapKeyEndpoint:     s.Endpoint,
		snapKeyRegion:       s.Region,
		snapKeyProfile:      s.Profile,
		snapKeyPathStyle:    pathStyle,
		snapKeyACL:          s.ACL,
		snapKeyCacheControl: s.CacheControl,
		snapKeyChecksum:     s.Checksum,
		snapKeyPartSize:     strconv.Itoa(s.PartSize),
		snapKeyConcurrency:  strconv.Itoa(s.Concurrency),
		snapKeyCopyLimit:    strconv.Itoa(s.LatestCopyLimit),
		snapKeyFetchFrom:    s.FetchFrom,
		snapKeyAllowHosts:   strings.Join(s.AllowHosts, " "),
		snapKeyExpect:       strings.Join(s.Globs("1"), " "),
	}
	if s.Store == "" {
		effective[snapKeyStore] = "{git dir}/pyrelease/snapshots" // resolved by the caller, which knows the repository
	}
	for _, k := range SnapshotKeys {
		got, ok := effective[k.Name]
		if !ok {
			t.Errorf("%s: test does not know how to read this key's default", k.Name)
			continue
		}
		if got != k.Default {
			t.Errorf("%s: default is %q, documented %q", k.Name, got, k.Default)
		}
	}
}

// Every documented variable must be read, and read into its own key.
func TestSnapshotEnvOverrides(t *testing.T) {
	samples := map[string]string{
		snapKeyStore: "s3://bucket", snapKeyKeep: "7", snapKeyFetchFrom: "https://files.example.org/",
	}
	for _, k := range SnapshotKeys {
		if k.Env == "" {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			sample, ok := samples[k.Name]
			if !ok {
				t.Fatalf("no sample value for %s", k.Env)
			}
			c, err := parse("pyproject.toml", nil)
			if err != nil {
				t.Fatal(err)
			}
			before := c.Snapshot
			if err := c.applySnapshotEnv(env(map[string]string{k.Env: sample})); err != nil {
				t.Fatal(err)
			}
			changed := 0
			after := reflect.ValueOf(c.Snapshot)
			for i := range after.NumField() {
				if !reflect.DeepEqual(after.Field(i).Interface(), reflect.ValueOf(before).Field(i).Interface()) {
					changed++
				}
			}
			if changed != 1 {
				t.Errorf("%s=%s changed %d fields: %+v", k.Env, sample, changed, c.Snapshot)
			}
		})
	}
}
