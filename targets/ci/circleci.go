package ci

import (
	"path"
	"strings"
)

// circleci reads CircleCI's variables. CIRCLE_TAG is set only on tag builds
// and CIRCLE_BRANCH only on branch builds. A branch with an open pull request
// has CIRCLE_PULL_REQUEST (the pull request's web address, number last);
// builds of pull requests from forks also have CIRCLE_PR_NUMBER.
func circleci(env func(string) string) (Info, bool) {
	if !isTrue(env("CIRCLECI")) {
		return Info{}, false
	}
	info := Info{
		Provider: "circleci",
		Tag:      env("CIRCLE_TAG"),
		JobURL:   env("CIRCLE_BUILD_URL"),
		Commit:   env("CIRCLE_SHA1"),
	}
	if info.Tag == "" {
		info.Branch = env("CIRCLE_BRANCH")
	}
	info.PullRequest = env("CIRCLE_PR_NUMBER")
	if info.PullRequest == "" {
		// CIRCLE_PULL_REQUESTS lists every open pull request of the branch.
		addr, _, _ := strings.Cut(first(env("CIRCLE_PULL_REQUEST"), env("CIRCLE_PULL_REQUESTS")), ",")
		info.PullRequest = pullNumber(addr)
	}
	return info, true
}

// pullNumber takes the number off the end of a pull request's address;
// anything else gives "".
func pullNumber(addr string) string {
	addr = strings.TrimRight(strings.TrimSpace(addr), "/")
	if addr == "" {
		return ""
	}
	n := path.Base(addr)
	if strings.Trim(n, "0123456789") != "" {
		return ""
	}
	return n
}
