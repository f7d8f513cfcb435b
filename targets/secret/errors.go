package secret

import "errors"

// ErrInvalidToken is wrapped by every error about a token that is not a
// well-formed Fernet token: not url-safe base64, another version, too short,
// not whole AES blocks, bad padding or a timestamp too far in the future.
var ErrInvalidToken = errors.New("invalid Fernet token")

// ErrSignature is wrapped when a token's HMAC does not match: it was made
// with another key, or changed after it was made.
var ErrSignature = errors.New("token signature does not match: wrong key, or the token was altered")

// ErrExpired is wrapped when a token is older than the time-to-live the
// caller asked for.
var ErrExpired = errors.New("token has expired")

// ErrNoKey is wrapped by KeyFromEnv when PYRELEASE_KEY is unset or blank.
var ErrNoKey = errors.New("PYRELEASE_KEY is not set (a Fernet key: 32 url-safe base64 bytes, as made by cryptography.fernet.Fernet.generate_key())")
