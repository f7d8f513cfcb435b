package ci

import "strings"

// jenkins reads Jenkins' variables. Multibranch pipelines set BRANCH_NAME,
// TAG_NAME on tag builds, and CHANGE_ID (the pull request number) with
// CHANGE_BRANCH (its source branch) on pull request builds, where
// BRANCH_NAME is "PR-N". Freestyle jobs only have the Git plugin's
// GIT_BRANCH, prefixed by the remote ("origin/main").
func jenkins(env func(string) string) (Info, bool) {
	if env("JENKINS_URL") == "" {
		return Info{}, false
	}
	info := Info{
		Provider:    "jenkins",
		Tag:         env("TAG_NAME"),
		PullRequest: env("CHANGE_ID"),
		JobURL:      env("BUILD_URL"),
		Commit:      env("GIT_COMMIT"),
	}
	switch {
	case info.PullRequest != "":
		info.Branch = first(env("CHANGE_BRANCH"), env("BRANCH_NAME"))
	case info.Tag != "":
		// BRANCH_NAME is the tag here.
	case env("BRANCH_NAME") != "":
		info.Branch = env("BRANCH_NAME")
	default:
		info.Tag, info.Branch = gitPluginBranch(first(env("GIT_LOCAL_BRANCH"), env("GIT_BRANCH")))
	}
	return info, true
}

// gitPluginBranch reads the Git plugin's GIT_BRANCH, which names the remote
// tracking branch ("origin/main", "refs/remotes/origin/main") or, when the
// job builds a ref spec, the ref itself ("refs/tags/v1").
func gitPluginBranch(b string) (tag, branch string) {
	switch {
	case strings.HasPrefix(b, "refs/tags/"), strings.HasPrefix(b, "refs/heads/"):
		tag, branch, _ = splitRef(b)
		return tag, branch
	case strings.HasPrefix(b, "refs/remotes/"):
		_, branch, _ = strings.Cut(strings.TrimPrefix(b, "refs/remotes/"), "/")
		return "", branch
	}
	return "", strings.TrimPrefix(b, "origin/")
}
