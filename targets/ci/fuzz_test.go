package ci

import (
	"strings"
	"testing"
)

// FuzzDetect feeds arbitrary environments, written as KEY=VALUE lines.
// Detect must not panic, must report nothing outside a known CI, and must
// never report a tag build as also being a branch build.
func FuzzDetect(f *testing.F) {
	for _, seed := range []string{
		"GITHUB_ACTIONS=true\nGITHUB_REF=refs/pull//merge\nGITHUB_HEAD_REF=x",
		"GITHUB_ACTIONS=true\nGITHUB_REF=refs/tags/\nGITHUB_REF_TYPE=branch",
		"GITLAB_CI=true\nCI_COMMIT_TAG=v1\nCI_MERGE_REQUEST_IID=2",
		"TRAVIS=true\nTRAVIS_TAG=v1\nTRAVIS_BRANCH=v1\nTRAVIS_PULL_REQUEST=false",
		"APPVEYOR=True\nAPPVEYOR_REPO_TAG=TRUE\nAPPVEYOR_REPO_BRANCH=x",
		"TF_BUILD=True\nBUILD_SOURCEBRANCH=refs/pull/1\nSYSTEM_COLLECTIONURI=/\nSYSTEM_TEAMPROJECT=%\nBUILD_BUILDID=?",
		"CIRCLECI=true\nCIRCLE_PULL_REQUEST=/,/1",
		"JENKINS_URL=x\nGIT_BRANCH=refs/remotes/\nTAG_NAME=",
		"BUILDKITE=true\nBUILDKITE_TAG=t\nBUILDKITE_BRANCH=b\nBUILDKITE_PULL_REQUEST=False",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, envText string) {
		env := map[string]string{}
		for line := range strings.SplitSeq(envText, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				env[k] = v
			}
		}
		info := Detect(func(k string) string { return env[k] })
		if !info.IsCI() && info != (Info{}) {
			t.Fatalf("no provider but %+v", info)
		}
		if info.Tag != "" && info.Branch != "" && !info.IsPullRequest() {
			t.Fatalf("tag and branch build at once: %+v", info)
		}
	})
}

// When two services' markers are present, the more specific one wins:
// Jenkins' JENKINS_URL leaks into anything run from a Jenkins agent.
func TestDetectOrder(t *testing.T) {
	run(t, map[string]test{
		"github runner on a jenkins agent": {
			env:  map[string]string{"JENKINS_URL": "x", "BRANCH_NAME": "j", "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/g"},
			want: Info{Provider: "github", Branch: "g"},
		},
		"buildkite on a jenkins agent": {
			env:  map[string]string{"JENKINS_URL": "x", "BRANCH_NAME": "j", "BUILDKITE": "true", "BUILDKITE_BRANCH": "b", "BUILDKITE_PULL_REQUEST": "false"},
			want: Info{Provider: "buildkite", Branch: "b"},
		},
	})
}
