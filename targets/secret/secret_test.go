package secret

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeyFromEnv(t *testing.T) {
	tests := map[string]struct {
		value string
		err   string // "" means valid
	}{
		"set":        {value: specKey},
		"newline":    {value: specKey + "\n"},
		"unset":      {value: "", err: "secret: PYRELEASE_KEY is not set (a Fernet key: 32 url-safe base64 bytes, as made by cryptography.fernet.Fernet.generate_key())"},
		"blank":      {value: " \n", err: "secret: PYRELEASE_KEY is not set ("},
		"a password": {value: "hunter2-hunter2-hunter2-hunter2!", err: "secret: PYRELEASE_KEY is not url-safe base64"},
		"short":      {value: "c2hvcnQta2V5", err: "secret: PYRELEASE_KEY decodes to 9 bytes, want 32"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var asked []string
			k, err := KeyFromEnv(func(name string) string {
				asked = append(asked, name)
				return tc.value
			})
			if len(asked) != 1 || asked[0] != "PYRELEASE_KEY" {
				t.Errorf("KeyFromEnv read %v, want [PYRELEASE_KEY]", asked)
			}
			if tc.err == "" {
				if err != nil || k.Encode() != specKey {
					t.Fatalf("KeyFromEnv = %v, %v; want the spec key", k, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Fatalf("KeyFromEnv error = %v, want one starting %q", err, tc.err)
			}
			if strings.TrimSpace(tc.value) == "" && !errors.Is(err, ErrNoKey) {
				t.Errorf("error %v does not wrap ErrNoKey", err)
			}
			if v := strings.TrimSpace(tc.value); v != "" && strings.Contains(err.Error(), v) {
				t.Errorf("error %q repeats the value", err)
			}
		})
	}
}

func writeFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func TestFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	k := mustKey(t, specKey)
	plain, enc, dec := filepath.Join(dir, "pypirc"), filepath.Join(dir, "pypirc.enc"), filepath.Join(dir, "out", "pypirc")
	const secretText = "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n"
	writeFile(t, plain, secretText, 0o600)
	if err := os.Mkdir(filepath.Dir(dec), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := EncryptFile(ctx, k, plain, enc); err != nil {
		t.Fatal(err)
	}
	token, err := os.ReadFile(enc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(token), "pypi-") || strings.HasSuffix(string(token), "\n") || !strings.HasPrefix(string(token), "gAAAAA") {
		t.Errorf("encrypted file is not a bare Fernet token: %q", token)
	}
	if got, err := Decrypt(k, token, 0, time.Now()); err != nil || string(got) != secretText {
		t.Fatalf("Decrypt of the file = %q, %v", got, err)
	}
	if err := DecryptFile(ctx, k, enc, dec); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dec)
	if err != nil || string(got) != secretText {
		t.Fatalf("decrypted file = %q, %v", got, err)
	}
	for path, want := range map[string]os.FileMode{enc: 0o644, dec: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", filepath.Base(path), fi.Mode().Perm(), err, want)
		}
	}
	// Decrypting again over an existing file with a looser mode replaces
	// both the content and the mode.
	writeFile(t, dec, "stale", 0o644)
	if err := DecryptFile(ctx, k, enc, dec); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dec); fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten output has mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestDecryptFileReadsHandEditedTokens(t *testing.T) {
	dir := t.TempDir()
	enc, dec := filepath.Join(dir, "key.enc"), filepath.Join(dir, "key")
	writeFile(t, enc, strings.TrimRight(specToken, "=")+"\r\n", 0o644)
	if err := DecryptFile(context.Background(), mustKey(t, specKey), enc, dec); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dec); string(got) != "hello" {
		t.Errorf("decrypted %q, want hello", got)
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	k := mustKey(t, specKey)
	enc := filepath.Join(dir, "creds.enc")
	writeFile(t, enc, specToken, 0o644)
	writeFile(t, filepath.Join(dir, "plain"), "hello", 0o600)
	if err := os.Link(enc, filepath.Join(dir, "hardlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("creds.enc", filepath.Join(dir, "symlink")); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	wrong := mustKey(t, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	tests := map[string]struct {
		encrypt bool
		ctx     context.Context
		key     Key
		in, out string
		err     string
		is      error
	}{
		"decrypt onto itself":      {in: "creds.enc", out: "creds.enc", err: "the output is the input file"},
		"decrypt onto ./itself":    {in: "creds.enc", out: "./sub/../creds.enc", err: "the output is the input file"},
		"decrypt onto a hard link": {in: "creds.enc", out: "hardlink", err: "the output is the input file"},
		"decrypt onto a symlink":   {in: "symlink", out: "creds.enc", err: "the output is the input file"},
		"encrypt onto itself":      {encrypt: true, in: "plain", out: "plain", err: "the output is the input file"},
		"missing input":            {in: "missing.enc", out: "out", err: "secret: decrypt: open ", is: os.ErrNotExist},
		"missing output directory": {encrypt: true, in: "plain", out: "no/such/dir/out", err: "secret: encrypt: writing "},
		"wrong key":                {key: wrong, in: "creds.enc", out: "out", err: "secret: decrypt " + filepath.Join(dir, "creds.enc") + ": token signature does not match", is: ErrSignature},
		"not a token":              {in: "plain", out: "out", err: "invalid Fernet token", is: ErrInvalidToken},
		"cancelled":                {ctx: cancelled, in: "creds.enc", out: "out", err: "context canceled", is: context.Canceled},
		"cancelled encrypt":        {encrypt: true, ctx: cancelled, in: "plain", out: "out", err: "context canceled", is: context.Canceled},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			ctx, key := tc.ctx, tc.key
			if ctx == nil {
				ctx = context.Background()
			}
			if key == (Key{}) {
				key = k
			}
			in, out := filepath.Join(dir, tc.in), filepath.Join(dir, tc.out)
			if strings.HasPrefix(tc.out, "./") {
				out = tc.out // relative to the working directory, resolved below
				t.Chdir(dir)
				in = tc.in
			}
			op := DecryptFile
			if tc.encrypt {
				op = EncryptFile
			}
			err := op(ctx, key, in, out)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if strings.Contains(err.Error(), "hello") || strings.Contains(err.Error(), key.Encode()) {
				t.Errorf("error %q contains the plaintext or the key", err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "creds.enc")); string(got) != specToken {
				t.Errorf("creds.enc changed: %q", got)
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed run left an output file: %v", err)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
