//go:build linux

package targets_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The secrets of the scan. Each holds characters that URL encoding
// changes, so the encoded form is a form of its own.
const (
	scanToken    = "pypi-AgEIcHlwaS5vcmc/CJGE2ZDk1+YzQ4LTg3=ZGQtNDRlMC1hZDk4"
	scanUser     = "alice"
	scanPassword = "hunter2 p@ss/w0rd&=long-enough"
	scanGitToken = "ghs_gitTOKEN/0123+4567=89abcdefABCDEF"
	scanAWSKeyID = "AKIAIOSFODNN7EXAMPLE"
	scanAWS      = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	scanHookPath = "/services/T0SECRET/B0SECRET/hookSECRETpath0001"
	scanPypirc   = "pypirc/PASSWORD+only=in-the-file"
)

// secretForms are the strings that must appear nowhere in what pyrelease
// prints: each secret raw, URL-encoded and in base64, alone and as the
// Basic credentials of each user name it is sent with.
func secretForms(hookURL string) map[string]string {
	b64 := base64.StdEncoding.EncodeToString
	forms := map[string]string{}
	add := func(name, s string) {
		forms[name+" raw"] = s
		forms[name+" url-encoded"] = url.QueryEscape(s)
		forms[name+" path-encoded"] = url.PathEscape(s)
		forms[name+" base64"] = b64([]byte(s))
		for _, user := range []string{"__token__", scanUser, "x-access-token"} {
			forms[name+" base64 as "+user] = b64([]byte(user + ":" + s))
		}
	}
	add("token", scanToken)
	add("password", scanPassword)
	add("git token", scanGitToken)
	add("aws secret", scanAWS)
	add("pypirc password", scanPypirc)
	add("webhook URL", hookURL)
	forms["webhook path"] = scanHookPath
	for k, v := range forms {
		if v == "" {
			delete(forms, k)
		}
	}
	return forms
}

// hostile is a server that answers every request with an error quoting
// every secret it knows, in every form, and what it was sent: the
// Authorization header, the path and the query. mode picks how.
type hostile struct {
	mode    string
	url     string
	forms   map[string]string
	next    *hostile // where "redirect" sends a request
	mu      sync.Mutex
	uploads map[string]string // honest index: file name -> sha256
}

func startHostile(t *testing.T, mode string, forms map[string]string, next *hostile) *hostile {
	t.Helper()
	h := &hostile{mode: mode, forms: forms, next: next, uploads: map[string]string{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.url = "http://" + l.Addr().String()
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return h
}

// echo is the text every answer quotes.
func (h *hostile) echo(r *http.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "denied %s %s Authorization: %s;", r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"))
	keys := make([]string, 0, len(h.forms))
	for k := range h.forms {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s", h.forms[k])
	}
	return b.String()
}

func (h *hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	echo := h.echo(r)
	if h.mode != "index" {
		io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
	}
	switch h.mode {
	case "status-line":
		// The reason phrase itself repeats the credentials.
		hj, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "no hijack", 500)
			return
		}
		conn, buf, err := hj.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		reason := strings.NewReplacer("\r", " ", "\n", " ").Replace(echo)
		fmt.Fprintf(buf, "HTTP/1.1 401 Unauthorized %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", reason, len(echo), echo)
		buf.Flush()
	case "text":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, echo)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "<html><body><h1>403 Forbidden</h1><p>%s</p><a href=\"/x/%s\">greet-0.1.0.tar.gz</a></body></html>", html.EscapeString(echo), url.PathEscape(echo))
	case "json":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message": %q, "errors": [{"detail": %q}]}`, echo, echo)
	case "xml":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "<?xml version=\"1.0\"?>\n<Error><Code>AccessDenied</Code><Message>%s</Message><Resource>%s</Resource></Error>", html.EscapeString(echo), html.EscapeString(r.URL.RequestURI()))
	case "unavailable":
		w.Header().Set("Retry-After", "0")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, echo)
	case "redirect":
		// Another port of the same host: credentials must not follow, and
		// what the other end quotes must not be printed either.
		http.Redirect(w, r, h.next.url+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	case "index":
		h.index(w, r, echo)
	default:
		http.Error(w, "unknown mode "+h.mode, 500)
	}
}

// index is an honest package index (it records uploads and lists them)
// that still quotes every secret on each page.
func (h *hostile) index(w http.ResponseWriter, r *http.Request, echo string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Method == http.MethodPost {
		if err := r.ParseMultipartForm(64 << 20); err == nil && r.MultipartForm != nil {
			for _, fhs := range r.MultipartForm.File {
				for _, fh := range fhs {
					f, err := fh.Open()
					if err != nil {
						continue
					}
					sum := sha256.New()
					io.Copy(sum, f)
					f.Close()
					h.uploads[fh.Filename] = hex.EncodeToString(sum.Sum(nil))
				}
			}
		}
		io.WriteString(w, "OK "+echo)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<html><!-- %s --><body>\n", strings.ReplaceAll(echo, "--", "- -"))
	for name, sum := range h.uploads {
		fmt.Fprintf(w, "<a href=\"/files/%s#sha256=%s\">%s</a>\n", name, sum, name)
	}
	io.WriteString(w, "</body></html>\n")
}

// TestSecretsNeverPrinted runs release, snapshot, fetch and bump into
// servers that quote the run's credentials back (in status lines,
// bodies, JSON, S3 errors, redirects to another port and notification
// failures), with a token, a password, a git token, an AWS secret and a
// webhook URL set, and scans all the run printed for any form of them.
func TestSecretsNeverPrinted(t *testing.T) {
	bin := compileExample(t)
	base := newCrashProject(t, bin)
	base.mage(t, nil, "wheel")

	hook := startHostile(t, "status-line", nil, nil)
	hookURL := hook.url + scanHookPath + "?sig=" + url.QueryEscape("q/SECRET+sig")
	forms := secretForms(hookURL)
	forms["webhook query"] = url.QueryEscape("q/SECRET+sig")
	hook.forms = forms
	servers := map[string]*hostile{}
	for _, mode := range []string{"status-line", "text", "html", "json", "xml", "unavailable", "index"} {
		servers[mode] = startHostile(t, mode, forms, nil)
	}
	servers["redirect"] = startHostile(t, "redirect", forms, servers["text"])

	awsCredentials := "[ci]\naws_access_key_id = " + scanAWSKeyID + "\naws_secret_access_key = " + scanAWS + "\n"
	credFile := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(credFile, []byte(awsCredentials), 0o600); err != nil {
		t.Fatal(err)
	}
	pypircHome := t.TempDir()
	pypirc := "[distutils]\nindex-servers = hostile\n\n[hostile]\nrepository = " + servers["status-line"].url + "/legacy/\nusername = " + scanUser + "\npassword = " + scanPypirc + "\n"
	if err := os.WriteFile(filepath.Join(pypircHome, ".pypirc"), []byte(pypirc), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenEnv := []string{"PYRELEASE_TOKEN=" + scanToken}
	passwordEnv := []string{}
	always := []string{
		"TWINE_USERNAME=" + scanUser, "TWINE_PASSWORD=" + scanPassword,
		"PYRELEASE_WEBHOOK_URL=" + hookURL,
		"PYRELEASE_GIT_TOKEN=" + scanGitToken,
		"AWS_ACCESS_KEY_ID=" + scanAWSKeyID, "AWS_SECRET_ACCESS_KEY=" + scanAWS, "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"PYRELEASE_VERIFY_TIMEOUT=2",
	}
	type scan struct {
		name    string
		env     []string
		args    []string
		bump    bool     // runs in a copy of the project, which bump changes
		want    string   // what the output must say (the path was taken)
		success bool     // the run succeeds (a notification failure only warns)
		drop    []string // variables of always the run goes without
		files   string   // what the run reads secrets from besides env
	}
	var scans []scan
	for _, mode := range []string{"status-line", "text", "html", "json", "unavailable", "redirect"} {
		srv := servers[mode].url
		for cred, env := range map[string][]string{"token": tokenEnv, "password": passwordEnv} {
			scans = append(scans,
				scan{name: "release/list/" + mode + "/" + cred, args: []string{"release"},
					env:  append(slices.Clone(env), "PYRELEASE_REPOSITORY="+srv+"/legacy/", "PYRELEASE_INDEX_URL="+srv+"/simple/"),
					want: "release"},
				scan{name: "release/upload/" + mode + "/" + cred, args: []string{"release"},
					env:  append(slices.Clone(env), "PYRELEASE_REPOSITORY="+srv+"/legacy/", "PYRELEASE_INDEX_URL="+servers["index"].url+"/simple/"),
					want: "greet-0.1.0"},
			)
		}
		scans = append(scans,
			scan{name: "snapshot/" + mode, args: []string{"snapshot"},
				env:  []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_STORE=s3://bucket/greet?endpoint=" + srv},
				want: "store:"},
			scan{name: "fetch/s3/" + mode, args: []string{"fetch"},
				env:  []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_STORE=s3://bucket/greet?endpoint=" + srv},
				want: "store:"},
			scan{name: "fetch/index/" + mode, args: []string{"fetch", "-version=0.1.0"},
				env:  []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_FETCH_FROM=" + srv + "/simple/greet/"},
				want: "fetch"},
			scan{name: "bump/push/" + mode, args: []string{"bump", "patch"}, bump: true,
				env:  []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_PUSH=true", "PYRELEASE_REMOTE=origin", "remote=" + srv + "/o/greet.git"},
				want: "bump"},
			scan{name: "bump/push-userinfo/" + mode, args: []string{"bump", "patch"}, bump: true,
				env:  []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_PUSH=true", "PYRELEASE_REMOTE=origin", "remote=" + strings.Replace(srv, "http://", "http://bot:"+url.QueryEscape(scanPassword)+"@", 1) + "/o/greet.git"},
				want: "bump"},
		)
	}
	scans = append(scans,
		scan{name: "snapshot/xml", args: []string{"snapshot"},
			env: []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_STORE=s3://bucket/greet?endpoint=" + servers["xml"].url}, want: "AccessDenied"},
		scan{name: "fetch/xml", args: []string{"fetch"},
			env: []string{"PYRELEASE_TOKEN=" + scanToken, "PYRELEASE_STORE=s3://bucket/greet?endpoint=" + servers["xml"].url}, want: "AccessDenied"},
		// Keys from a profile, not the environment.
		scan{name: "snapshot/profile/xml", args: []string{"snapshot"}, drop: []string{"AWS_SECRET_ACCESS_KEY"}, files: awsCredentials,
			env: []string{"AWS_SHARED_CREDENTIALS_FILE=" + credFile, "AWS_PROFILE=ci", "PYRELEASE_STORE=s3://bucket/greet?endpoint=" + servers["xml"].url}, want: "AccessDenied"},
		// A password only in ~/.pypirc.
		scan{name: "release/pypirc/status-line", args: []string{"release"}, drop: []string{"TWINE_USERNAME", "TWINE_PASSWORD"}, files: pypirc,
			env: []string{"HOME=" + pypircHome, "PYRELEASE_REPOSITORY=hostile", "PYRELEASE_INDEX_URL=" + servers["status-line"].url + "/simple/"}, want: "release"},
		// An honest index that quotes secrets, and a notification that fails.
		scan{name: "release/verify+notify/token", args: []string{"release"}, success: true,
			env:  append(slices.Clone(tokenEnv), "PYRELEASE_REPOSITORY="+servers["index"].url+"/legacy/", "PYRELEASE_INDEX_URL="+servers["index"].url+"/simple/"),
			want: "notification failed"},
	)

	for _, sc := range scans {
		t.Run(sc.name, func(t *testing.T) {
			p := base
			env := append(slices.Clone(always), sc.env...)
			for _, k := range sc.drop {
				env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") })
			}
			if sc.bump {
				p = copyCrashProject(t, base)
				var remote string
				env = slices.DeleteFunc(env, func(kv string) bool {
					if v, ok := strings.CutPrefix(kv, "remote="); ok {
						remote = v
						return true
					}
					return false
				})
				p.git(t, "remote", "add", "origin", remote)
			}
			r := p.launch(t, -1, env, sc.args...)
			out := r.output()
			if (r.err == nil) != sc.success {
				t.Fatalf("mage %s: err = %v, want success %v\n%s", strings.Join(sc.args, " "), r.err, sc.success, out)
			}
			if !strings.Contains(out, sc.want) {
				t.Fatalf("the run did not take the path under test (no %q):\n%s", sc.want, out)
			}
			given := strings.Join(env, "\n") + "\n" + sc.files
			if sc.bump {
				given += "\n" + p.git(t, "remote", "get-url", "origin")
			}
			checked := 0
			for name, form := range forms {
				if !givenSecret(name, given) {
					continue
				}
				checked++
				if strings.Contains(out, form) {
					t.Errorf("output holds the %s (%q):\n%s", name, form, out)
				}
			}
			if checked == 0 {
				t.Fatal("no secret was given to this run")
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// givenSecret reports whether the secret a form of secretForms belongs
// to was given to a run (in env, or a remote's URL): pyrelease can only
// hide what it was told.
func givenSecret(form, given string) bool {
	for name, secret := range map[string]string{"token": scanToken, "password": scanPassword, "git token": scanGitToken, "aws secret": scanAWS, "webhook": scanHookPath, "pypirc password": scanPypirc} {
		if strings.HasPrefix(form, name+" ") || form == name+" path" {
			return strings.Contains(given, secret) || strings.Contains(given, url.QueryEscape(secret))
		}
	}
	return true
}

// copyCrashProject is a copy of p's project (its git repository and
// dist/) that a test may change.
func copyCrashProject(t *testing.T, p *crashProject) *crashProject {
	t.Helper()
	c := *p
	c.dir = filepath.Join(t.TempDir(), "proj")
	if err := os.CopyFS(c.dir, os.DirFS(p.dir)); err != nil {
		t.Fatal(err)
	}
	return &c
}
