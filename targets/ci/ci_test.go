package ci

import "testing"

// test is one environment and the Info it must give.
type test struct {
	env  map[string]string
	want Info
}

func run(t *testing.T, tests map[string]test) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Detect(func(k string) string { return tc.env[k] })
			if got != tc.want {
				t.Errorf("Detect =\n  %+v\nwant\n  %+v", got, tc.want)
			}
			if got.IsCI() != (tc.want.Provider != "") {
				t.Errorf("IsCI = %v", got.IsCI())
			}
			if got.IsPullRequest() != (tc.want.PullRequest != "") {
				t.Errorf("IsPullRequest = %v", got.IsPullRequest())
			}
		})
	}
}

// with returns base plus the extra variables.
func with(base map[string]string, kv ...string) map[string]string {
	m := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestDetectNoCI(t *testing.T) {
	run(t, map[string]test{
		"empty environment": {env: nil, want: Info{}},
		"generic CI only":   {env: map[string]string{"CI": "true", "BUILD_URL": "x"}, want: Info{}},
		"markers set to false or empty": {env: map[string]string{
			"GITHUB_ACTIONS": "false", "GITLAB_CI": "", "TRAVIS": "false", "APPVEYOR": "False",
			"TF_BUILD": "false", "CIRCLECI": "", "BUILDKITE": "false", "JENKINS_URL": "  ",
		}, want: Info{}},
	})
	if got := Detect(nil); got != (Info{}) {
		t.Errorf("Detect(nil) = %+v", got)
	}
}

func TestIsPullRequestAndIsCI(t *testing.T) {
	tests := map[string]struct {
		info   Info
		pr, ci bool
	}{
		"zero":         {info: Info{}, pr: false, ci: false},
		"branch build": {info: Info{Provider: "gitlab", Branch: "main"}, pr: false, ci: true},
		"pull request": {info: Info{Provider: "github", PullRequest: "7"}, pr: true, ci: true},
		"unknown pr":   {info: Info{Provider: "github", PullRequest: UnknownPullRequest}, pr: true, ci: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.info.IsPullRequest(); got != tc.pr {
				t.Errorf("IsPullRequest = %v, want %v", got, tc.pr)
			}
			if got := tc.info.IsCI(); got != tc.ci {
				t.Errorf("IsCI = %v, want %v", got, tc.ci)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	refs := map[string]struct{ ref, tag, branch, pr string }{
		"tag":         {ref: "refs/tags/v1.0", tag: "v1.0"},
		"slashed tag": {ref: "refs/tags/pkg/v1", tag: "pkg/v1"},
		"branch":      {ref: "refs/heads/feature/x", branch: "feature/x"},
		"pull merge":  {ref: "refs/pull/12/merge", pr: "12"},
		"pull head":   {ref: "refs/pull/3/head", pr: "3"},
		"bare branch": {ref: "main", branch: "main"},
		"empty":       {ref: ""},
	}
	for name, tc := range refs {
		t.Run("splitRef/"+name, func(t *testing.T) {
			tag, branch, pr := splitRef(tc.ref)
			if tag != tc.tag || branch != tc.branch || pr != tc.pr {
				t.Errorf("splitRef(%q) = %q, %q, %q; want %q, %q, %q", tc.ref, tag, branch, pr, tc.tag, tc.branch, tc.pr)
			}
		})
	}
	values := map[string]struct{ in, want string }{
		"trimmed":          {in: " x \n", want: "x"},
		"azure macro":      {in: "$(System.PullRequest.PullRequestNumber)", want: ""},
		"dollar not macro": {in: "$5", want: "$5"},
	}
	for name, tc := range values {
		t.Run("clean/"+name, func(t *testing.T) {
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
