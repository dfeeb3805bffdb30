package mfa

import (
	"bytes"
	"strings"
	"testing"
)

// A key rotation keeps what the old key made checkable while the old key
// is listed, makes everything new with the current key, and refuses what
// a key no longer listed made (docs/operations.md, "Rotating the secret
// key").
func TestCodeHasherKeyRotation(t *testing.T) {
	oldKey, newKey, otherKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	before := NewCodeHasher(oldKey)
	madeBefore, err := before.Hash("k7m2px9qat")
	if err != nil {
		t.Fatal(err)
	}
	rotated := NewCodeHasher(newKey, oldKey)
	madeAfter, err := rotated.Hash("k7m2px9qat")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(madeAfter, KeyID(newKey)+"$") || !strings.HasPrefix(madeBefore, KeyID(oldKey)+"$") {
		t.Fatalf("hashes do not name their key: %q %q", madeBefore, madeAfter)
	}
	// The old key's MAC presented as the new key's: refused.
	relabelled := KeyID(newKey) + strings.TrimPrefix(madeBefore, KeyID(oldKey))
	tests := []struct {
		name   string
		h      CodeHasher
		stored string
		want   bool
	}{
		{"old hash, old key listed", rotated, madeBefore, true},
		{"new hash, new key", rotated, madeAfter, true},
		{"old hash, old key dropped", NewCodeHasher(newKey), madeBefore, false},
		{"new hash, only the old key", before, madeAfter, false},
		{"old hash, unrelated keys", NewCodeHasher(otherKey, newKey), madeBefore, false},
		{"old MAC under the new key's id", rotated, relabelled, false},
		{"old key listed twice", NewCodeHasher(newKey, oldKey, oldKey, newKey), madeBefore, true},
	}
	for _, tc := range tests {
		if got := tc.h.Check(tc.stored, "k7m2px9qat"); got != tc.want {
			t.Errorf("%s: Check = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSecretBoxOpensWithOldKeysSealsWithCurrent(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	oldBox, _ := NewSecretBox(oldKey)
	sealedBefore, _ := oldBox.Seal([]byte("GEZDGNBVGY3TQOJQ"), []byte("factor:1:totp"))
	rotated, err := NewSecretBox(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealedBefore, []byte("factor:1:totp")); err != nil || string(got) != "GEZDGNBVGY3TQOJQ" {
		t.Fatalf("old secret with the old key listed: %q %v", got, err)
	}
	if _, err := rotated.Open(sealedBefore, []byte("factor:2:totp")); err == nil {
		t.Error("an old key opened a secret bound to another owner")
	}
	sealedAfter, _ := rotated.Seal([]byte("x"), nil)
	if _, err := oldBox.Open(sealedAfter, nil); err == nil {
		t.Error("a new secret was sealed with the old key")
	}
	newOnly, _ := NewSecretBox(newKey)
	if _, err := newOnly.Open(sealedBefore, []byte("factor:1:totp")); err == nil {
		t.Error("an old secret opened without its key")
	}
	if rotated.KeyID() != KeyID(newKey) {
		t.Error("the box's key id is not the current key's")
	}
	if _, err := NewSecretBox(newKey, oldKey[:16]); err == nil {
		t.Error("a short old key was accepted")
	}
}

func TestKeyIDAndParseSecretKeys(t *testing.T) {
	a, b := bytes.Repeat([]byte{0xab}, 32), bytes.Repeat([]byte{0xcd}, 32)
	if id := KeyID(a); len(id) != 8 || id == KeyID(b) || strings.Contains(strings.ToLower(id), "abab") {
		t.Errorf("KeyID %q", id)
	}
	keys, err := ParseSecretKeys(" " + strings.Repeat("ab", 32) + " ,dev,, " + strings.Repeat("cd", 32))
	if err != nil || len(keys) != 3 || !bytes.Equal(keys[0], a) || !bytes.Equal(keys[1], DevSecretKey()) || !bytes.Equal(keys[2], b) {
		t.Fatalf("ParseSecretKeys: %d keys, %v", len(keys), err)
	}
	if keys, err := ParseSecretKeys(""); err != nil || len(keys) != 0 {
		t.Errorf("empty list: %v %v", keys, err)
	}
	secret := strings.Repeat("ab", 31) + "zz"
	_, err = ParseSecretKeys(strings.Repeat("ab", 32) + "," + secret)
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "key 2") {
		t.Errorf("bad key in the list: %v", err)
	}
}
