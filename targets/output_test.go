package targets

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/redact"
	"github.com/pyrelease/pyrelease/targets/notify"
)

func TestRegisterSecretsFromTheEnvironment(t *testing.T) {
	env := []string{
		"PYPI_ID_TOKEN=eyJhbGciOiJSUzI1NiJ9.gitlab-id-token",
		"PIP_INDEX_URL=https://ci:idx-pass-0123@pkgs.example.test/simple",
		"PIP_EXTRA_INDEX_URL=https://a.example.test/simple https://bot:extra-pass-4567@b.example.test/simple",
		"DEPLOY_API_KEY=deploy-key-89ab",
		"BUILD_NUMBER=12345678",
		"PATH=/usr/bin:/bin",
	}
	registerSecrets(env)
	for _, secret := range []string{"eyJhbGciOiJSUzI1NiJ9.gitlab-id-token", "idx-pass-0123", "extra-pass-4567", "deploy-key-89ab"} {
		text := "echo " + secret + " " + base64.StdEncoding.EncodeToString([]byte("ci:"+secret))
		if got := redact.String(text); strings.Contains(got, secret) || strings.Count(got, redact.Mask) < 2 {
			t.Errorf("%q: not masked in every form: %q", secret, got)
		}
	}
	for _, kept := range []string{"12345678", "/usr/bin:/bin", "pkgs.example.test/simple"} {
		if got := redact.String("x " + kept); !strings.Contains(got, kept) {
			t.Errorf("%q is not a secret, and was masked: %q", kept, got)
		}
	}
}

// The webhook variables notify reads are masked whole.
func TestHookURLVarsAreNotifys(t *testing.T) {
	for _, v := range []string{notify.EnvSlackURL, notify.EnvWebhookURL} {
		if !slices.Contains(redact.HookURLVars, v) {
			t.Errorf("redact.HookURLVars lacks %s", v)
		}
	}
}
