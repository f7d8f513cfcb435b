package httpretry

import (
	"net/url"
	"strings"
)

// Redacted replaces secrets in what Redact returns.
const Redacted = "REDACTED"

// secretWords mark query keys whose values are credentials: presigned S3
// URLs carry X-Amz-Signature, X-Amz-Credential and X-Amz-Security-Token,
// other services token=, access_token=, api_key=, sig=.
var secretWords = []string{"token", "signature", "sig", "key", "credential", "password", "secret", "auth"}

// Redact returns u as text fit for logs and errors: without user name and
// password, and with the values of query keys named like a token,
// signature, key or credential replaced by REDACTED. The order of the
// query is kept, so the URL stays recognisable.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = redactQuery(c.RawQuery)
	}
	return c.String()
}

func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, part := range parts {
		rawKey, _, hasValue := strings.Cut(part, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			key = rawKey
		}
		if hasValue && secretKey(key) {
			parts[i] = rawKey + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
