package ci

// appveyor reads AppVeyor's variables. APPVEYOR_REPO_TAG is "true" or
// "false" (any case); APPVEYOR_REPO_BRANCH is the target branch on pull
// requests (the source is APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH) and the
// tag name on tag builds.
func appveyor(env func(string) string) (Info, bool) {
	if !isTrue(env("APPVEYOR")) {
		return Info{}, false
	}
	info := Info{
		Provider:    "appveyor",
		PullRequest: env("APPVEYOR_PULL_REQUEST_NUMBER"),
		Commit:      env("APPVEYOR_REPO_COMMIT"),
	}
	if isTrue(env("APPVEYOR_REPO_TAG")) {
		info.Tag = env("APPVEYOR_REPO_TAG_NAME")
	}
	switch {
	case info.PullRequest != "":
		info.Branch = env("APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH")
	case info.Tag == "":
		info.Branch = env("APPVEYOR_REPO_BRANCH")
	}
	base, account, slug := env("APPVEYOR_URL"), env("APPVEYOR_ACCOUNT_NAME"), env("APPVEYOR_PROJECT_SLUG")
	if base != "" && account != "" && slug != "" {
		if job := env("APPVEYOR_JOB_ID"); job != "" {
			info.JobURL = joinURL(base, "project", account, slug, "build", "job", job)
		} else if build := env("APPVEYOR_BUILD_ID"); build != "" {
			info.JobURL = joinURL(base, "project", account, slug, "builds", build)
		}
	}
	return info, true
}
