package ci

import "testing"

func TestAzure(t *testing.T) {
	base := map[string]string{
		"TF_BUILD": "True", "BUILD_SOURCEVERSION": "a1b2c3",
		"SYSTEM_COLLECTIONURI": "https://dev.invalid/org/", "SYSTEM_TEAMPROJECT": "My Project", "BUILD_BUILDID": "321",
	}
	job := "https://dev.invalid/org/My%20Project/_build/results?buildId=321"
	run(t, map[string]test{
		"tag build": {
			env:  with(base, "BUILD_SOURCEBRANCH", "refs/tags/v4.1", "BUILD_SOURCEBRANCHNAME", "v4.1"),
			want: Info{Provider: "azure", Tag: "v4.1", JobURL: job, Commit: "a1b2c3"},
		},
		"branch build keeps slashes": {
			env:  with(base, "BUILD_SOURCEBRANCH", "refs/heads/feature/login", "BUILD_SOURCEBRANCHNAME", "login"),
			want: Info{Provider: "azure", Branch: "feature/login", JobURL: job, Commit: "a1b2c3"},
		},
		"github pull request prefers the number": {
			env: with(base, "BUILD_SOURCEBRANCH", "refs/pull/9/merge", "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "9",
				"SYSTEM_PULLREQUEST_PULLREQUESTID", "712345678", "SYSTEM_PULLREQUEST_SOURCEBRANCH", "topic",
				"SYSTEM_PULLREQUEST_TARGETBRANCH", "main"),
			want: Info{Provider: "azure", Branch: "topic", PullRequest: "9", JobURL: job, Commit: "a1b2c3"},
		},
		"azure repos pull request": {
			env: with(base, "BUILD_SOURCEBRANCH", "refs/pull/31/merge", "SYSTEM_PULLREQUEST_PULLREQUESTID", "31",
				"SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/topic"),
			want: Info{Provider: "azure", Branch: "topic", PullRequest: "31", JobURL: job, Commit: "a1b2c3"},
		},
		"pull request ref without pr variables": {
			env:  with(base, "BUILD_SOURCEBRANCH", "refs/pull/4/merge"),
			want: Info{Provider: "azure", PullRequest: "4", JobURL: job, Commit: "a1b2c3"},
		},
		"unexpanded macros are not values": {
			env: with(base, "BUILD_SOURCEBRANCH", "refs/heads/main",
				"SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "$(System.PullRequest.PullRequestNumber)",
				"SYSTEM_PULLREQUEST_PULLREQUESTID", "$(System.PullRequest.PullRequestId)"),
			want: Info{Provider: "azure", Branch: "main", JobURL: job, Commit: "a1b2c3"},
		},
		"TF_BUILD lowercase": {
			env:  with(base, "TF_BUILD", "true", "BUILD_SOURCEBRANCH", "refs/heads/main"),
			want: Info{Provider: "azure", Branch: "main", JobURL: job, Commit: "a1b2c3"},
		},
	})
}
