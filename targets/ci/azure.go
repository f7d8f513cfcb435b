package ci

import "net/url"

// azure reads Azure Pipelines' variables. BUILD_SOURCEBRANCH is a full ref;
// for pull requests it is refs/pull/N/merge, the number is in
// SYSTEM_PULLREQUEST_PULLREQUESTNUMBER (GitHub repositories) or
// SYSTEM_PULLREQUEST_PULLREQUESTID (Azure Repos), and the source branch in
// SYSTEM_PULLREQUEST_SOURCEBRANCH, with or without refs/heads/.
func azure(env func(string) string) (Info, bool) {
	if !isTrue(env("TF_BUILD")) {
		return Info{}, false
	}
	info := Info{Provider: "azure", Commit: env("BUILD_SOURCEVERSION")}
	var refPR string
	info.Tag, info.Branch, refPR = splitRef(env("BUILD_SOURCEBRANCH"))
	// The number, not the id: on GitHub repositories the id is an internal
	// one nobody would recognise.
	info.PullRequest = first(env("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER"), env("SYSTEM_PULLREQUEST_PULLREQUESTID"), refPR)
	if info.PullRequest != "" {
		info.Tag = ""
		info.Branch = trimHeads(env("SYSTEM_PULLREQUEST_SOURCEBRANCH"))
	}
	collection, project, build := env("SYSTEM_COLLECTIONURI"), env("SYSTEM_TEAMPROJECT"), env("BUILD_BUILDID")
	if collection != "" && project != "" && build != "" {
		info.JobURL = joinURL(collection, url.PathEscape(project), "_build", "results") + "?buildId=" + url.QueryEscape(build)
	}
	return info, true
}
