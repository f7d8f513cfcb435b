package targets

import (
	"context"
	"fmt"
	"os"

	"github.com/pyrelease/pyrelease/targets/secret"
)

// Encrypt encrypts a file with the Fernet key in PYRELEASE_KEY, as Python's cryptography.fernet does.
//
// IN is read whole and OUT is replaced atomically with the token, which
// Python's Fernet(key).decrypt reads back. Make a key with
// python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'.
// Prints OUT.
func Encrypt(ctx context.Context, in, out string) (err error) {
	defer scrub(&err)
	key, err := secret.KeyFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if err := secret.EncryptFile(ctx, key, in, out); err != nil {
		return err
	}
	fmt.Fprintln(stdout, out)
	return nil
}

// Decrypt decrypts a Fernet file with the key in PYRELEASE_KEY.
//
// OUT is written with mode 0600. A wrong key or an altered file fails
// without writing anything. Prints OUT.
func Decrypt(ctx context.Context, in, out string) (err error) {
	defer scrub(&err)
	key, err := secret.KeyFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if err := secret.DecryptFile(ctx, key, in, out); err != nil {
		return err
	}
	fmt.Fprintln(stdout, out)
	return nil
}
