package idp

import (
	"encoding/base64"
	"testing"
)

// Client ids and secrets are random and URL-safe; a secret matches only
// its own hash, and an empty hash (public client) matches nothing.
func TestClientSecret(t *testing.T) {
	id1, id2 := NewClientID(), NewClientID()
	if id1 == id2 || len(id1) < 22 {
		t.Errorf("client ids %q %q", id1, id2)
	}
	secret, hash := NewClientSecret()
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(raw) < 32 {
		t.Errorf("secret %q: %d bytes, %v", secret, len(raw), err)
	}
	if !ClientSecretMatches(hash, secret) {
		t.Error("secret does not match its hash")
	}
	other, _ := NewClientSecret()
	for _, c := range []struct {
		hash   []byte
		secret string
	}{{hash, other}, {hash, ""}, {nil, secret}, {hash[:16], secret}} {
		if ClientSecretMatches(c.hash, c.secret) {
			t.Errorf("matched %x %q", c.hash, c.secret)
		}
	}
}
