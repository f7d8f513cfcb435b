package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenFolders(t *testing.T) {
	base := t.TempDir()
	abs := filepath.Join(t.TempDir(), "abs")
	for name, c := range map[string]struct{ url, want string }{
		"bare relative":     {url: ".pyrelease/snapshots", want: filepath.Join(base, ".pyrelease", "snapshots")},
		"bare absolute":     {url: abs, want: abs},
		"file absolute":     {url: "file://" + abs, want: abs},
		"file relative":     {url: "file://out/store", want: filepath.Join(base, "out", "store")},
		"surrounding space": {url: "  out/x  ", want: filepath.Join(base, "out", "x")},
	} {
		t.Run(name, func(t *testing.T) {
			st, err := Open(context.Background(), c.url, base, S3Options{})
			if err != nil {
				t.Fatal(err)
			}
			d, ok := st.(*Dir)
			if !ok || d.Root() != c.want {
				t.Errorf("Open(%q) = %T %v, want the folder %s", c.url, st, st.Location(""), c.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	for name, c := range map[string]struct{ url, want string }{
		"empty":          {url: " ", want: "no store URL"},
		"scheme":         {url: "gs://bucket/x", want: `unsupported scheme "gs": want a path, file://DIR or s3://bucket/prefix`},
		"no bucket":      {url: "s3:///prefix", want: "want s3://bucket/prefix, with a bucket"},
		"bad endpoint":   {url: "s3://b/p?endpoint=127.0.0.1:9000", want: `endpoint "127.0.0.1:9000": want an http or https URL`},
		"unknown key":    {url: "s3://b/p?endpiont=http://x", want: `unknown setting "endpiont"`},
		"bad acl":        {url: "s3://b/p?acl=public", want: `acl "public": want "private" or "public-read"`},
		"bad checksum":   {url: "s3://b/p?checksum=never", want: `checksum "never"`},
		"bad part size":  {url: "s3://b/p?part-size=1", want: "part-size \"1\": want MiB between 5 and 5120"},
		"bad path-style": {url: "s3://b/p?path-style=maybe", want: `path-style "maybe": want true or false`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(context.Background(), c.url, t.TempDir(), S3Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open(%q) = %v, want an error containing %q", c.url, err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestApplyQuery(t *testing.T) {
	var o S3Options
	set, err := applyQuery(&o, map[string][]string{"endpoint": {"https://s3.example.test"}, "region": {"eu-west-1"},
		"path-style": {"false"}, "acl": {"public-read"}, "checksum": {"when-required"}, "part-size": {"64"}, "concurrency": {"8"}, "profile": {"ci"},
		"latest-copy-limit": {"20"}})
	if err != nil {
		t.Fatal(err)
	}
	want := S3Options{Endpoint: "https://s3.example.test", Region: "eu-west-1", ACL: "public-read", Checksum: "when-required",
		PartSize: 64 << 20, Concurrency: 8, Profile: "ci", LatestCopyLimit: 20 << 20}
	if !set || o != want {
		t.Errorf("applyQuery = %+v (path-style set %v), want %+v", o, set, want)
	}
	// 0 MiB: every alias is a pointer, which the options say with a
	// negative size (0 there is the default).
	if _, err := applyQuery(&o, map[string][]string{"latest-copy-limit": {"0"}}); err != nil || o.LatestCopyLimit >= 0 {
		t.Errorf("latest-copy-limit=0: %d, %v; want a negative limit", o.LatestCopyLimit, err)
	}
	for _, bad := range []string{"-1", "5121", "1.5", "big"} {
		if _, err := applyQuery(&o, map[string][]string{"latest-copy-limit": {bad}}); err == nil || !strings.Contains(err.Error(), "latest-copy-limit") {
			t.Errorf("latest-copy-limit=%s: err = %v, want it refused", bad, err)
		}
	}
}
