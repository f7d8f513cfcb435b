package ci

import "testing"

func TestTravis(t *testing.T) {
	base := map[string]string{
		"CI": "true", "TRAVIS": "true", "TRAVIS_COMMIT": "feed01",
		"TRAVIS_BUILD_WEB_URL": "https://travis.invalid/o/r/builds/5",
		"TRAVIS_JOB_WEB_URL":   "https://travis.invalid/o/r/jobs/6",
		// Always set; these values mean "no".
		"TRAVIS_TAG": "", "TRAVIS_PULL_REQUEST": "false", "TRAVIS_PULL_REQUEST_BRANCH": "",
	}
	job := "https://travis.invalid/o/r/jobs/6"
	run(t, map[string]test{
		"tag build": {
			env:  with(base, "TRAVIS_TAG", "v0.9", "TRAVIS_BRANCH", "v0.9"),
			want: Info{Provider: "travis", Tag: "v0.9", JobURL: job, Commit: "feed01"},
		},
		"branch build with empty tag and false pull request": {
			env:  with(base, "TRAVIS_BRANCH", "main"),
			want: Info{Provider: "travis", Branch: "main", JobURL: job, Commit: "feed01"},
		},
		"pull request": {
			env:  with(base, "TRAVIS_PULL_REQUEST", "17", "TRAVIS_BRANCH", "main", "TRAVIS_PULL_REQUEST_BRANCH", "topic"),
			want: Info{Provider: "travis", Branch: "topic", PullRequest: "17", JobURL: job, Commit: "feed01"},
		},
		"build url when no job url": {
			env:  with(base, "TRAVIS_BRANCH", "main", "TRAVIS_JOB_WEB_URL", ""),
			want: Info{Provider: "travis", Branch: "main", JobURL: "https://travis.invalid/o/r/builds/5", Commit: "feed01"},
		},
	})
}
