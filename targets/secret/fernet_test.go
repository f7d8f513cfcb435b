package secret

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// specKey and the spec* tokens are the test vectors of the Fernet
// specification (its generate.json, verify.json and invalid.json); Python's
// cryptography agrees with every one of them.
const (
	specKey   = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	specToken = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
)

var specTime = time.Date(1985, time.October, 26, 1, 20, 0, 0, time.FixedZone("PDT", -7*3600))

type vector struct {
	Name      string `json:"name"`
	Key       string `json:"key"`
	Now       int64  `json:"now"`
	IV        string `json:"iv"`
	Plaintext string `json:"plaintext"`
	Token     string `json:"token"`
}

// loadVectors reads testdata/vectors.json, which testdata/vectors.py made
// with Python's cryptography:
//
//	python3 testdata/vectors.py > testdata/vectors.json
func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("testdata/vectors.json holds no vectors")
	}
	return vs
}

func mustKey(t testing.TB, s string) Key {
	t.Helper()
	k, err := ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncryptMatchesPythonVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			k := mustKey(t, v.Key)
			plain := mustHex(t, v.Plaintext)
			got, err := Encrypt(k, plain, time.Unix(v.Now, 0), bytes.NewReader(mustHex(t, v.IV)))
			if err != nil {
				t.Fatal(err)
			}
			if got != v.Token {
				t.Errorf("Encrypt =\n%s\nPython made\n%s", got, v.Token)
			}
			back, err := Decrypt(k, []byte(v.Token), 0, time.Now())
			if err != nil {
				t.Fatalf("Decrypt of Python's token: %v", err)
			}
			if !bytes.Equal(back, plain) {
				t.Errorf("Decrypt = %x, want %x", back, plain)
			}
		})
	}
}

func TestSpecGenerateAndVerify(t *testing.T) {
	k := mustKey(t, specKey)
	iv := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	got, err := Encrypt(k, []byte("hello"), specTime, bytes.NewReader(iv))
	if err != nil {
		t.Fatal(err)
	}
	if got != specToken {
		t.Errorf("generate: got %s, want %s", got, specToken)
	}
	plain, err := Decrypt(k, []byte(specToken), 60*time.Second, specTime.Add(time.Second))
	if err != nil || string(plain) != "hello" {
		t.Errorf("verify: got %q, %v; want hello", plain, err)
	}
}

func TestSpecInvalid(t *testing.T) {
	at := specTime.Add(time.Second)
	tests := map[string]struct {
		token string
		now   time.Time
		want  error
	}{
		"incorrect mac": {
			token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==",
			now:   at, want: ErrSignature,
		},
		"too short": {
			token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==",
			now:   at, want: ErrInvalidToken,
		},
		"invalid base64": {
			token: "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
			now:   at, want: ErrInvalidToken,
		},
		"payload size not multiple of block size": {
			token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm",
			now:   at, want: ErrInvalidToken,
		},
		"payload padding error": {
			token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==",
			now:   at, want: ErrInvalidToken,
		},
		"far-future TS (unacceptable clock skew)": {
			token: "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==",
			now:   at, want: ErrInvalidToken,
		},
		"expired TTL": {
			token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
			now:   specTime.Add(91 * time.Second), want: ErrExpired,
		},
		"incorrect IV (causes padding error)": {
			token: "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==",
			now:   at, want: ErrInvalidToken,
		},
	}
	k := mustKey(t, specKey)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			plain, err := Decrypt(k, []byte(tc.token), 60*time.Second, tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decrypt = %q, %v; want %v", plain, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "secret: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestRoundTripSizes(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 1000, 1 << 20} {
		plain := make([]byte, n)
		rand.Read(plain)
		token, err := Encrypt(k, plain, time.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		// Version, timestamp, IV, the padded plaintext and the HMAC.
		wantLen := base64.URLEncoding.EncodedLen(1 + 8 + 16 + (n/16+1)*16 + 32)
		if len(token) != wantLen {
			t.Errorf("%d bytes: token is %d characters, want %d", n, len(token), wantLen)
		}
		back, err := Decrypt(k, []byte(token), time.Minute, time.Now())
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(back, plain) {
			t.Errorf("%d bytes: round trip changed the data", n)
		}
	}
}

func TestEncryptUsesFreshIVs(t *testing.T) {
	k := mustKey(t, specKey)
	now := time.Unix(1700000000, 0)
	a, err := Encrypt(k, []byte("same"), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encrypt(k, []byte("same"), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two encryptions of the same data at the same second gave the same token")
	}
}

func TestEncryptErrors(t *testing.T) {
	k := mustKey(t, specKey)
	tests := map[string]struct {
		now    time.Time
		random *bytes.Reader
		want   string
	}{
		"before 1970":    {now: time.Unix(-1, 0), random: bytes.NewReader(make([]byte, 16)), want: "seconds since 1970"},
		"IV source dies": {now: time.Unix(0, 0), random: bytes.NewReader(make([]byte, 15)), want: "reading a random IV"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			token, err := Encrypt(k, []byte("x"), tc.now, tc.random)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Encrypt = %q, %v; want an error containing %q", token, err, tc.want)
			}
		})
	}
	if _, err := Encrypt(k, nil, time.Unix(0, 0), iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("Encrypt succeeded with a failing random source")
	}
}

func TestDecryptToleratesTextFileForms(t *testing.T) {
	k := mustKey(t, specKey)
	unpadded := strings.TrimRight(specToken, "=")
	tests := map[string]string{
		"newline":                   specToken + "\n",
		"CRLF":                      specToken + "\r\n",
		"surrounding space":         "  " + specToken + " \n\n",
		"padding stripped":          unpadded,
		"padding stripped, newline": unpadded + "\n",
		"partial padding":           unpadded + "=",
	}
	for name, token := range tests {
		t.Run(name, func(t *testing.T) {
			plain, err := Decrypt(k, []byte(token), 0, time.Now())
			if err != nil || string(plain) != "hello" {
				t.Fatalf("Decrypt = %q, %v; want hello", plain, err)
			}
		})
	}
}

// forge builds a token from raw fields signed with k, so that the checks
// after the HMAC can be reached.
func forge(k Key, version byte, ts uint64, body []byte) string {
	raw := make([]byte, 0, 25+len(body)+32)
	raw = append(raw, version)
	raw = binary.BigEndian.AppendUint64(raw, ts)
	raw = append(raw, make([]byte, 16)...)
	raw = append(raw, body...)
	return base64.URLEncoding.EncodeToString(sign(&k, raw))
}

func TestDecryptRejects(t *testing.T) {
	k := mustKey(t, specKey)
	mid := len(specToken) / 2
	tests := map[string]struct {
		token string
		want  error
	}{
		"empty":                       {token: "", want: ErrInvalidToken},
		"only padding":                {token: "====", want: ErrInvalidToken},
		"only white space":            {token: " \n", want: ErrInvalidToken},
		"newline inside":              {token: specToken[:mid] + "\n" + specToken[mid:], want: ErrInvalidToken},
		"standard base64 alphabet":    {token: strings.NewReplacer("-", "+", "_", "/").Replace(specToken), want: ErrInvalidToken},
		"padding inside":              {token: specToken[:mid] + "=" + specToken[mid:], want: ErrInvalidToken},
		"impossible length":           {token: strings.TrimRight(specToken, "=") + "A", want: ErrInvalidToken},
		"version 0x81, signed":        {token: forge(k, 0x81, 0, make([]byte, 16)), want: ErrInvalidToken},
		"no ciphertext, signed":       {token: forge(k, 0x80, 0, nil), want: ErrInvalidToken},
		"partial block, signed":       {token: forge(k, 0x80, 0, make([]byte, 20)), want: ErrInvalidToken},
		"one byte short of a block":   {token: forge(k, 0x80, 0, make([]byte, 15)), want: ErrInvalidToken},
		"truncated HMAC":              {token: base64.URLEncoding.EncodeToString(mustDecode(t, specToken)[:73-1]), want: ErrInvalidToken},
		"HMAC of another token":       {token: spliceMAC(t, specToken, forge(k, 0x80, 1, make([]byte, 16))), want: ErrSignature},
		"trailing garbage after text": {token: specToken + " x", want: ErrInvalidToken},
		"padding byte 0, signed":      {token: sealPadded(t, k, make([]byte, 16)), want: ErrInvalidToken},
		"padding byte 17, signed":     {token: sealPadded(t, k, bytes.Repeat([]byte{17}, 32)), want: ErrInvalidToken},
		"padding bytes differ":        {token: sealPadded(t, k, append(bytes.Repeat([]byte{3}, 14), 2, 3)), want: ErrInvalidToken},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			plain, err := Decrypt(k, []byte(tc.token), 0, time.Now())
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decrypt = %q, %v; want %v", plain, err, tc.want)
			}
		})
	}
}

// sealPadded encrypts blocks as they are, without adding padding, and
// signs the token: a key holder's token with the padding given.
func sealPadded(t testing.TB, k Key, blocks []byte) string {
	t.Helper()
	block, err := aes.NewCipher(k.encryption())
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Clone(blocks)
	cipher.NewCBCEncrypter(block, make([]byte, 16)).CryptBlocks(body, body)
	return forge(k, 0x80, 0, body)
}

func mustDecode(t testing.TB, token string) []byte {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// restamp returns token with its timestamp replaced and signed again.
func restamp(t testing.TB, k Key, token string, ts uint64) string {
	raw := mustDecode(t, token)
	raw = raw[:len(raw)-32]
	binary.BigEndian.PutUint64(raw[1:9], ts)
	return base64.URLEncoding.EncodeToString(sign(&k, raw))
}

// spliceMAC returns token with the HMAC of other.
func spliceMAC(t testing.TB, token, other string) string {
	a, b := mustDecode(t, token), mustDecode(t, other)
	out := append(a[:len(a)-32:len(a)-32], b[len(b)-32:]...)
	return base64.URLEncoding.EncodeToString(out)
}

// Every single-bit change to a token, in its text or in the bytes it
// encodes, must be refused: no two distinct texts may decode to the same
// token and nothing unsigned may reach the cipher.
func TestEveryBitFlipIsRefused(t *testing.T) {
	k := mustKey(t, specKey)
	// Plaintext lengths chosen so that the tokens end in "", "=" and "==".
	for _, n := range []int{0, 5, 16, 32} {
		token, err := Encrypt(k, bytes.Repeat([]byte("p"), n), time.Unix(1700000000, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(token) {
			for bit := range 8 {
				b := []byte(token)
				b[i] ^= 1 << bit
				if plain, err := Decrypt(k, b, 0, time.Now()); !errors.Is(err, ErrSignature) && !errors.Is(err, ErrInvalidToken) {
					t.Errorf("%d-byte plaintext: text bit %d of character %d flipped: Decrypt = %q, %v", n, bit, i, plain, err)
				}
			}
		}
		raw := mustDecode(t, token)
		for i := range len(raw) {
			for bit := range 8 {
				b := bytes.Clone(raw)
				b[i] ^= 1 << bit
				tampered := base64.URLEncoding.EncodeToString(b)
				plain, err := Decrypt(k, []byte(tampered), 0, time.Now())
				want := ErrSignature
				if i == 0 {
					want = ErrInvalidToken // the version byte is checked first
				}
				if !errors.Is(err, want) {
					t.Errorf("%d-byte plaintext: bit %d of byte %d flipped: Decrypt = %q, %v; want %v", n, bit, i, plain, err, want)
				}
			}
		}
	}
}

func TestWrongKey(t *testing.T) {
	right := mustKey(t, specKey)
	token, err := Encrypt(right, []byte("pypi-token"), time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]Key{
		"another key":                 mustKey(t, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
		"right encryption, wrong MAC": func() Key { k := right; k[0] ^= 1; return k }(),
		"right MAC, wrong encryption": func() Key { k := right; k[31] ^= 1; return k }(),
	} {
		t.Run(name, func(t *testing.T) {
			plain, err := Decrypt(k, []byte(token), 0, time.Now())
			switch {
			case name == "right MAC, wrong encryption":
				// The HMAC holds, so only the padding can tell; a wrong
				// AES key still yields valid padding about 1 time in 256.
				if err == nil && bytes.Equal(plain, []byte("pypi-token")) {
					t.Fatalf("Decrypt with a wrong AES key returned the plaintext")
				}
			case !errors.Is(err, ErrSignature):
				t.Fatalf("Decrypt = %q, %v; want %v", plain, err, ErrSignature)
			}
			if err != nil && strings.Contains(err.Error(), "pypi-token") {
				t.Errorf("error %q contains the plaintext", err)
			}
		})
	}
}

func TestTTL(t *testing.T) {
	k := mustKey(t, specKey)
	const made = 1700000000
	token, err := Encrypt(k, []byte("x"), time.Unix(made, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	farFuture := restamp(t, k, token, math.MaxUint64)
	tests := map[string]struct {
		token string
		ttl   time.Duration
		now   time.Time
		want  error // nil: accepted
	}{
		"fresh":                          {token: token, ttl: time.Minute, now: time.Unix(made, 0)},
		"exactly ttl old":                {token: token, ttl: time.Minute, now: time.Unix(made+60, 999e6)},
		"one second too old":             {token: token, ttl: time.Minute, now: time.Unix(made+61, 0), want: ErrExpired},
		"sub-second ttl, same second":    {token: token, ttl: time.Millisecond, now: time.Unix(made, 5e8)},
		"sub-second ttl, next second":    {token: token, ttl: time.Millisecond, now: time.Unix(made+1, 0), want: ErrExpired},
		"60 s of clock skew":             {token: token, ttl: time.Minute, now: time.Unix(made-60, 0)},
		"61 s of clock skew":             {token: token, ttl: time.Minute, now: time.Unix(made-61, 0), want: ErrInvalidToken},
		"timestamp beyond int64":         {token: farFuture, ttl: time.Hour, now: time.Unix(made, 0), want: ErrInvalidToken},
		"no ttl: ancient token accepted": {token: token, ttl: 0, now: time.Unix(made+100*365*24*3600, 0)},
		"no ttl: future token accepted":  {token: token, ttl: 0, now: time.Unix(0, 0)},
		"no ttl: beyond int64 accepted":  {token: farFuture, ttl: 0, now: time.Unix(made, 0)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Decrypt(k, []byte(tc.token), tc.ttl, tc.now)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Decrypt error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTimeIsCheckedBeforeTheSignature(t *testing.T) {
	// As the spec orders it: an expired token is refused as expired even
	// with a wrong key, without computing an HMAC over it.
	token, err := Encrypt(mustKey(t, specKey), []byte("x"), time.Unix(1000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	other := mustKey(t, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if _, err := Decrypt(other, []byte(token), time.Minute, time.Unix(2000, 0)); !errors.Is(err, ErrExpired) {
		t.Fatalf("Decrypt error = %v, want %v", err, ErrExpired)
	}
}

func TestParseKey(t *testing.T) {
	want := mustHex(t, "730ff4c7af3d46923e8ed451ee813c87f790b0a226bc96a92de49b5e9c05e1ee")
	tests := map[string]struct {
		in  string
		err string // "" means valid
	}{
		"as generated":          {in: specKey},
		"newline and spaces":    {in: "  " + specKey + "\n"},
		"padding stripped":      {in: strings.TrimRight(specKey, "=")},
		"empty":                 {in: "", err: "decodes to 0 bytes, want 32"},
		"a password":            {in: "correct-horse-battery-staple-123", err: "decodes to 24 bytes, want 32"},
		"two keys":              {in: specKey[:43] + specKey[:43], err: "decodes to 64 bytes, want 32"},
		"48 bytes":              {in: base64.URLEncoding.EncodeToString(make([]byte, 48)), err: "decodes to 48 bytes, want 32"},
		"not base64":            {in: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e%=", err: "not url-safe base64"},
		"standard base64":       {in: "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=", err: "standard base64"},
		"space inside":          {in: "cw_0x689RpI-jtRR7 oE8h_eQsKImvJapLeSbXpwF4e4=", err: "not url-safe base64"},
		"hex instead of base64": {in: hex.EncodeToString(want), err: "decodes to 48 bytes"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			k, err := ParseKey(tc.in)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(k[:], want) || k.Encode() != specKey {
					t.Errorf("ParseKey = %x (%s), want %x (%s)", k[:], k, want, specKey)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "secret: key ") {
				t.Fatalf("ParseKey error = %v, want one containing %q", err, tc.err)
			}
			if trimmed := strings.TrimSpace(tc.in); len(trimmed) > 4 && strings.Contains(err.Error(), trimmed[:len(trimmed)/2]) {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	a, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a == (Key{}) {
		t.Fatalf("GenerateKey gave %x and %x", a[:], b[:])
	}
	s := a.Encode()
	if len(s) != 44 || !strings.HasSuffix(s, "=") {
		t.Errorf("Encode() = %d characters %q..., want 44 ending in =", len(s), s[:4])
	}
	back, err := ParseKey(s)
	if err != nil || back != a {
		t.Errorf("ParseKey(Encode()) = %x, %v; want the key back", back[:], err)
	}
	if got := fmt.Sprint(a); strings.Contains(got, s) || got != "REDACTED" {
		t.Errorf("a printed key shows %q", got)
	}
}
