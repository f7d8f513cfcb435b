package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"
)

// Layout of a decoded token: version ‖ timestamp ‖ IV ‖ ciphertext ‖ HMAC.
const (
	version     = 0x80
	headerLen   = 1 + 8 + aes.BlockSize // version, timestamp, IV
	macLen      = sha256.Size
	minTokenLen = headerLen + aes.BlockSize + macLen // PKCS#7 always adds at least one block
)

// maxClockSkew is how far in the future a token's timestamp may lie when a
// time-to-live is checked: Python's cryptography allows 60 seconds.
const maxClockSkew = 60 * time.Second

// Key is a Fernet key: a 16-byte HMAC-SHA256 signing key followed by a
// 16-byte AES-128 encryption key.
type Key [32]byte

func (k *Key) signing() []byte    { return k[:16] }
func (k *Key) encryption() []byte { return k[16:] }

// ParseKey reads a key in the form Fernet.generate_key() prints: 32 bytes in
// url-safe base64, normally 44 characters ending in "=". Surrounding space
// is ignored and the padding may be missing. Errors never contain the key.
func ParseKey(s string) (Key, error) {
	k, reason := parseKey(s)
	if reason != "" {
		return Key{}, fmt.Errorf("secret: key %s", reason)
	}
	return k, nil
}

// parseKey returns the key or why s is not one, phrased to follow the
// name of where s came from.
func parseKey(s string) (Key, string) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if i := strings.IndexAny(s, "+/"); i >= 0 {
		return Key{}, fmt.Sprintf("is standard base64 (character %d is '+' or '/'), want url-safe base64 with '-' and '_'", i+1)
	}
	// Not Strict: like Python, ignore the unused low bits of the last
	// character, so every key Python accepts is accepted here.
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		// A CorruptInputError holds an offset, never the input.
		return Key{}, fmt.Sprintf("is not url-safe base64: %v", err)
	}
	if len(raw) != len(Key{}) {
		return Key{}, fmt.Sprintf("decodes to %d bytes, want 32 (a Fernet key is 44 characters of url-safe base64)", len(raw))
	}
	return Key(raw), ""
}

// GenerateKey returns a new random key, as Fernet.generate_key() does.
func GenerateKey() (Key, error) {
	var k Key
	if _, err := io.ReadFull(rand.Reader, k[:]); err != nil {
		return Key{}, fmt.Errorf("secret: generating a key: %w", err)
	}
	return k, nil
}

// Encode returns the key in url-safe base64 with padding, the form Python's
// Fernet takes. It is the secret itself: never log it.
func (k Key) Encode() string { return base64.URLEncoding.EncodeToString(k[:]) }

// String keeps the key out of logs and formatted errors: a Key printed by
// mistake shows as "REDACTED".
func (k Key) String() string { return "REDACTED" }

// LogValue keeps the key out of slog output.
func (k Key) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// Encrypt returns the Fernet token of plaintext, stamped with now, with an
// IV read from random (crypto/rand when nil). The token is url-safe base64
// with padding, byte for byte what Python's Fernet makes from the same
// time and IV.
func Encrypt(k Key, plaintext []byte, now time.Time, random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	ts := now.Unix()
	if ts < 0 {
		return "", fmt.Errorf("secret: cannot encrypt at %s: a Fernet timestamp counts seconds since 1970", now.UTC().Format(time.RFC3339))
	}
	padLen := aes.BlockSize - len(plaintext)%aes.BlockSize
	token := make([]byte, headerLen, headerLen+len(plaintext)+padLen+macLen)
	token[0] = version
	binary.BigEndian.PutUint64(token[1:9], uint64(ts))
	iv := token[9:headerLen]
	if _, err := io.ReadFull(random, iv); err != nil {
		return "", fmt.Errorf("secret: reading a random IV: %w", err)
	}
	token = append(token, plaintext...)
	token = append(token, bytes.Repeat([]byte{byte(padLen)}, padLen)...)
	block, err := aes.NewCipher(k.encryption())
	if err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	body := token[headerLen:]
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(body, body)
	token = sign(&k, token)
	return base64.URLEncoding.EncodeToString(token), nil
}

// sign appends the HMAC of everything in token.
func sign(k *Key, token []byte) []byte {
	m := hmac.New(sha256.New, k.signing())
	m.Write(token)
	return m.Sum(token)
}

// Decrypt verifies a Fernet token and returns its plaintext. With ttl > 0 it
// also refuses tokens made more than ttl before now, or more than a minute
// after it, as Python's Fernet.decrypt(token, ttl) does; ttl 0 (or less)
// accepts any age, as Fernet.decrypt(token) does. Surrounding white space (a file's final newline) is ignored, and so
// is missing base64 padding.
//
// Errors wrap ErrInvalidToken, ErrSignature or ErrExpired, and never contain
// the key or any plaintext.
func Decrypt(k Key, token []byte, ttl time.Duration, now time.Time) ([]byte, error) {
	plain, err := decrypt(&k, token, ttl, now)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return plain, nil
}

// decrypt follows the spec's order: structure, then time, then the HMAC
// (compared in constant time), and only then AES and the padding, so a
// forged token never reaches the cipher.
func decrypt(k *Key, token []byte, ttl time.Duration, now time.Time) ([]byte, error) {
	data, err := decodeToken(token)
	if err != nil {
		return nil, err
	}
	if data[0] != version {
		return nil, fmt.Errorf("%w: version byte is 0x%02x, want 0x80", ErrInvalidToken, data[0])
	}
	if len(data) < minTokenLen || (len(data)-headerLen-macLen)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes, want %d plus one or more 16-byte blocks", ErrInvalidToken, len(data), headerLen+macLen)
	}
	if ttl > 0 {
		if err := checkTime(binary.BigEndian.Uint64(data[1:9]), ttl, now); err != nil {
			return nil, err
		}
	}
	signed, mac := data[:len(data)-macLen], data[len(data)-macLen:]
	m := hmac.New(sha256.New, k.signing())
	m.Write(signed)
	if !hmac.Equal(m.Sum(nil), mac) { // constant time
		return nil, ErrSignature
	}
	iv, body := signed[9:headerLen], signed[headerLen:]
	block, err := aes.NewCipher(k.encryption())
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(body))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, body)
	return unpad(plain)
}

// decodeToken accepts exactly the url-safe base64 alphabet, with, without
// or with partial padding. Go's decoder would skip CR and LF anywhere and
// ignore the unused bits of the last character; both are refused so that
// no two different token texts decode to the same bytes.
func decodeToken(token []byte) ([]byte, error) {
	token = bytes.TrimRight(bytes.TrimSpace(token), "=")
	if len(token) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrInvalidToken)
	}
	for i, c := range token {
		if !isBase64URL(c) {
			return nil, fmt.Errorf("%w: character %d is not url-safe base64", ErrInvalidToken, i+1)
		}
	}
	data, err := base64.RawURLEncoding.Strict().DecodeString(string(token))
	if err != nil {
		return nil, fmt.Errorf("%w: not url-safe base64: %v", ErrInvalidToken, err)
	}
	return data, nil
}

func isBase64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// checkTime applies Python's rules in whole seconds: expired when
// timestamp+ttl < now, invalid when the timestamp is more than maxClockSkew
// ahead of now.
func checkTime(ts uint64, ttl time.Duration, now time.Time) error {
	nowSec := now.Unix()
	if ts > math.MaxInt64 || int64(ts) > nowSec+int64(maxClockSkew/time.Second) {
		return fmt.Errorf("%w: its timestamp lies more than %s in the future", ErrInvalidToken, maxClockSkew)
	}
	if age := nowSec - int64(ts); age > int64(ttl/time.Second) {
		return fmt.Errorf("%w: made %d seconds ago, the time-to-live is %s", ErrExpired, age, ttl)
	}
	return nil
}

// unpad removes PKCS#7 padding. The HMAC has been checked, so this runs
// only on the key holder's own output; its timing leaks nothing an
// attacker can choose.
func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, fmt.Errorf("%w: bad PKCS#7 padding", ErrInvalidToken)
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, fmt.Errorf("%w: bad PKCS#7 padding", ErrInvalidToken)
		}
	}
	return b[:len(b)-n], nil
}
