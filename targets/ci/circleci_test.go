package ci

import "testing"

func TestCircleCI(t *testing.T) {
	base := map[string]string{
		"CI": "true", "CIRCLECI": "true", "CIRCLE_SHA1": "beef42",
		"CIRCLE_BUILD_URL": "https://circle.invalid/gh/o/r/12",
	}
	job := "https://circle.invalid/gh/o/r/12"
	run(t, map[string]test{
		"tag build": {
			env:  with(base, "CIRCLE_TAG", "v5.0.0"),
			want: Info{Provider: "circleci", Tag: "v5.0.0", JobURL: job, Commit: "beef42"},
		},
		"branch build": {
			env:  with(base, "CIRCLE_BRANCH", "main"),
			want: Info{Provider: "circleci", Branch: "main", JobURL: job, Commit: "beef42"},
		},
		"branch with an open pull request": {
			env:  with(base, "CIRCLE_BRANCH", "topic", "CIRCLE_PULL_REQUEST", "https://forge.invalid/o/r/pull/77"),
			want: Info{Provider: "circleci", Branch: "topic", PullRequest: "77", JobURL: job, Commit: "beef42"},
		},
		"fork pull request": {
			env: with(base, "CIRCLE_BRANCH", "pull/78", "CIRCLE_PR_NUMBER", "78",
				"CIRCLE_PULL_REQUEST", "https://forge.invalid/o/r/pull/78"),
			want: Info{Provider: "circleci", Branch: "pull/78", PullRequest: "78", JobURL: job, Commit: "beef42"},
		},
		"several pull requests takes the first": {
			env:  with(base, "CIRCLE_BRANCH", "topic", "CIRCLE_PULL_REQUESTS", "https://forge.invalid/o/r/pull/3,https://forge.invalid/o/r/pull/4"),
			want: Info{Provider: "circleci", Branch: "topic", PullRequest: "3", JobURL: job, Commit: "beef42"},
		},
		"pull request address without a number": {
			env:  with(base, "CIRCLE_BRANCH", "topic", "CIRCLE_PULL_REQUEST", "https://forge.invalid/o/r/pulls"),
			want: Info{Provider: "circleci", Branch: "topic", JobURL: job, Commit: "beef42"},
		},
		"empty tag is a branch build": {
			env:  with(base, "CIRCLE_TAG", "", "CIRCLE_BRANCH", "dev", "CIRCLE_PULL_REQUEST", ""),
			want: Info{Provider: "circleci", Branch: "dev", JobURL: job, Commit: "beef42"},
		},
	})
}
