package ci

// UnknownPullRequest is Info.PullRequest for a pull request build whose
// number the environment does not give (GitHub's pull_request_target
// events, which run on the base branch's ref). It keeps IsPullRequest true:
// treating such a build as a branch build could publish from it.
const UnknownPullRequest = "unknown"

// github reads GitHub Actions' variables. GITHUB_REF is refs/tags/X,
// refs/heads/X or refs/pull/N/merge; GITHUB_HEAD_REF is set only for pull
// request events and names the source branch.
func github(env func(string) string) (Info, bool) {
	if !isTrue(env("GITHUB_ACTIONS")) {
		return Info{}, false
	}
	info := Info{Provider: "github", Commit: env("GITHUB_SHA")}
	if ref := env("GITHUB_REF"); ref != "" {
		info.Tag, info.Branch, info.PullRequest = splitRef(ref)
	} else {
		switch name := env("GITHUB_REF_NAME"); env("GITHUB_REF_TYPE") {
		case "tag":
			info.Tag = name
		case "branch":
			info.Branch = name
		}
	}
	if head := env("GITHUB_HEAD_REF"); head != "" {
		info.Tag, info.Branch = "", head
		if info.PullRequest == "" {
			info.PullRequest = UnknownPullRequest
		}
	}
	if server, repo, run := env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID"); server != "" && repo != "" && run != "" {
		info.JobURL = joinURL(server, repo, "actions", "runs", run)
		if attempt := env("GITHUB_RUN_ATTEMPT"); attempt != "" && attempt != "1" {
			info.JobURL = joinURL(info.JobURL, "attempts", attempt)
		}
	}
	return info, true
}
