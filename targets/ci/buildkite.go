package ci

// buildkite reads Buildkite's variables, which are set even when they do not
// apply: BUILDKITE_TAG is "" on branch builds and BUILDKITE_PULL_REQUEST is
// "false" outside pull requests. On pull requests BUILDKITE_BRANCH is the
// source branch; on tag builds it is not a branch, so it is not reported.
func buildkite(env func(string) string) (Info, bool) {
	if !isTrue(env("BUILDKITE")) {
		return Info{}, false
	}
	info := Info{
		Provider:    "buildkite",
		Tag:         env("BUILDKITE_TAG"),
		PullRequest: noFalse(env("BUILDKITE_PULL_REQUEST")),
		JobURL:      env("BUILDKITE_BUILD_URL"),
		Commit:      env("BUILDKITE_COMMIT"),
	}
	if info.Tag == "" {
		info.Branch = env("BUILDKITE_BRANCH")
	}
	if job := env("BUILDKITE_JOB_ID"); info.JobURL != "" && job != "" {
		// The build page anchors each job by its id.
		info.JobURL += "#" + job
	}
	if info.Commit == "HEAD" {
		// Builds started by hand without a commit report HEAD until the
		// agent resolves it; that names no commit.
		info.Commit = ""
	}
	return info, true
}
