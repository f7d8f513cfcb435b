package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.json golden payloads")

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var releases = map[string]Release{
	"one-file": {
		Project: "greet", Version: "1.2.0", Tag: "v1.2.0",
		Commit:     "0123456789abcdef0123456789abcdef01234567",
		Repository: "pypi",
		ProjectURL: "https://pypi.example/project/greet/1.2.0/",
		JobURL:     "https://ci.example/greet/jobs/42",
		Files: []File{
			{Name: "greet-1.2.0-py3-none-any.whl", URL: "https://files.example/greet-1.2.0-py3-none-any.whl", SHA256: sha, Size: 12_650},
		},
	},
	"several-files": {
		Project: "greet", Version: "2.0.0rc1", Tag: "2.0.0rc1", Commit: "fedcba9",
		Repository: "https://uploader:hunter2@upload.example/legacy/?token=abc",
		ProjectURL: "https://pypi.example/project/greet/2.0.0rc1/",
		Files: []File{
			{Name: "greet-2.0.0rc1-py3-none-any.whl", URL: "https://files.example/a/greet-2.0.0rc1-py3-none-any.whl", SHA256: sha, Size: 13_002},
			{Name: "greet-2.0.0rc1.tar.gz", URL: "https://files.example/b/greet-2.0.0rc1.tar.gz", SHA256: sha, Size: 3_500_000},
			{Name: "greet-2.0.0rc1-linux-x86_64.tar.gz", SHA256: sha, Size: 700},
			{Name: "greet-2.0.0rc1.pyz", URL: "s3://bucket/greet-2.0.0rc1.pyz", SHA256: sha},
		},
	},
	"special-characters": {
		Project: "a&b <c>", Version: "1.0", Tag: "v1.0<&>", Commit: "abc",
		Repository: "team <index> & co",
		ProjectURL: "https://pypi.example/project/a&b/?x=1&y=<2>|z",
		JobURL:     "https://ci.example/jobs/7?attempt=1&step=release",
		Files: []File{
			{Name: "a&b-1.0-<py3>-none-any.whl", URL: "https://files.example/dl?f=a&b=1", SHA256: sha, Size: 1},
			{Name: "<!channel> & @here", SHA256: sha, Size: 2048},
		},
	},
	"no-links": {Project: "greet", Version: "0.1.0"},
}

// TestPayloadGolden compares both payloads of each release with
// testdata/{case}.slack.json and testdata/{case}.webhook.json.
func TestPayloadGolden(t *testing.T) {
	builders := map[string]func(Release) ([]byte, error){
		"slack":   SlackPayload,
		"webhook": WebhookPayload,
	}
	for name, r := range releases {
		for kind, build := range builders {
			t.Run(name+"/"+kind, func(t *testing.T) {
				got, err := build(r)
				if err != nil {
					t.Fatal(err)
				}
				if !json.Valid(got) {
					t.Fatalf("payload is not JSON:\n%s", got)
				}
				golden := filepath.Join("testdata", name+"."+kind+".json")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to write it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s payload differs from %s (run go test -update to accept):\n%s", kind, golden, got)
				}
			})
		}
	}
}

// TestSlackPayloadEscapes checks the escaping the golden files hold, so
// that an -update cannot accept a regression silently.
func TestSlackPayloadEscapes(t *testing.T) {
	msg := decodeSlack(t, releases["special-characters"])
	all := msg.Text
	for _, b := range msg.Blocks {
		if b.Text != nil && b.Text.Type == "mrkdwn" {
			all += "\n" + b.Text.Text
		}
		for _, e := range b.Elements {
			all += "\n" + e.Text
		}
	}
	for _, want := range []string{
		"a&amp;b &lt;c&gt; 1.0 released",
		"<https://pypi.example/project/a&amp;b/?x=1&amp;y=&lt;2&gt;%7Cz|a&amp;b &lt;c&gt; 1.0>",
		" on team &lt;index&gt; &amp; co",
		"tag `v1.0&lt;&amp;&gt;`",
		"<https://files.example/dl?f=a&amp;b=1|a&amp;b-1.0-&lt;py3&gt;-none-any.whl> (1 B)",
		"• &lt;!channel&gt; &amp; @here (2.0 KiB)",
		"<https://ci.example/jobs/7?attempt=1&amp;step=release|this CI job>",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("mrkdwn text lacks %q:\n%s", want, all)
		}
	}
	// plain_text is not parsed by Slack: escaping it would show entities.
	if h := msg.Blocks[0]; h.Type != "header" || h.Text.Text != "a&b <c> 1.0 released" {
		t.Errorf("header = %+v, want plain text %q", h, "a&b <c> 1.0 released")
	}
}

func TestPayloadsRedactRepositoryCredentials(t *testing.T) {
	for kind, build := range map[string]func(Release) ([]byte, error){"slack": SlackPayload, "webhook": WebhookPayload} {
		got, err := build(releases["several-files"])
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"hunter2", "uploader", "token=abc"} {
			if bytes.Contains(got, []byte(secret)) {
				t.Errorf("%s payload contains %q:\n%s", kind, secret, got)
			}
		}
		if !bytes.Contains(got, []byte("https://upload.example/legacy/?token=REDACTED")) {
			t.Errorf("%s payload lacks the redacted repository URL:\n%s", kind, got)
		}
	}
}

func TestPayloadIncompleteRelease(t *testing.T) {
	tests := map[string]Release{
		"no project": {Version: "1.0"},
		"no version": {Project: "greet"},
		"blank":      {Project: " ", Version: "1.0"},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			for kind, build := range map[string]func(Release) ([]byte, error){"slack": SlackPayload, "webhook": WebhookPayload} {
				if _, err := build(r); !errors.Is(err, ErrIncomplete) {
					t.Errorf("%s: err = %v, want ErrIncomplete", kind, err)
				}
			}
		})
	}
}

// TestSlackPayloadLimits builds a message for more files, and longer
// names and URLs, than Slack takes in one block, and checks it stays
// within Block Kit's limits.
func TestSlackPayloadLimits(t *testing.T) {
	r := Release{
		Project: strings.Repeat("p", 200), Version: strings.Repeat("&", 200),
		Tag: strings.Repeat("<", 200), Repository: strings.Repeat("&", 200),
		ProjectURL: "https://pypi.example/" + strings.Repeat("&", 500),
		JobURL:     "https://ci.example/job",
	}
	for i := range maxFiles + 10 {
		name := fmt.Sprintf("file-%03d-%s.whl", i, strings.Repeat("&", 300))
		r.Files = append(r.Files, File{Name: name, URL: "https://files.example/" + strings.Repeat("x", i*40), Size: int64(i) << 20})
	}
	msg := decodeSlack(t, r)
	if len(msg.Blocks) > 50 {
		t.Errorf("%d blocks, Slack takes at most 50", len(msg.Blocks))
	}
	var files string
	for i, b := range msg.Blocks {
		if b.Text == nil {
			continue
		}
		limit := maxSection
		if b.Type == "header" {
			limit = maxHeader
		}
		if n := utf8.RuneCountInString(b.Text.Text); n > limit || n == 0 {
			t.Errorf("block %d (%s) has %d characters, want 1 to %d", i, b.Type, n, limit)
		}
		if i >= 2 {
			files += b.Text.Text + "\n"
		}
	}
	if !strings.Contains(files, "… and 10 more") {
		t.Errorf("file sections do not say how many files were left out:\n%.500s", files)
	}
	if n := strings.Count(files, "• "); n != maxFiles {
		t.Errorf("%d files listed, want %d", n, maxFiles)
	}
	// Links too long for a line are dropped, their names kept.
	if !strings.Contains(files, "• file-049-") || strings.Contains(files, strings.Repeat("x", 49*40)) {
		t.Errorf("the last listed file lost its name or kept its overlong link")
	}
}

func TestFormatSize(t *testing.T) {
	tests := map[string]struct {
		n    int64
		want string
	}{
		"bytes":    {n: 1023, want: "1023 B"},
		"kibibyte": {n: 1024, want: "1.0 KiB"},
		"wheel":    {n: 12_650, want: "12.4 KiB"},
		"mebibyte": {n: 3_500_000, want: "3.3 MiB"},
		"gibibyte": {n: 5 << 30, want: "5.0 GiB"},
		"huge":     {n: 3 << 50, want: "3072.0 TiB"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := formatSize(tt.n); got != tt.want {
				t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func decodeSlack(t *testing.T, r Release) slackMessage {
	t.Helper()
	data, err := SlackPayload(r)
	if err != nil {
		t.Fatal(err)
	}
	var msg slackMessage
	if err := json.Unmarshal(data, &msg); err != nil {
		t.Fatal(err)
	}
	return msg
}
