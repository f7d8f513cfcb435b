package notify

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits of Slack's Block Kit: a longer header or section makes Slack
// refuse the whole message with invalid_blocks.
const (
	maxHeader  = 150  // characters of a header block
	maxSection = 3000 // characters of a section's text
	// maxFileLine keeps one file's line well inside a section; a longer
	// link (a presigned URL) is left out and the name shown alone.
	maxFileLine = 1000
	// maxFiles listed; with maxFileLine this keeps the message far below
	// Slack's 50 blocks.
	maxFiles = 50
	// maxField is the longest project, version, tag or repository shown:
	// escaped five times over (all "&") they still fit in one section.
	maxField = 80
	maxLink  = 1000 // longest escaped URL made a link in the summary
	shortSHA = 12
)

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackMessage struct {
	Text   string       `json:"text"` // shown in notifications, where blocks are not
	Blocks []slackBlock `json:"blocks"`
}

// SlackPayload is the message posted to a Slack incoming webhook: a header
// "greet 1.2.0 released", a section linking the project page and naming
// the index, tag and commit, the files with their sizes, and a link to the
// CI job. Text from the release is escaped for Slack's mrkdwn.
func SlackPayload(r Release) ([]byte, error) {
	if err := checkRelease(r); err != nil {
		return nil, err
	}
	title := r.Project + " " + r.Version + " released"
	msg := slackMessage{
		Text: escape(title),
		Blocks: []slackBlock{
			// plain_text is shown as is: escaping it would show "&amp;".
			{Type: "header", Text: &slackText{Type: "plain_text", Text: clip(title, maxHeader)}},
			{Type: "section", Text: mrkdwn(summary(r))},
		},
	}
	for _, s := range fileSections(r.Files) {
		msg.Blocks = append(msg.Blocks, slackBlock{Type: "section", Text: mrkdwn(s)})
	}
	if r.JobURL != "" {
		msg.Blocks = append(msg.Blocks, slackBlock{Type: "context", Elements: []slackText{*mrkdwn("Released by " + link(r.JobURL, "this CI job", maxLink))}})
	}
	return marshal(msg)
}

func mrkdwn(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s} }

// summary is "<project page|greet 1.2.0> on pypi" and a line with the tag
// and commit.
func summary(r Release) string {
	var b strings.Builder
	name := clip(r.Project, maxField) + " " + clip(r.Version, maxField)
	if r.ProjectURL != "" {
		b.WriteString(link(r.ProjectURL, name, maxLink))
	} else {
		b.WriteString("*" + escape(name) + "*")
	}
	if r.Repository != "" {
		b.WriteString(" on " + escape(clip(repository(r.Repository), maxField)))
	}
	var refs []string
	if r.Tag != "" {
		refs = append(refs, "tag `"+escape(clip(r.Tag, maxField))+"`")
	}
	if r.Commit != "" {
		refs = append(refs, "commit `"+escape(shortCommit(r.Commit))+"`")
	}
	if len(refs) > 0 {
		b.WriteString("\n" + strings.Join(refs, ", "))
	}
	return b.String()
}

// fileSections lists the files, split into as many sections as their
// lines need.
func fileSections(files []File) []string {
	if len(files) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("*%d %s*", len(files), plural(len(files), "file", "files"))}
	for i, f := range files {
		if i == maxFiles {
			lines = append(lines, fmt.Sprintf("… and %d more", len(files)-i))
			break
		}
		lines = append(lines, fileLine(f))
	}
	var sections []string
	cur := lines[0]
	for _, line := range lines[1:] {
		if len(cur)+1+len(line) > maxSection {
			sections = append(sections, cur)
			cur = line
			continue
		}
		cur += "\n" + line
	}
	return append(sections, cur)
}

func fileLine(f File) string {
	size := ""
	if f.Size > 0 {
		size = " (" + formatSize(f.Size) + ")"
	}
	name := clip(f.Name, 2*maxField)
	line := "• " + link(f.URL, name, maxFileLine-len(size)-len("• ")) + size
	if len(line) > maxFileLine {
		line = "• " + escape(name) + size
	}
	return line
}

// link is Slack's <url|label>, or the label alone when url is not an http
// or https URL or is longer than limit once escaped.
func link(rawURL, label string, limit int) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return escape(label)
	}
	// "|" ends the URL part of a link; %7C means the same to the server.
	target := strings.ReplaceAll(escape(rawURL), "|", "%7C")
	l := "<" + target + "|" + escape(label) + ">"
	if len(l) > limit {
		return escape(label)
	}
	return l
}

// escaper replaces the three characters Slack's mrkdwn gives a meaning to
// (links, mentions, entities), as Slack asks; the rest shows as is.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// clip cuts s to at most n characters, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// shortCommit is the first 12 characters of a commit hash: unambiguous in
// any repository a release comes from, and short enough to read.
func shortCommit(c string) string {
	if len(c) > shortSHA {
		return c[:shortSHA]
	}
	return c
}

// formatSize writes bytes in binary units with one decimal.
func formatSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, 0
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	for v >= 1024 && unit < len(units)-1 {
		v /= 1024
		unit++
	}
	return fmt.Sprintf("%.1f %s", v, units[unit])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// slackOK is Slack's success: 200 with the body "ok". Slack answers other
// outcomes with a 4xx and a word such as invalid_payload or no_service.
func slackOK(resp *http.Response, body string) bool {
	return resp.StatusCode == http.StatusOK && strings.TrimSpace(body) == "ok"
}
