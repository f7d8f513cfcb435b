# Writes vectors.json: Fernet tokens made by Python's cryptography from fixed
# keys, times and IVs, which the Go tests must reproduce byte for byte.
# Regenerate with: python3 testdata/vectors.py > testdata/vectors.json
import base64
import json

from cryptography.fernet import Fernet

SPEC_KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="  # the Fernet spec's generate.json
KEY_A = base64.urlsafe_b64encode(bytes(range(32))).decode()
KEY_B = base64.urlsafe_b64encode(bytes(range(255, 223, -1))).decode()
IV_A = bytes(range(16))
IV_B = bytes([0xFF] * 16)

CASES = [
    # name, key, now (Unix seconds), iv, plaintext
    ("spec hello", SPEC_KEY, 499162800, IV_A, b"hello"),
    ("empty", KEY_A, 1700000000, IV_A, b""),
    ("one byte", KEY_A, 1700000000, IV_A, b"x"),
    ("15 bytes", KEY_A, 1700000000, IV_B, b"a" * 15),
    ("16 bytes", KEY_A, 1700000000, IV_B, b"b" * 16),
    ("17 bytes", KEY_A, 1700000000, IV_B, b"c" * 17),
    ("every byte value", KEY_B, 1700000001, IV_A, bytes(range(256))),
    ("text with newlines", KEY_B, 1700000002, IV_B, "[pypi]\npassword = pypi-Ag€\n".encode()),
    ("epoch", KEY_B, 0, IV_A, b"at 1970-01-01"),
    ("after 2106", KEY_B, 2**32 + 1, IV_A, b"needs more than 32 bits"),
]

vectors = [
    {
        "name": name,
        "key": key,
        "now": now,
        "iv": iv.hex(),
        "plaintext": data.hex(),
        "token": Fernet(key)._encrypt_from_parts(data, now, iv).decode(),
    }
    for name, key, now, iv, data in CASES
]
print(json.dumps(vectors, indent=2))
