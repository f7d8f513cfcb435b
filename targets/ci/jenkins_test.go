package ci

import "testing"

func TestJenkins(t *testing.T) {
	base := map[string]string{
		"JENKINS_URL": "https://jenkins.invalid/", "BUILD_URL": "https://jenkins.invalid/job/r/3/",
		"GIT_COMMIT": "d00d",
	}
	job := "https://jenkins.invalid/job/r/3/"
	run(t, map[string]test{
		"multibranch tag build": {
			env:  with(base, "TAG_NAME", "v1.0", "BRANCH_NAME", "v1.0"),
			want: Info{Provider: "jenkins", Tag: "v1.0", JobURL: job, Commit: "d00d"},
		},
		"multibranch branch build": {
			env:  with(base, "BRANCH_NAME", "feature/x", "GIT_BRANCH", "feature/x"),
			want: Info{Provider: "jenkins", Branch: "feature/x", JobURL: job, Commit: "d00d"},
		},
		"multibranch pull request": {
			env:  with(base, "BRANCH_NAME", "PR-12", "CHANGE_ID", "12", "CHANGE_BRANCH", "topic", "CHANGE_TARGET", "main"),
			want: Info{Provider: "jenkins", Branch: "topic", PullRequest: "12", JobURL: job, Commit: "d00d"},
		},
		"pull request without CHANGE_BRANCH": {
			env:  with(base, "BRANCH_NAME", "PR-12", "CHANGE_ID", "12"),
			want: Info{Provider: "jenkins", Branch: "PR-12", PullRequest: "12", JobURL: job, Commit: "d00d"},
		},
		"freestyle remote branch": {
			env:  with(base, "GIT_BRANCH", "origin/main"),
			want: Info{Provider: "jenkins", Branch: "main", JobURL: job, Commit: "d00d"},
		},
		"freestyle remote ref": {
			env:  with(base, "GIT_BRANCH", "refs/remotes/upstream/release/1.x"),
			want: Info{Provider: "jenkins", Branch: "release/1.x", JobURL: job, Commit: "d00d"},
		},
		"freestyle tag ref": {
			env:  with(base, "GIT_BRANCH", "refs/tags/v2"),
			want: Info{Provider: "jenkins", Tag: "v2", JobURL: job, Commit: "d00d"},
		},
		"freestyle local branch wins": {
			env:  with(base, "GIT_BRANCH", "origin/main", "GIT_LOCAL_BRANCH", "main-local"),
			want: Info{Provider: "jenkins", Branch: "main-local", JobURL: job, Commit: "d00d"},
		},
		"empty CHANGE_ID is not a pull request": {
			env:  with(base, "CHANGE_ID", "", "BRANCH_NAME", "main"),
			want: Info{Provider: "jenkins", Branch: "main", JobURL: job, Commit: "d00d"},
		},
	})
}
