// Package servers runs the real servers pyrelease is tested and measured
// against, on loopback: MinIO (S3) and Gitea (a PyPI registry). The test
// helpers (testenv) and the benchmarks share it.
package servers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Binary finds a server binary: the path in the environment variable env,
// else name on PATH, else what .ci/run built into its cache
// (~/.cache/pyrelease-ci/{name}-{version}/{name}; PYRELEASE_CI_CACHE
// moves it).
func Binary(env, name string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p, nil
	}
	cache := os.Getenv("PYRELEASE_CI_CACHE")
	if cache == "" {
		if dir, cerr := os.UserCacheDir(); cerr == nil {
			cache = filepath.Join(dir, "pyrelease-ci")
		}
	}
	if cache != "" {
		matches, _ := filepath.Glob(filepath.Join(cache, name+"-*", name))
		if len(matches) > 0 {
			return matches[len(matches)-1], nil // the newest version sorts last
		}
	}
	return "", fmt.Errorf("%s not found: not on PATH, %s unset, and not in the cache of .ci/run (which builds it): %w", name, env, err)
}

// process is a server started in its own process group, so Stop kills
// everything it started.
type process struct {
	cmd *exec.Cmd
	log *lockedBuffer
}

// lockedBuffer is the server's output, written by the command's copier
// while a test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (p *process) start(dir string, env []string, bin string, args ...string) error {
	p.log = &lockedBuffer{}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdout, cmd.Stderr = p.log, p.log
	newGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	p.cmd = cmd
	return nil
}

// Stop kills the server with SIGKILL: as abrupt as a crash.
func (p *process) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	killGroup(p.cmd)
	_ = p.cmd.Wait()
	p.cmd = nil
}

// Log returns what the server printed.
func (p *process) Log() string {
	if p.log == nil {
		return ""
	}
	return p.log.String()
}

// waitReady polls url until it answers 200.
func (p *process) waitReady(ctx context.Context, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.Stop()
	return errors.Join(ctx.Err(), fmt.Errorf("not ready at %s within %s: %s", url, limit, p.Log()))
}

// FreeAddr returns a loopback address nobody listens on.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// MinIO is a MinIO server with its data in a directory.
type MinIO struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	process
	bin, addr, dir string
}

// StartMinIO starts MinIO from bin with its data under dir.
func StartMinIO(ctx context.Context, bin, dir string) (*MinIO, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	m := &MinIO{Endpoint: "http://" + addr, AccessKey: "pyrelease", SecretKey: "pyrelease-secret", bin: bin, addr: addr, dir: dir}
	return m, m.Start(ctx)
}

// Start (re)starts the server on the same address and data.
func (m *MinIO) Start(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Join(m.dir, "data"), 0o755); err != nil {
		return err
	}
	env := append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "HOME="+m.dir)
	if err := m.start(m.dir, env, m.bin, "server", "--quiet", "--address", m.addr, filepath.Join(m.dir, "data")); err != nil {
		return fmt.Errorf("minio: %w", err)
	}
	if err := m.waitReady(ctx, m.Endpoint+"/minio/health/live", 30*time.Second); err != nil {
		return fmt.Errorf("minio: %w", err)
	}
	return nil
}

// Env is the AWS environment that reaches this server with its root
// credentials and no shared configuration of the user's.
func (m *MinIO) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey, "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(m.dir, "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(m.dir, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Client is an S3 client of this server with its root credentials.
func (m *MinIO) Client() *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(m.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
	})
}

// MakeBucket creates a bucket; a public one can be read anonymously, as
// pip reads a public bucket's index.
func (m *MinIO) MakeBucket(ctx context.Context, name string, public bool) error {
	c := m.Client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		return fmt.Errorf("creating bucket %s: %w", name, err)
	}
	if public {
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}`, name)
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(policy)}); err != nil {
			return fmt.Errorf("making bucket %s public: %w", name, err)
		}
	}
	return nil
}

func (m *MinIO) String() string { return "minio at " + m.Endpoint }

// Gitea is a Gitea server with its PyPI package registry and a fresh
// SQLite database.
type Gitea struct {
	URL string // http://127.0.0.1:PORT/
	process
	bin, dir, config string
}

// GiteaUser is an account with a token allowed to read and write packages.
type GiteaUser struct {
	Name, Password, Token string
	UploadURL             string // the user's PyPI upload endpoint
	SimpleURL             string // the user's PEP 503 index, ending in /simple/
}

// StartGitea starts Gitea from bin with its data under dir. Its templates/
// and options/ must sit beside bin, as .ci/run lays them out.
func StartGitea(ctx context.Context, bin, dir string) (*Gitea, error) {
	static := filepath.Dir(bin)
	if _, err := os.Stat(filepath.Join(static, "templates")); err != nil {
		return nil, fmt.Errorf("gitea: templates/ and options/ are not beside %s: %w", bin, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	port := addr[strings.LastIndex(addr, ":")+1:]
	g := &Gitea{URL: "http://" + addr + "/", bin: bin, dir: dir, config: filepath.Join(dir, "app.ini")}
	// A server nobody logs into: no mail, no cron, no SSH, registration off.
	ini := fmt.Sprintf(`APP_NAME = pyrelease tests
RUN_MODE = prod
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
WORK_PATH = %[1]s

[server]
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[2]s
ROOT_URL = http://%[3]s/
STATIC_ROOT_PATH = %[4]s
APP_DATA_PATH = %[1]s/data
OFFLINE_MODE = true
DISABLE_SSH = true

[database]
DB_TYPE = sqlite3
PATH = %[1]s/gitea.db

[security]
INSTALL_LOCK = true

[packages]
ENABLED = true

[repository]
ROOT = %[1]s/repos

[log]
LEVEL = Warn
ROOT_PATH = %[1]s/log

[service]
DISABLE_REGISTRATION = true

[cron]
ENABLED = false
`, dir, port, addr, static)
	if err := os.WriteFile(g.config, []byte(ini), 0o644); err != nil {
		return nil, err
	}
	if _, err := g.run(ctx, "migrate"); err != nil {
		return nil, err
	}
	if err := g.start(dir, g.env(), bin, "web", "--config", g.config, "--work-path", dir); err != nil {
		return nil, fmt.Errorf("gitea: %w", err)
	}
	if err := g.waitReady(ctx, g.URL+"api/healthz", 60*time.Second); err != nil {
		return nil, fmt.Errorf("gitea: %w", err)
	}
	return g, nil
}

func (g *Gitea) env() []string {
	return append(os.Environ(), "GITEA_WORK_DIR="+g.dir, "HOME="+g.dir)
}

// run runs a gitea CLI command against this server's configuration.
func (g *Gitea) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, g.bin, append(args, "--config", g.config, "--work-path", g.dir)...)
	cmd.Env, cmd.Dir = g.env(), g.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := errb.String()
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return "", fmt.Errorf("gitea %s: %w: %s %s", strings.Join(args, " "), err, out.String(), msg)
	}
	return out.String(), nil
}

// User creates an account with a token allowed to read and write packages.
func (g *Gitea) User(ctx context.Context, name string) (GiteaUser, error) {
	u := GiteaUser{Name: name, Password: "pw-" + name + "-0123456789"}
	if _, err := g.run(ctx, "admin", "user", "create", "--username", name, "--password", u.Password,
		"--email", name+"@example.test", "--must-change-password=false"); err != nil {
		return GiteaUser{}, err
	}
	out, err := g.run(ctx, "admin", "user", "generate-access-token", "--username", name, "--token-name", "release",
		"--scopes", "write:package,read:package", "--raw")
	if err != nil {
		return GiteaUser{}, err
	}
	// As root a warning line comes first: the token is the last word.
	words := strings.Fields(out)
	if len(words) == 0 {
		return GiteaUser{}, fmt.Errorf("gitea printed no token for %s", name)
	}
	u.Token = words[len(words)-1]
	u.UploadURL = g.URL + "api/packages/" + name + "/pypi"
	u.SimpleURL = u.UploadURL + "/simple/"
	return u, nil
}
