// Package ci tells which CI service pyrelease runs on and what that service
// says about the build: the tag or branch being built, the pull request, the
// commit and a link to the job log. Release steps use it to publish only
// from tag builds, never from pull requests, and to link notifications to
// the log.
//
// Every provider is judged by the values of its variables, not by their
// presence: several set a variable to "" or "false" to mean "no" (Travis's
// TRAVIS_TAG and TRAVIS_PULL_REQUEST, AppVeyor's APPVEYOR_REPO_TAG,
// Buildkite's BUILDKITE_PULL_REQUEST).
//
// For pull request builds Branch is the source branch of the pull request
// (the branch being proposed), on every provider.
package ci

import (
	"strings"
)

// Info describes the current build as the CI service reports it.
type Info struct {
	// Provider is "github", "gitlab", "travis", "appveyor", "azure",
	// "circleci", "jenkins" or "buildkite"; "" when not on a known CI.
	Provider    string
	Tag         string // the tag being built; "" when not a tag build
	Branch      string // branch being built, the source branch for pull requests; "" for tag builds
	PullRequest string // pull/merge request number or id; "" when not a pull request build
	JobURL      string // link to the job or build log; "" when the provider does not give enough to build one
	Commit      string // commit being built, as the provider reports it
}

// detectors are tried in order; the first that recognises its provider wins.
// Services that run inside others (a GitHub Actions runner on a Jenkins
// agent, say) are rare; the order puts the more specific markers first.
func detectors() []func(getenv func(string) string) (Info, bool) {
	return []func(func(string) string) (Info, bool){
		github, gitlab, travis, appveyor, azure, circleci, buildkite, jenkins,
	}
}

// Detect reports the CI service and build described by the environment, as
// read through getenv (os.Getenv in production). Outside CI it returns the
// zero Info.
func Detect(getenv func(string) string) Info {
	if getenv == nil {
		return Info{}
	}
	env := func(k string) string { return clean(getenv(k)) }
	for _, d := range detectors() {
		if info, ok := d(env); ok {
			return info
		}
	}
	return Info{}
}

// IsPullRequest reports whether the build tests a pull or merge request:
// such builds run code that is not on any release branch yet.
func (i Info) IsPullRequest() bool { return i.PullRequest != "" }

// IsCI reports whether a known CI service was detected.
func (i Info) IsCI() bool { return i.Provider != "" }

// clean trims a value and drops Azure Pipelines' unexpanded "$(Var.Name)"
// macros, which appear when a pipeline maps a variable that is not defined
// for this build (a pull request number on a branch build).
func clean(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "$(") && strings.HasSuffix(v, ")") {
		return ""
	}
	return v
}

// isTrue reads a boolean flag variable; providers differ in case ("True" on
// AppVeyor's and Azure's Windows images).
func isTrue(v string) bool {
	return strings.EqualFold(v, "true")
}

// noFalse maps the "false" some providers use for "no value" to "".
func noFalse(v string) string {
	if strings.EqualFold(v, "false") {
		return ""
	}
	return v
}

// splitRef interprets a full git ref as the tag, branch or pull request it
// names. Refs of other shapes are returned as the branch, stripped of
// nothing: better a strange branch name than a lost one.
func splitRef(ref string) (tag, branch, pr string) {
	switch {
	case strings.HasPrefix(ref, "refs/tags/"):
		return strings.TrimPrefix(ref, "refs/tags/"), "", ""
	case strings.HasPrefix(ref, "refs/heads/"):
		return "", strings.TrimPrefix(ref, "refs/heads/"), ""
	case strings.HasPrefix(ref, "refs/pull/"):
		// refs/pull/N/merge or refs/pull/N/head
		n, _, _ := strings.Cut(strings.TrimPrefix(ref, "refs/pull/"), "/")
		return "", "", n
	}
	return "", ref, ""
}

// trimHeads strips refs/heads/ where a provider reports a branch as a ref.
func trimHeads(b string) string {
	return strings.TrimPrefix(b, "refs/heads/")
}

// joinURL joins base and path with exactly one slash between them.
func joinURL(base string, parts ...string) string {
	u := strings.TrimRight(base, "/")
	for _, p := range parts {
		u += "/" + strings.Trim(p, "/")
	}
	return u
}

// first returns the first non-empty value.
func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
