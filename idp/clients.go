package idp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Clients registers and changes relying parties for admins in the
// console. Every change runs in one transaction with its audit event; a
// secret is returned once, to be shown once, and only its hash is stored.
type Clients struct {
	DB *data.DB
	// AllowLoopbackHTTP admits http:// URIs on localhost and 127.0.0.1:
	// dev only, where the demo relying party runs beside mfadesk.
	AllowLoopbackHTTP bool
}

// Refusals of a change to a registered client.
var (
	// ErrClientDisabled: a disabled client is kept for the record only.
	ErrClientDisabled = errors.New("oidc client is disabled")
	// ErrPublicClient: a public client has no secret to rotate.
	ErrPublicClient = errors.New("oidc client is public: it has no secret")
)

// Register stores a new client with a random id and, unless it is
// public, a new secret, returned here and nowhere else. in is refused
// with ClientProblems.
func (s *Clients) Register(ctx context.Context, in ClientInput, actor data.AuditEvent) (*data.OIDCClient, string, error) {
	in = cleanInput(in)
	if problems := s.Check(in); problems != nil {
		return nil, "", problems
	}
	c := clientFrom(in)
	c.ID, c.Public, c.CreatedBy = NewClientID(), in.Public, actor.StaffID
	secret := ""
	if !c.Public {
		secret, c.SecretHash = NewClientSecret()
	}
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.CreateOIDCClient(ctx, c); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.Detail = "oidc_client.create", "success", auditDetail(c)
		return tx.Audit(ctx, actor)
	})
	if err != nil {
		return nil, "", fmt.Errorf("register oidc client: %w", err)
	}
	return c, secret, nil
}

// Update changes an enabled client's name, URIs, scopes and required acr;
// whether it is public stays as registered. in is refused with
// ClientProblems; its Public is ignored.
func (s *Clients) Update(ctx context.Context, id string, in ClientInput, actor data.AuditEvent) error {
	before, err := s.enabled(ctx, id)
	if err != nil {
		return err
	}
	in.Public = before.Public
	in = cleanInput(in)
	if problems := s.Check(in); problems != nil {
		return problems
	}
	c := clientFrom(in)
	c.ID, c.Public = id, before.Public
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.UpdateOIDCClient(ctx, c); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.Detail = "oidc_client.update", "success", auditDetail(c)
		return tx.Audit(ctx, actor)
	})
}

// RotateSecret gives a confidential client a new secret, returned here
// and nowhere else; the old one stops working at once.
func (s *Clients) RotateSecret(ctx context.Context, id string, actor data.AuditEvent) (string, error) {
	c, err := s.enabled(ctx, id)
	if err != nil {
		return "", err
	}
	if c.Public {
		return "", ErrPublicClient
	}
	secret, hash := NewClientSecret()
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.SetOIDCClientSecretHash(ctx, id, hash); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.Detail = "oidc_client.rotate_secret", "success", "client="+id
		return tx.Audit(ctx, actor)
	})
	if err != nil {
		return "", fmt.Errorf("rotate oidc client secret: %w", err)
	}
	return secret, nil
}

// Disable stops a client signing anyone in; it stays listed.
func (s *Clients) Disable(ctx context.Context, id string, actor data.AuditEvent) error {
	if _, err := s.enabled(ctx, id); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.DisableOIDCClient(ctx, id); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.Detail = "oidc_client.disable", "success", "client="+id
		return tx.Audit(ctx, actor)
	})
}

// enabled loads the client of id: data.ErrNotFound, or ErrClientDisabled.
func (s *Clients) enabled(ctx context.Context, id string) (*data.OIDCClient, error) {
	c, err := s.DB.OIDCClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Enabled() {
		return nil, ErrClientDisabled
	}
	return c, nil
}

func clientFrom(in ClientInput) *data.OIDCClient {
	return &data.OIDCClient{Name: in.Name, RedirectURIs: in.RedirectURIs, PostLogoutRedirectURIs: in.PostLogoutRedirectURIs,
		BackchannelLogoutURI: in.BackchannelLogoutURI, Scopes: in.Scopes, RequiredACR: in.RequiredACR}
}

// auditDetail records what the client may do, never its secret: the
// exact URIs tokens may be sent to are what a reviewer needs to see.
func auditDetail(c *data.OIDCClient) string {
	kind := "confidential"
	if c.Public {
		kind = "public"
	}
	return fmt.Sprintf("client=%s name=%s type=%s redirect_uris=%s post_logout_uris=%s backchannel=%s scopes=%s acr=%s",
		c.ID, mfa.QuoteForAudit(c.Name), kind, strings.Join(c.RedirectURIs, ","), strings.Join(c.PostLogoutRedirectURIs, ","),
		c.BackchannelLogoutURI, strings.Join(c.Scopes, ","), c.RequiredACR)
}
