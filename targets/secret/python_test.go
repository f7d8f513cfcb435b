package secret

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// Python's cryptography is the reference: these tests run it on files Go
// wrote and the other way round.

// interopSizes cover an empty file, partial, exact and one-over blocks,
// and a file large enough to need several reads.
var interopSizes = []int{0, 1, 15, 16, 17, 1000, 1 << 20}

var (
	pythonOnce  sync.Once
	pythonPath  string
	pythonTried []string
)

// python returns an interpreter that can import cryptography.fernet;
// PYRELEASE_TEST_PYTHON chooses one. The probe runs once per test binary.
func python(t *testing.T) string {
	t.Helper()
	pythonOnce.Do(func() {
		for _, c := range []string{os.Getenv("PYRELEASE_TEST_PYTHON"), "python3", "/usr/bin/python3"} {
			if c == "" {
				continue
			}
			pythonTried = append(pythonTried, c)
			p, err := exec.LookPath(c)
			if err != nil {
				continue
			}
			if exec.Command(p, "-c", "import cryptography.fernet").Run() == nil {
				pythonPath = p
				return
			}
		}
	})
	if pythonPath == "" {
		testenv.Missing(t, "no python3 with cryptography (tried %v)", pythonTried)
	}
	return pythonPath
}

// runPython runs code with the key in PYRELEASE_KEY (never on the command
// line) and the extra arguments in sys.argv[1:].
func runPython(t *testing.T, py string, k Key, code string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"-c", code}, args...)...)
	cmd.Env = append(os.Environ(), "PYRELEASE_KEY="+k.Encode())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

func TestPythonDecryptsGoFiles(t *testing.T) {
	py := python(t)
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var args []string
	want := map[string][]byte{}
	for _, n := range interopSizes {
		plain := make([]byte, n)
		rand.Read(plain)
		in, enc := filepath.Join(dir, fmt.Sprint(n)), filepath.Join(dir, fmt.Sprint(n, ".enc"))
		if err := os.WriteFile(in, plain, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := EncryptFile(context.Background(), k, in, enc); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, fmt.Sprint(n, ".py"))
		args = append(args, enc, out)
		want[out] = plain
	}
	// decrypt_at_time with a ttl also checks that the timestamp Go wrote
	// is the current time in seconds, as Python reads it.
	runPython(t, py, k, `
import os, sys, time
from cryptography.fernet import Fernet
f = Fernet(os.environ["PYRELEASE_KEY"])
a = sys.argv[1:]
for enc, out in zip(a[::2], a[1::2]):
    with open(enc, "rb") as r, open(out, "wb") as w:
        w.write(f.decrypt_at_time(r.read(), 600, int(time.time())))
`, args...)
	for out, plain := range want {
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("%s: Python decrypted %d bytes, want the %d Go encrypted", filepath.Base(out), len(got), len(plain))
		}
	}
}

func TestGoDecryptsPythonFiles(t *testing.T) {
	py := python(t)
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var args []string
	for _, n := range interopSizes {
		args = append(args, fmt.Sprint(n))
	}
	// Python writes each plaintext and its token, the token as Fernet
	// returns it and once more as a text file (with a newline) would hold it.
	runPython(t, py, k, `
import os, sys
from cryptography.fernet import Fernet
f = Fernet(os.environ["PYRELEASE_KEY"])
d = sys.argv[1]
for n in sys.argv[2:]:
    data = os.urandom(int(n))
    token = f.encrypt(data)
    for name, content in ((n, data), (n + ".enc", token), (n + ".txt", token + b"\n")):
        with open(os.path.join(d, name), "wb") as w:
            w.write(content)
`, append([]string{dir}, args...)...)
	for _, n := range args {
		plain, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) != atoi(t, n) {
			t.Fatalf("python wrote %d bytes for size %s", len(plain), n)
		}
		for _, ext := range []string{".enc", ".txt"} {
			out := filepath.Join(dir, n+ext+".go")
			if err := DecryptFile(context.Background(), k, filepath.Join(dir, n+ext), out); err != nil {
				t.Fatalf("%s%s: %v", n, ext, err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Errorf("%s%s: Go decrypted %d bytes, want the %d Python encrypted", n, ext, len(got), len(plain))
			}
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestVectorsAreCurrent runs the generator of testdata/vectors.json and
// checks that the committed file is what Python's cryptography makes.
func TestVectorsAreCurrent(t *testing.T) {
	py := python(t)
	cmd := exec.Command(py, filepath.Join("testdata", "vectors.py"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vectors.py: %v\n%s", err, stderr.String())
	}
	committed, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != strings.TrimSpace(string(committed)) {
		t.Errorf("testdata/vectors.json differs from what testdata/vectors.py prints; regenerate it:\n\tpython3 testdata/vectors.py > testdata/vectors.json")
	}
}

// TestPythonRejectsWhatGoRejects feeds Python the tokens Go refuses for
// their form, so the two agree on what a valid token is. Tokens Go
// deliberately tolerates (a stripped padding) are not among them.
func TestPythonRejectsWhatGoRejects(t *testing.T) {
	py := python(t)
	k := mustKey(t, specKey)
	valid := mustDecode(t, specToken)
	tampered := func(i int) string {
		b := bytes.Clone(valid)
		b[i] ^= 1
		return base64.URLEncoding.EncodeToString(b)
	}
	tokens := map[string]string{
		"version":                tampered(0),
		"timestamp":              tampered(4),
		"IV":                     tampered(12),
		"ciphertext":             tampered(30),
		"HMAC":                   tampered(len(valid) - 1),
		"truncated":              base64.URLEncoding.EncodeToString(valid[:len(valid)-16]),
		"forged version, signed": forge(k, 0x81, 0, make([]byte, 16)),
		"forged partial block":   forge(k, 0x80, 0, make([]byte, 20)),
	}
	var args []string
	for name, token := range tokens {
		if _, err := Decrypt(k, []byte(token), 0, time.Now()); err == nil {
			t.Fatalf("%s: Go accepted the token", name)
		}
		args = append(args, token)
	}
	out := runPython(t, py, k, `
import os, sys
from cryptography.fernet import Fernet, InvalidToken
f = Fernet(os.environ["PYRELEASE_KEY"])
for token in sys.argv[1:]:
    try:
        f.decrypt(token)
        print("accepted", token)
    except InvalidToken:
        pass
`, args...)
	if out != "" {
		t.Errorf("Python accepted tokens Go refuses:\n%s", out)
	}
}
