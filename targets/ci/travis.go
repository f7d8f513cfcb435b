package ci

// travis reads Travis CI's variables, which are always set: TRAVIS_TAG is ""
// on branch builds, TRAVIS_PULL_REQUEST is "false" outside pull requests,
// and TRAVIS_BRANCH is the tag on tag builds and the target branch on pull
// requests (the source is TRAVIS_PULL_REQUEST_BRANCH).
func travis(env func(string) string) (Info, bool) {
	if !isTrue(env("TRAVIS")) {
		return Info{}, false
	}
	info := Info{
		Provider:    "travis",
		Tag:         env("TRAVIS_TAG"),
		PullRequest: noFalse(env("TRAVIS_PULL_REQUEST")),
		JobURL:      first(env("TRAVIS_JOB_WEB_URL"), env("TRAVIS_BUILD_WEB_URL")),
		Commit:      env("TRAVIS_COMMIT"),
	}
	switch {
	case info.PullRequest != "":
		info.Branch = env("TRAVIS_PULL_REQUEST_BRANCH")
	case info.Tag == "":
		info.Branch = env("TRAVIS_BRANCH")
	}
	return info, true
}
