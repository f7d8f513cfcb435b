package ci

import "testing"

func TestBuildkite(t *testing.T) {
	base := map[string]string{
		"CI": "true", "BUILDKITE": "true", "BUILDKITE_COMMIT": "cafe99",
		"BUILDKITE_BUILD_URL": "https://bk.invalid/o/p/builds/8", "BUILDKITE_JOB_ID": "j-1",
		// Always set; these values mean "no".
		"BUILDKITE_TAG": "", "BUILDKITE_PULL_REQUEST": "false",
	}
	job := "https://bk.invalid/o/p/builds/8#j-1"
	run(t, map[string]test{
		"tag build": {
			env:  with(base, "BUILDKITE_TAG", "v6", "BUILDKITE_BRANCH", "v6"),
			want: Info{Provider: "buildkite", Tag: "v6", JobURL: job, Commit: "cafe99"},
		},
		"branch build with empty tag and false pull request": {
			env:  with(base, "BUILDKITE_BRANCH", "main"),
			want: Info{Provider: "buildkite", Branch: "main", JobURL: job, Commit: "cafe99"},
		},
		"pull request": {
			env:  with(base, "BUILDKITE_PULL_REQUEST", "21", "BUILDKITE_BRANCH", "someone:topic", "BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main"),
			want: Info{Provider: "buildkite", Branch: "someone:topic", PullRequest: "21", JobURL: job, Commit: "cafe99"},
		},
		"manual build on HEAD names no commit": {
			env:  with(base, "BUILDKITE_BRANCH", "main", "BUILDKITE_COMMIT", "HEAD", "BUILDKITE_JOB_ID", ""),
			want: Info{Provider: "buildkite", Branch: "main", JobURL: "https://bk.invalid/o/p/builds/8"},
		},
	})
}
