package ci

import "testing"

func TestGitLab(t *testing.T) {
	base := map[string]string{
		"CI": "true", "GITLAB_CI": "true", "CI_COMMIT_SHA": "0123abcd",
		"CI_JOB_URL": "https://lab.invalid/o/r/-/jobs/7",
	}
	job := "https://lab.invalid/o/r/-/jobs/7"
	run(t, map[string]test{
		"tag pipeline": {
			env:  with(base, "CI_COMMIT_TAG", "v3.0.0", "CI_COMMIT_REF_NAME", "v3.0.0"),
			want: Info{Provider: "gitlab", Tag: "v3.0.0", JobURL: job, Commit: "0123abcd"},
		},
		"branch pipeline": {
			env:  with(base, "CI_COMMIT_BRANCH", "main", "CI_COMMIT_REF_NAME", "main"),
			want: Info{Provider: "gitlab", Branch: "main", JobURL: job, Commit: "0123abcd"},
		},
		"merge request pipeline": {
			env: with(base, "CI_MERGE_REQUEST_IID", "15", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feat",
				"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main", "CI_COMMIT_REF_NAME", "feat"),
			want: Info{Provider: "gitlab", Branch: "feat", PullRequest: "15", JobURL: job, Commit: "0123abcd"},
		},
		"external pull request pipeline": {
			env: with(base, "CI_EXTERNAL_PULL_REQUEST_IID", "8", "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME", "gh-feat",
				"CI_COMMIT_BRANCH", "gh-feat"),
			want: Info{Provider: "gitlab", Branch: "gh-feat", PullRequest: "8", JobURL: job, Commit: "0123abcd"},
		},
		"empty tag and iid are not set": {
			env:  with(base, "CI_COMMIT_TAG", "", "CI_MERGE_REQUEST_IID", "", "CI_COMMIT_BRANCH", "dev"),
			want: Info{Provider: "gitlab", Branch: "dev", JobURL: job, Commit: "0123abcd"},
		},
		"old gitlab without CI_COMMIT_BRANCH": {
			env:  with(base, "CI_COMMIT_REF_NAME", "legacy"),
			want: Info{Provider: "gitlab", Branch: "legacy", JobURL: job, Commit: "0123abcd"},
		},
	})
}
