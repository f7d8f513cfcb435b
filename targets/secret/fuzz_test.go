package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

// FuzzDecrypt checks that Decrypt never panics, that every failure wraps
// one of the package's errors, and that a token it accepts is canonical:
// encrypting the plaintext again with the token's own time and IV gives
// back exactly the bytes it decoded.
func FuzzDecrypt(f *testing.F) {
	k := mustKey(f, specKey)
	f.Add([]byte(specToken), int64(60))
	f.Add([]byte(specToken+"\n"), int64(0))
	f.Add([]byte(specToken[:len(specToken)-2]), int64(0))
	f.Add([]byte("gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA=="), int64(60))
	f.Add([]byte(forge(k, 0x80, 0, make([]byte, 32))), int64(0))
	f.Add([]byte(forge(k, 0x80, 1<<63, make([]byte, 16))), int64(1))
	f.Add([]byte{}, int64(0))
	f.Add([]byte("===="), int64(-5))
	for _, v := range loadVectors(f) {
		if v.Key == specKey {
			f.Add([]byte(v.Token), int64(0))
		}
	}
	now := specTime.Add(time.Second)
	f.Fuzz(func(t *testing.T, token []byte, ttlSec int64) {
		ttl := time.Duration(ttlSec%(1<<32)) * time.Second
		plain, err := Decrypt(k, token, ttl, now)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) && !errors.Is(err, ErrSignature) && !errors.Is(err, ErrExpired) {
				t.Fatalf("Decrypt error %v wraps none of the package's errors", err)
			}
			if plain != nil {
				t.Fatalf("Decrypt returned %q with error %v", plain, err)
			}
			return
		}
		raw, err := base64.RawURLEncoding.DecodeString(string(bytes.TrimRight(bytes.TrimSpace(token), "=")))
		if err != nil {
			t.Fatalf("Decrypt accepted %q, which is not url-safe base64: %v", token, err)
		}
		ts := int64(raw[1])<<56 | int64(raw[2])<<48 | int64(raw[3])<<40 | int64(raw[4])<<32 |
			int64(raw[5])<<24 | int64(raw[6])<<16 | int64(raw[7])<<8 | int64(raw[8])
		if ts < 0 {
			return // beyond what Encrypt can stamp; only a key holder could make it
		}
		again, err := Encrypt(k, plain, time.Unix(ts, 0), bytes.NewReader(raw[9:25]))
		if err != nil {
			t.Fatal(err)
		}
		if again != base64.URLEncoding.EncodeToString(raw) {
			t.Fatalf("Decrypt accepted %q, but the canonical token is %s", token, again)
		}
	})
}
