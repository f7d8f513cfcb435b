package ci

import "testing"

func TestAppVeyor(t *testing.T) {
	base := map[string]string{
		"CI": "True", "APPVEYOR": "True", "APPVEYOR_REPO_COMMIT": "c0ffee",
		"APPVEYOR_URL": "https://av.invalid", "APPVEYOR_ACCOUNT_NAME": "acct", "APPVEYOR_PROJECT_SLUG": "proj",
		"APPVEYOR_BUILD_ID": "1001", "APPVEYOR_JOB_ID": "j1",
		"APPVEYOR_REPO_TAG": "false",
	}
	job := "https://av.invalid/project/acct/proj/build/job/j1"
	run(t, map[string]test{
		"tag build": {
			env:  with(base, "APPVEYOR_REPO_TAG", "true", "APPVEYOR_REPO_TAG_NAME", "v1", "APPVEYOR_REPO_BRANCH", "v1"),
			want: Info{Provider: "appveyor", Tag: "v1", JobURL: job, Commit: "c0ffee"},
		},
		"branch build with REPO_TAG false": {
			env:  with(base, "APPVEYOR_REPO_BRANCH", "main"),
			want: Info{Provider: "appveyor", Branch: "main", JobURL: job, Commit: "c0ffee"},
		},
		"tag name ignored when REPO_TAG is false": {
			env:  with(base, "APPVEYOR_REPO_TAG_NAME", "stale", "APPVEYOR_REPO_BRANCH", "main"),
			want: Info{Provider: "appveyor", Branch: "main", JobURL: job, Commit: "c0ffee"},
		},
		"pull request": {
			env: with(base, "APPVEYOR_PULL_REQUEST_NUMBER", "5", "APPVEYOR_REPO_BRANCH", "master",
				"APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH", "pr-branch"),
			want: Info{Provider: "appveyor", Branch: "pr-branch", PullRequest: "5", JobURL: job, Commit: "c0ffee"},
		},
		"ubuntu image lowercase true": {
			env:  with(base, "APPVEYOR", "true", "APPVEYOR_REPO_TAG", "True", "APPVEYOR_REPO_TAG_NAME", "v2"),
			want: Info{Provider: "appveyor", Tag: "v2", JobURL: job, Commit: "c0ffee"},
		},
		"build url without job id": {
			env:  with(base, "APPVEYOR_JOB_ID", "", "APPVEYOR_REPO_BRANCH", "main", "APPVEYOR_URL", "https://av.invalid/"),
			want: Info{Provider: "appveyor", Branch: "main", JobURL: "https://av.invalid/project/acct/proj/builds/1001", Commit: "c0ffee"},
		},
	})
}
