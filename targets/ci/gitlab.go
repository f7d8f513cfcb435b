package ci

// gitlab reads GitLab CI/CD's variables. CI_COMMIT_TAG exists only in tag
// pipelines and CI_COMMIT_BRANCH only in branch pipelines; merge request
// pipelines have neither but CI_MERGE_REQUEST_IID, and pipelines for a
// GitHub repository's pull requests have CI_EXTERNAL_PULL_REQUEST_IID.
func gitlab(env func(string) string) (Info, bool) {
	if !isTrue(env("GITLAB_CI")) {
		return Info{}, false
	}
	info := Info{
		Provider: "gitlab",
		Tag:      env("CI_COMMIT_TAG"),
		JobURL:   env("CI_JOB_URL"),
		Commit:   env("CI_COMMIT_SHA"),
	}
	switch {
	case env("CI_MERGE_REQUEST_IID") != "":
		info.PullRequest = env("CI_MERGE_REQUEST_IID")
		info.Branch = env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
	case env("CI_EXTERNAL_PULL_REQUEST_IID") != "":
		info.PullRequest = env("CI_EXTERNAL_PULL_REQUEST_IID")
		info.Branch = env("CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME")
	case info.Tag != "":
		// CI_COMMIT_REF_NAME is the tag here, not a branch.
	default:
		// CI_COMMIT_BRANCH arrived in GitLab 12.6; the ref name is the
		// branch in older branch pipelines.
		info.Branch = first(env("CI_COMMIT_BRANCH"), env("CI_COMMIT_REF_NAME"))
	}
	return info, true
}
