package targets_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets"
)

// captureStdout runs f with os.Stdout redirected and returns what it
// printed. The tests using it set environment variables, so they never run
// in parallel with others.
func captureStdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	ferr := f()
	os.Stdout = saved
	w.Close()
	return <-done, ferr
}

func TestEncryptDecryptTargets(t *testing.T) {
	const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	dir := t.TempDir()
	plain, enc, dec := filepath.Join(dir, "signing.key"), filepath.Join(dir, "signing.key.enc"), filepath.Join(dir, "decrypted.key")
	if err := os.WriteFile(plain, []byte("-----BEGIN PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Setenv("PYRELEASE_KEY", key+"\n")
	out, err := captureStdout(t, func() error { return targets.Encrypt(ctx, plain, enc) })
	if err != nil || out != enc+"\n" {
		t.Fatalf("encrypt printed %q, %v; want the output path", out, err)
	}
	out, err = captureStdout(t, func() error { return targets.Decrypt(ctx, enc, dec) })
	if err != nil || out != dec+"\n" {
		t.Fatalf("decrypt printed %q, %v; want the output path", out, err)
	}
	if got, err := os.ReadFile(dec); err != nil || string(got) != "-----BEGIN PRIVATE KEY-----\n" {
		t.Errorf("decrypted %q, %v", got, err)
	}
	if fi, err := os.Stat(dec); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("decrypted file mode: %v, %v; want 0600", fi.Mode().Perm(), err)
	}

	t.Setenv("PYRELEASE_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	out, err = captureStdout(t, func() error { return targets.Decrypt(ctx, enc, filepath.Join(dir, "wrong")) })
	if err == nil || !strings.Contains(err.Error(), "signature does not match") || out != "" {
		t.Errorf("decrypt with another key: printed %q, error %v", out, err)
	}

	t.Setenv("PYRELEASE_KEY", "")
	for name, target := range map[string]func(context.Context, string, string) error{
		"encrypt": targets.Encrypt, "decrypt": targets.Decrypt,
	} {
		out, err := captureStdout(t, func() error { return target(ctx, plain, filepath.Join(dir, name)) })
		if err == nil || !strings.Contains(err.Error(), "PYRELEASE_KEY is not set") || out != "" {
			t.Errorf("%s without a key: printed %q, error %v", name, out, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "wrong")); !os.IsNotExist(err) {
		t.Errorf("a failed decrypt wrote its output: %v", err)
	}
}
