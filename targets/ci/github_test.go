package ci

import "testing"

func TestGitHub(t *testing.T) {
	base := map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_SHA": "abc123",
		"GITHUB_SERVER_URL": "https://forge.invalid", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "99",
		"GITHUB_RUN_ATTEMPT": "1",
		// Set on every event, empty outside pull requests.
		"GITHUB_HEAD_REF": "", "GITHUB_BASE_REF": "",
	}
	job := "https://forge.invalid/o/r/actions/runs/99"
	run(t, map[string]test{
		"tag build": {
			env:  with(base, "GITHUB_EVENT_NAME", "push", "GITHUB_REF", "refs/tags/v1.2.0", "GITHUB_REF_TYPE", "tag", "GITHUB_REF_NAME", "v1.2.0"),
			want: Info{Provider: "github", Tag: "v1.2.0", JobURL: job, Commit: "abc123"},
		},
		"branch build": {
			env:  with(base, "GITHUB_EVENT_NAME", "push", "GITHUB_REF", "refs/heads/release/2.x", "GITHUB_REF_TYPE", "branch", "GITHUB_REF_NAME", "release/2.x"),
			want: Info{Provider: "github", Branch: "release/2.x", JobURL: job, Commit: "abc123"},
		},
		"pull request": {
			env: with(base, "GITHUB_EVENT_NAME", "pull_request", "GITHUB_REF", "refs/pull/42/merge", "GITHUB_REF_NAME", "42/merge",
				"GITHUB_REF_TYPE", "branch", "GITHUB_HEAD_REF", "fix-thing", "GITHUB_BASE_REF", "main"),
			want: Info{Provider: "github", Branch: "fix-thing", PullRequest: "42", JobURL: job, Commit: "abc123"},
		},
		"pull_request_target runs on the base ref": {
			env: with(base, "GITHUB_EVENT_NAME", "pull_request_target", "GITHUB_REF", "refs/heads/main",
				"GITHUB_HEAD_REF", "contrib", "GITHUB_BASE_REF", "main"),
			want: Info{Provider: "github", Branch: "contrib", PullRequest: UnknownPullRequest, JobURL: job, Commit: "abc123"},
		},
		"no GITHUB_REF falls back to type and name": {
			env:  with(base, "GITHUB_REF_TYPE", "tag", "GITHUB_REF_NAME", "v2"),
			want: Info{Provider: "github", Tag: "v2", JobURL: job, Commit: "abc123"},
		},
		"rerun links the attempt": {
			env:  with(base, "GITHUB_REF", "refs/heads/main", "GITHUB_RUN_ATTEMPT", "3"),
			want: Info{Provider: "github", Branch: "main", JobURL: job + "/attempts/3", Commit: "abc123"},
		},
		"no job url without server": {
			env:  with(base, "GITHUB_REF", "refs/heads/main", "GITHUB_SERVER_URL", ""),
			want: Info{Provider: "github", Branch: "main", Commit: "abc123"},
		},
		"GITHUB_ACTIONS not true": {
			env:  with(base, "GITHUB_ACTIONS", "false", "GITHUB_REF", "refs/tags/v1"),
			want: Info{},
		},
	})
}
