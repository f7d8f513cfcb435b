package testenv

import (
	"bytes"
	"context"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// MinIO is a real MinIO server on loopback, owned by one test.
type MinIO struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string

	t    testing.TB
	bin  string
	addr string
	dir  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// StartMinIO starts MinIO (the binary named by PYRELEASE_MINIO, or minio
// on PATH) with its data in a temporary directory and stops it when the
// test ends. Under CI=true a missing binary fails the test.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	bin := os.Getenv("PYRELEASE_MINIO")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("minio"); err != nil {
			Missing(t, "minio not found on PATH and PYRELEASE_MINIO unset (.ci/run builds it): %v", err)
		}
	}
	m := &MinIO{t: t, bin: bin, addr: freeAddr(t), dir: t.TempDir(), AccessKey: "pyrelease", SecretKey: "pyrelease-secret"}
	m.Endpoint = "http://" + m.addr
	m.Start()
	t.Cleanup(m.Stop)
	return m
}

// Start (re)starts the server on the same address and data.
func (m *MinIO) Start() {
	m.t.Helper()
	m.log = &bytes.Buffer{}
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, filepath.Join(m.dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "HOME="+m.dir)
	cmd.Stdout, cmd.Stderr = m.log, m.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("starting minio: %v", err)
	}
	m.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(m.Endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.Stop()
	m.t.Fatalf("minio did not become ready at %s: %s", m.Endpoint, m.log)
}

// Stop kills the server (SIGKILL: as abrupt as a crash).
func (m *MinIO) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	_ = m.cmd.Wait()
	m.cmd = nil
}

// Env is the AWS environment that reaches this server with its root
// credentials and no shared config from the user's home.
func (m *MinIO) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey, "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(m.dir, "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(m.dir, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// SetEnv applies Env to the test's process environment.
func (m *MinIO) SetEnv(t *testing.T) {
	for _, kv := range m.Env() {
		k, v, _ := cutEq(kv)
		t.Setenv(k, v)
	}
}

func cutEq(kv string) (string, string, bool) {
	for i := range len(kv) {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}

// MakeBucket creates a bucket; a public one can be read anonymously, as
// pip reads a public bucket's index.
func (m *MinIO) MakeBucket(name string, public bool) {
	m.t.Helper()
	ctx := context.Background()
	c := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(m.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
	})
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		m.t.Fatalf("creating bucket %s: %v", name, err)
	}
	if public {
		policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}`, name)
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(policy)}); err != nil {
			m.t.Fatalf("making bucket %s public: %v", name, err)
		}
	}
}

func (m *MinIO) String() string { return fmt.Sprintf("minio at %s", m.Endpoint) }

// Log returns what the server printed.
func (m *MinIO) Log() string { return m.log.String() }

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
