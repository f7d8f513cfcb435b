// Package secret encrypts and decrypts files with Fernet, the format of
// Python's cryptography.fernet, so that signing keys and credentials can be
// kept encrypted in a repository and read by Python tools and by pyrelease
// alike.
//
// Fernet is implemented here from its specification with the standard
// library's crypto packages: AES-128-CBC with PKCS#7 padding, authenticated
// by HMAC-SHA256, in url-safe base64. Tokens made here decrypt in Python
// and the other way round; the tests check both directions against
// cryptography itself.
package secret

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
)

// KeyEnv is the environment variable that holds the key.
const KeyEnv = "PYRELEASE_KEY"

// KeyFromEnv reads the key from PYRELEASE_KEY through getenv (os.Getenv, or
// a map in tests). Errors name the variable and what is wrong with its
// value, never the value.
func KeyFromEnv(getenv func(string) string) (Key, error) {
	v := getenv(KeyEnv)
	if strings.TrimSpace(v) == "" {
		return Key{}, fmt.Errorf("secret: %w", ErrNoKey)
	}
	k, reason := parseKey(v)
	if reason != "" {
		return Key{}, fmt.Errorf("secret: %s %s", KeyEnv, reason)
	}
	return k, nil
}

// EncryptFile writes the Fernet token of the file in to out, without a
// trailing newline, as Python's Fernet(key).encrypt(data) returns it. out is
// replaced atomically with mode 0644: it is meant to be committed.
func EncryptFile(ctx context.Context, key Key, in, out string) error {
	data, err := readInput(ctx, "encrypt", in, out)
	if err != nil {
		return err
	}
	token, err := Encrypt(key, data, time.Now(), nil)
	if err != nil {
		return err
	}
	return writeOutput(ctx, "encrypt", out, []byte(token), 0o644)
}

// DecryptFile writes the plaintext of the Fernet token in the file in to
// out, whatever the token's age. out is replaced atomically with mode 0600:
// it holds a secret.
func DecryptFile(ctx context.Context, key Key, in, out string) error {
	data, err := readInput(ctx, "decrypt", in, out)
	if err != nil {
		return err
	}
	plain, err := decrypt(&key, data, 0, time.Now())
	if err != nil {
		return fmt.Errorf("secret: decrypt %s: %w", in, err)
	}
	return writeOutput(ctx, "decrypt", out, plain, 0o600)
}

// readInput refuses to overwrite the input: a failed or wrong-key run
// would otherwise lose the only copy.
func readInput(ctx context.Context, op, in, out string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("secret: %s %s: %w", op, in, err)
	}
	if samePath(in, out) {
		return nil, fmt.Errorf("secret: %s %s: the output is the input file; write the output to another path", op, in)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return nil, fmt.Errorf("secret: %s: %w", op, err)
	}
	return data, nil
}

func writeOutput(ctx context.Context, op, out string, data []byte, mode os.FileMode) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secret: %s: not writing %s: %w", op, out, err)
	}
	if err := atomicfile.Write(out, data, mode); err != nil {
		return fmt.Errorf("secret: %s: writing %s: %w", op, out, err)
	}
	return nil
}

// samePath reports whether in and out name one file, by path or, when both
// exist, by identity (a hard link, a symbolic link, "./x" against "x").
func samePath(in, out string) bool {
	a, errA := filepath.Abs(in)
	b, errB := filepath.Abs(out)
	if errA == nil && errB == nil && a == b {
		return true
	}
	fi, errIn := os.Stat(in)
	fo, errOut := os.Stat(out)
	return errIn == nil && errOut == nil && os.SameFile(fi, fo)
}
