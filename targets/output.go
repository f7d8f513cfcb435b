package targets

import (
	"os"
	"regexp"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/redact"
	"github.com/pyrelease/pyrelease/targets/notify"
)

// Everything pyrelease prints passes through these: results on stdout,
// logs and the output of the commands it runs on stderr. Both remove the
// secrets of the run (redact.Default) in every form they are echoed in;
// the error a target returns is cleaned by scrub.
var (
	stdout = redact.NewWriter(stdFile{&os.Stdout}, nil)
	stderr = redact.NewWriter(stdFile{&os.Stderr}, nil)
)

// stdFile writes to what os.Stdout or os.Stderr is at the time, as
// fmt.Print does, for a program (or a test) that swaps them.
type stdFile struct{ f **os.File }

func (s stdFile) Write(p []byte) (int, error) { return (*s.f).Write(p) }

func init() { registerSecrets(os.Environ()) }

// scrub cleans the error a target returns, which mage prints.
func scrub(err *error) {
	stdout.Close()
	stderr.Close()
	*err = redact.Error(*err)
}

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

// registerSecrets adds the secrets of env (KEY=value lines) to
// redact.Default: the variables above, variables named like a secret
// (values of 8 bytes or more), the hook URLs, which are credentials
// whole, and the password of any URL with one (PIP_INDEX_URL often
// carries the index's).
func registerSecrets(env []string) {
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		switch {
		case k == notify.EnvSlackURL || k == notify.EnvWebhookURL:
			redact.AddURL(v, true)
		case contains(secretEnv, k):
			redact.AddBasic("__token__", v)
		case secretName.MatchString(k) && len(v) >= 8:
			redact.Add(v)
		case strings.Contains(v, "@") && strings.Contains(v, "://"):
			for _, f := range strings.Fields(v) {
				redact.AddURL(f, false)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
