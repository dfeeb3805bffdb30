package idp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"mfadesk/data"
	"mfadesk/mfa"
)

// KeyPolicy is how signing keys rotate (docs/operations.md, "OpenID
// Connect provider"): a key signs for Rotation; its successor is published
// Lead before it starts signing, so relying parties that cache the JWKS
// already know it; a retired key stays published for Retain (the longest
// lifetime of what it signed), so tokens it signed still verify.
type KeyPolicy struct {
	Rotation time.Duration
	Lead     time.Duration
	Retain   time.Duration
}

// keyPlan is what the keys table needs at now: the generation and start
// of a key to add (zero generation: none), the key that signs, and the
// keys to publish.
type keyPlan struct {
	addGeneration int64
	addSignsFrom  time.Time
	signing       int // index in keys; -1 while there is none
	published     []int
}

// planKeys applies the policy to keys (oldest generation first).
func planKeys(keys []data.OIDCSigningKey, now time.Time, p KeyPolicy) keyPlan {
	plan := keyPlan{signing: -1}
	for i, k := range keys {
		if !k.SignsFrom.After(now) {
			plan.signing = i
		}
	}
	if len(keys) == 0 {
		return keyPlan{addGeneration: 1, addSignsFrom: now, signing: -1}
	}
	for i := range keys {
		// A key is retired from the moment the next one signs.
		retired := i+1 < len(keys) && !keys[i+1].SignsFrom.After(now)
		if !retired || now.Before(keys[i+1].SignsFrom.Add(p.Retain)) {
			plan.published = append(plan.published, i)
		}
	}
	last := keys[len(keys)-1]
	if plan.signing == len(keys)-1 && !now.Before(last.SignsFrom.Add(p.Rotation-p.Lead)) {
		plan.addGeneration = last.Generation + 1
		plan.addSignsFrom = last.SignsFrom.Add(p.Rotation)
		if min := now.Add(p.Lead); plan.addSignsFrom.Before(min) {
			plan.addSignsFrom = min
		}
	}
	return plan
}

// keyRing opens the stored keys and adds new ones as the policy says.
// Opened private keys are kept in memory by kid: opening costs an AES-GCM
// and a PKCS #8 parse per token otherwise.
type keyRing struct {
	db     *data.DB
	box    *mfa.SecretBox
	policy KeyPolicy
	mu     sync.Mutex
	opened map[string]*rsa.PrivateKey
}

func newKeyRing(db *data.DB, box *mfa.SecretBox, policy KeyPolicy) *keyRing {
	return &keyRing{db: db, box: box, policy: policy, opened: map[string]*rsa.PrivateKey{}}
}

// current returns the keys and the plan at now, first adding the key the
// plan asks for. Two instances adding the same generation is harmless:
// one insert wins and both read it back.
func (r *keyRing) current(ctx context.Context) ([]data.OIDCSigningKey, keyPlan, error) {
	for range 3 {
		keys, err := r.db.OIDCSigningKeys(ctx)
		if err != nil {
			return nil, keyPlan{}, err
		}
		now := r.db.Now()
		plan := planKeys(keys, now, r.policy)
		if plan.addGeneration == 0 {
			return keys, plan, nil
		}
		if err := r.add(ctx, plan.addGeneration, now, plan.addSignsFrom); err != nil {
			return nil, keyPlan{}, err
		}
	}
	return nil, keyPlan{}, errors.New("oidc signing keys: no stable plan")
}

func (r *keyRing) add(ctx context.Context, generation int64, now, signsFrom time.Time) error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("oidc signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("oidc signing key: %w", err)
	}
	sealed, err := r.box.Seal(der, mfa.OIDCKeyAAD(generation))
	if err != nil {
		return fmt.Errorf("oidc signing key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return fmt.Errorf("oidc signing key: %w", err)
	}
	sum := sha256.Sum256(pub)
	_, err = r.db.AddOIDCSigningKey(ctx, &data.OIDCSigningKey{Generation: generation,
		KID: base64.RawURLEncoding.EncodeToString(sum[:12]), PublicDER: pub, PrivateEnc: sealed,
		CreatedAt: now, SignsFrom: signsFrom})
	return err
}

// private opens k's private key.
func (r *keyRing) private(k data.OIDCSigningKey) (*rsa.PrivateKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if priv := r.opened[k.KID]; priv != nil {
		return priv, nil
	}
	der, err := r.box.Open(k.PrivateEnc, mfa.OIDCKeyAAD(k.Generation))
	if err != nil {
		return nil, fmt.Errorf("oidc signing key %s: %w", k.KID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("oidc signing key %s: %w", k.KID, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("oidc signing key %s is not RSA", k.KID)
	}
	r.opened[k.KID] = priv
	return priv, nil
}

// signingKey is the key that signs now.
func (r *keyRing) signingKey(ctx context.Context) (*signingKey, error) {
	keys, plan, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	if plan.signing < 0 {
		return nil, errors.New("oidc: no signing key")
	}
	k := keys[plan.signing]
	priv, err := r.private(k)
	if err != nil {
		return nil, err
	}
	return &signingKey{id: k.KID, key: priv}, nil
}

// publicKeys are the keys the JWKS lists now.
func (r *keyRing) publicKeys(ctx context.Context) ([]publicKey, error) {
	keys, plan, err := r.current(ctx)
	if err != nil {
		return nil, err
	}
	var out []publicKey
	for _, i := range plan.published {
		pub, err := x509.ParsePKIXPublicKey(keys[i].PublicDER)
		if err != nil {
			return nil, fmt.Errorf("oidc public key %s: %w", keys[i].KID, err)
		}
		out = append(out, publicKey{id: keys[i].KID, key: pub})
	}
	return out, nil
}

// signingKey is op.SigningKey.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is op.Key.
type publicKey struct {
	id  string
	key any
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }
