package targets

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/store"
)

func TestDocsPrefixes(t *testing.T) {
	for name, tc := range map[string]struct {
		info buildVersion
		want []string
		err  string
	}{
		"tag":                  {info: buildVersion{Version: "1.2.0", Tagged: true, Branch: "main"}, want: []string{"docs/v1.2.0/", "docs/latest/"}},
		"branch":               {info: buildVersion{Version: "1.2.1.dev3", Branch: "main"}, want: []string{"docs/main/"}},
		"branch with a slash":  {info: buildVersion{Version: "1.2.1.dev3", Branch: "feature/login"}, want: []string{"docs/feature-login/"}},
		"branch like a series": {info: buildVersion{Version: "1.2.1.dev3", Branch: "v2.x"}, want: []string{"docs/v2.x/"}},
		"branch like a tag":    {info: buildVersion{Version: "1.2.1.dev3", Branch: "v1.2"}, err: "names a release's docs"},
		"branch latest":        {info: buildVersion{Version: "1.2.1.dev3", Branch: "latest"}, err: "names a release's docs"},
		"no branch":            {info: buildVersion{Version: "1.2.1.dev3", Describe: "v1.2.0-3-gabc"}, err: "on no branch"},
		"pull request":         {info: buildVersion{Version: "1.2.0", Tagged: true, CI: "github", PullRequest: "7"}, err: "pull-request"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := docsPrefixes(tc.info)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("docsPrefixes = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestDocsLatest(t *testing.T) {
	ctx := context.Background()
	st, err := store.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"docs/v1.1.0/index.html", "docs/v3.0.0rc1/index.html", "docs/vnext/index.html"} {
		if err := st.PutBytes(ctx, k, []byte("x"), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for version, want := range map[string]bool{
		"1.2.0":    true,  // newer than every release there
		"1.1.0":    true,  // itself, published again
		"1.0.5":    false, // a backport
		"2.0.0rc1": false, // a pre-release
		"2.0.0":    true,  // a release candidate there does not hold it back
	} {
		if got, err := docsLatest(ctx, st, version); err != nil || got != want {
			t.Errorf("docsLatest(%s) = %v, %v; want %v", version, got, err, want)
		}
	}
}
