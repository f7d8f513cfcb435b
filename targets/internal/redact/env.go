package redact

import (
	"regexp"
	"slices"
	"strings"
)

// HookURLVars name the variables whose whole value, a webhook URL, is a
// credential (notify's Slack and generic webhooks).
var HookURLVars = []string{"SLACK_WEBHOOK_URL", "PYRELEASE_WEBHOOK_URL"}

// secretEnv are the variables pyrelease reads credentials from, and
// those CI systems hand jobs theirs in.
var secretEnv = []string{
	"PYRELEASE_TOKEN", "TWINE_PASSWORD", "PYRELEASE_GIT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PYRELEASE_KEY",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_RUNTIME_TOKEN", "CI_JOB_TOKEN", "CI_JOB_JWT", "CI_JOB_JWT_V2",
	"PYPI_ID_TOKEN",
}

// secretName matches the names of other variables whose values are taken
// as secrets, as CI systems' log masking does: a masked build number
// costs nothing, a leaked token a great deal.
var secretName = regexp.MustCompile(`(?i)(token|passw(or)?d|secret|credential|api_?key|private_?key|(^|_)key$)`)

// AddEnvironment adds the secrets of env (KEY=value lines) to Default:
// the variables pyrelease and CI systems keep credentials in, variables
// named like a secret (values of 8 bytes or more), the hook URLs, which
// are credentials whole, and the password of any URL with one
// (PIP_INDEX_URL often carries the index's).
func AddEnvironment(env []string) {
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		switch {
		case slices.Contains(HookURLVars, k):
			AddURL(v, true)
		case slices.Contains(secretEnv, k):
			AddBasic("__token__", v)
		case secretName.MatchString(k) && len(v) >= 8:
			Add(v)
		case strings.Contains(v, "@") && strings.Contains(v, "://"):
			for _, f := range strings.Fields(v) {
				AddURL(f, false)
			}
		}
	}
}
