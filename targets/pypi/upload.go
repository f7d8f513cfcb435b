package pypi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// Client uploads files and reads what an index serves.
type Client struct {
	HTTP  *http.Client // nil: a client with sane timeouts; redirects of uploads are never followed
	Retry httpretry.Policy
	Log   *slog.Logger // nil logs nothing
	// Progress, when set, is called once per upload with the file's size
	// and returns a function called with the bytes of the file sent since
	// its last call; when an attempt is retried, with the negative count
	// of the bytes sent by the failed one.
	Progress func(name string, size int64) func(n int64)
	// Token, when set, is asked for credentials before every request
	// (trusted publishing tokens expire, see Refresher); when nil the
	// Repository's are used.
	Token func(ctx context.Context) (username, password string, err error)
}

// Result is the outcome of one upload.
type Result struct {
	File    File
	Skipped bool // the index already had the file with the same sha256
	Status  int  // the index's HTTP status
}

// maxMessageBody bounds how much of an error answer is read for its message.
const maxMessageBody = 64 << 10

// maxMessage is the length, in characters, an index's message is cut to.
const maxMessage = 300

// defaultHTTP is used when Client.HTTP is nil. Only the wait for the
// answer is bounded: the upload itself may take long, and after it the
// index still hashes and stores the file.
var defaultHTTP = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 5 * time.Minute
	return &http.Client{Transport: t}
})

func (c *Client) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func (c *Client) readClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP()
}

// uploadClient never follows redirects: net/http would turn the POST into
// a GET without the file, and a GET answered 200 would pass for an upload.
func (c *Client) uploadClient() *http.Client {
	hc := *c.readClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

func (c *Client) credentials(ctx context.Context, repo Repository) (string, string, error) {
	if c.Token != nil {
		return c.Token(ctx)
	}
	return repo.Username, repo.Password, nil
}

// Upload sends one file with the legacy upload API. The file is streamed
// from disk, so memory does not grow with its size; connection errors,
// 5xx and 429 answers are retried by c.Retry. When the index answers that
// the file already exists (409, or 400 saying so, as PyPI does), the file
// is looked up with Existing: with the same sha256 the upload counts as
// done (Result.Skipped); with another it is an error wrapping ErrConflict.
// Every other failure is an *UploadError.
func (c *Client) Upload(ctx context.Context, repo Repository, f File) (Result, error) {
	u, err := url.Parse(repo.UploadURL)
	if err != nil || u.Host == "" {
		return Result{}, fmt.Errorf("pypi: uploading %s: upload URL %q of %s is not a URL", f.Name, redactString(repo.UploadURL), repo.Name)
	}
	where := httpretry.Redact(u)
	secrets := []string{repo.Password} // and every password sent, scrubbed from what the index says
	fail := func(status int, msg string, err error) *UploadError {
		for _, s := range secrets {
			msg = scrub(msg, s)
		}
		return &UploadError{File: f.Name, URL: where, Status: status, Message: msg, Err: err}
	}
	head, foot, contentType, err := formParts(f)
	if err != nil {
		return Result{}, fail(0, "", err)
	}
	total := int64(len(head)) + f.Size + int64(len(foot))
	var progress func(int64)
	if c.Progress != nil {
		progress = c.Progress(f.Name, f.Size)
	}
	// sent counts the file's bytes sent by the last attempt, for progress;
	// the transport may still be sending when the next attempt starts.
	var sent atomic.Int64
	attempts := 0
	newReq := func(ctx context.Context) (*http.Request, error) {
		attempts++
		if n := sent.Swap(0); progress != nil && n > 0 {
			progress(-n) // the transfer starts over
		}
		user, pass, err := c.credentials(ctx, repo)
		if err != nil {
			return nil, fmt.Errorf("getting credentials: %w", err)
		}
		secrets = append(secrets, pass)
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, err
		}
		if st, err := fh.Stat(); err != nil || st.Size() != f.Size {
			fh.Close()
			if err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%s is %d bytes, not the %d it had when it was read: it changed since", f.Path, st.Size(), f.Size)
		}
		var content io.Reader = fh
		if progress != nil {
			content = &countingReader{r: fh, add: func(n int64) { sent.Add(n); progress(n) }}
		}
		body := struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), content, bytes.NewReader(foot)), fh}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
		if err != nil {
			fh.Close()
			return nil, err
		}
		req.ContentLength = total
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("User-Agent", "pyrelease")
		if user != "" || pass != "" {
			req.SetBasicAuth(user, pass)
		}
		c.log().Debug("uploading", "file", f.Name, "url", where, "bytes", total, "user", user, "attempt", attempts)
		return req, nil
	}
	resp, err := c.Retry.Do(ctx, c.uploadClient(), newReq)
	if err != nil {
		if resp == nil {
			return Result{}, fail(0, "", err)
		}
		defer resp.Body.Close()
		return Result{File: f, Status: resp.StatusCode}, fail(resp.StatusCode, message(resp), err)
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	switch {
	case status >= 200 && status <= 299:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxMessageBody))
		c.log().Info("uploaded", "file", f.Name, "repository", repo.String(), "status", status)
		return Result{File: f, Status: status}, nil
	case status >= 300 && status <= 399:
		e := fail(status, message(resp), nil)
		if loc, err := resp.Location(); err == nil {
			e.Location = httpretry.Redact(loc)
		}
		return Result{File: f, Status: status}, e
	}
	msg, full := messages(resp)
	if status == http.StatusConflict || status == http.StatusBadRequest && strings.Contains(strings.ToLower(full), "already exist") {
		return c.alreadyThere(ctx, repo, f, status, fail(status, msg, nil))
	}
	return Result{File: f, Status: status}, fail(status, msg, nil)
}

// alreadyThere decides an upload the index refused because it has a file
// of that name: the same content makes the upload a success.
func (c *Client) alreadyThere(ctx context.Context, repo Repository, f File, status int, refused *UploadError) (Result, error) {
	res := Result{File: f, Status: status}
	got, err := c.Existing(ctx, repo, f.Project())
	if err != nil {
		refused.Err = fmt.Errorf("looking the file up to compare its sha256: %w", err)
		return res, refused
	}
	sha, listed := got[f.Name]
	switch {
	case !listed:
		refused.Err = errors.New("the index refuses the name but does not list the file: a deleted file's name cannot be reused either, so release a new version")
		return res, refused
	case sha == "":
		refused.Err = errors.New("the index lists the file without a sha256, so its content cannot be compared")
		return res, refused
	case !strings.EqualFold(sha, f.SHA256):
		refused.Err = fmt.Errorf("%w: %s: local sha256 %s, index sha256 %s", ErrConflict, f.Name, f.SHA256, strings.ToLower(sha))
		return res, refused
	}
	c.log().Info("already uploaded", "file", f.Name, "repository", repo.String(), "sha256", f.SHA256)
	res.Skipped = true
	return res, nil
}

// formFields are the upload form's fields before the file, as twine sends
// them: the action, the protocol version, the metadata in file order (the
// name in pkg_resources' safe form), then what describes the file.
func formFields(f File) []Field {
	fields := []Field{{":action", "file_upload"}, {"protocol_version", "1"}}
	for _, m := range f.Metadata {
		if m.Name == "name" {
			m.Value = safeName(m.Value)
		}
		fields = append(fields, m)
	}
	return append(fields,
		Field{"filetype", f.Filetype},
		Field{"pyversion", f.Pyversion},
		Field{"md5_digest", f.MD5},
		Field{"sha256_digest", f.SHA256},
		Field{"blake2_256_digest", f.BLAKE2b256},
	)
}

var unsafeNameRun = regexp.MustCompile(`[^A-Za-z0-9.]+`)

// safeName is pkg_resources.safe_name, which twine applies to the name it
// sends because Warehouse expects it.
func safeName(name string) string { return unsafeNameRun.ReplaceAllString(name, "-") }

// formParts renders the multipart body around the file's bytes: head ends
// with the content part's headers, foot closes the form. Only the file is
// read from disk, once per attempt.
func formParts(f File) (head, foot []byte, contentType string, err error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, fld := range formFields(f) {
		if err := mw.WriteField(fld.Name, fld.Value); err != nil {
			return nil, nil, "", err
		}
	}
	if _, err := mw.CreateFormFile("content", f.Name); err != nil {
		return nil, nil, "", err
	}
	head = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := mw.Close(); err != nil {
		return nil, nil, "", err
	}
	return head, bytes.Clone(buf.Bytes()), mw.FormDataContentType(), nil
}

type countingReader struct {
	r   io.Reader
	add func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.add(int64(n))
	}
	return n, err
}

// message is what an error answer says, shortened to one line.
func message(resp *http.Response) string {
	msg, _ := messages(resp)
	return msg
}

// messages returns an answer's message, one line and shortened, and the
// whole of what it says for matching. PyPI puts its message in the status
// line's reason and repeats it in an HTML page; Gitea answers in plain
// text or JSON under a standard reason.
func messages(resp *http.Response) (short, full string) {
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	if strings.EqualFold(reason, http.StatusText(resp.StatusCode)) {
		reason = ""
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxMessageBody))
	text := bodyText(data, resp.Header.Get("Content-Type"))
	switch {
	case reason == "":
		full = text
	case text == "" || strings.Contains(text, reason):
		full = reason
	default:
		full = reason + ": " + text
	}
	return shorten(full), full
}

// bodyText is the readable text of an error answer: the message of a JSON
// object, the text of an HTML page without its head, or the text as is.
func bodyText(data []byte, contentType string) string {
	media, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(data)
	switch {
	case strings.HasSuffix(media, "json") || bytes.HasPrefix(trimmed, []byte("{")):
		var obj map[string]any
		if json.Unmarshal(trimmed, &obj) == nil {
			for _, key := range []string{"message", "detail", "error", "errors"} {
				if v, ok := obj[key]; ok {
					if s, ok := v.(string); ok {
						return oneLine(s)
					}
					b, _ := json.Marshal(v)
					return oneLine(string(b))
				}
			}
		}
	case strings.Contains(media, "html") || bytes.HasPrefix(trimmed, []byte("<")):
		return oneLine(htmlText(trimmed))
	}
	return oneLine(string(trimmed))
}

// htmlText is the visible text of a page's body.
func htmlText(data []byte) string {
	z := html.NewTokenizer(bytes.NewReader(data))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.StartTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Head, atom.Title, atom.Script, atom.Style:
				skip++
			case atom.Br, atom.P, atom.H1, atom.H2, atom.Div, atom.Li:
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Head, atom.Title, atom.Script, atom.Style:
				if skip > 0 {
					skip--
				}
			case atom.H1, atom.H2, atom.P, atom.Div:
				b.WriteByte(' ')
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxMessage {
		return s
	}
	r := []rune(s)
	return string(r[:maxMessage]) + "…"
}

// scrub removes a secret an index might echo back.
func scrub(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, httpretry.Redacted)
}
