package main

import (
	"context"
	"errors"

	"mfadesk/data"
	"mfadesk/idp"
)

// demoClient is the demo relying party's client (cmd/mfadesk-demo-rp on
// localhost:8081), listed in the README with its published secret.
func demoClient() idp.ClientInput {
	return idp.ClientInput{Name: "デモ取引サイト (mfadesk-demo-rp)", RedirectURIs: []string{"http://localhost:8081/callback"},
		PostLogoutRedirectURIs: []string{"http://localhost:8081/"}, BackchannelLogoutURI: "http://localhost:8081/backchannel",
		Scopes: []string{"openid", "profile", "email", "offline_access"}}
}

// seedDemoClient registers the demo client when it is absent, as created
// by the demo admin; without the demo admin (real staff) it does nothing.
// The caller runs it only in dev with demo data.
func seedDemoClient(ctx context.Context, app *App) (bool, error) {
	if _, err := app.DB.OIDCClient(ctx, idp.DemoClientID); err == nil || !errors.Is(err, data.ErrNotFound) {
		return false, err
	}
	admin, err := app.DB.StaffByLogin(ctx, demoStaff[0].LoginID)
	if errors.Is(err, data.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	in := demoClient()
	c := &data.OIDCClient{ID: idp.DemoClientID, Name: in.Name, RedirectURIs: in.RedirectURIs,
		PostLogoutRedirectURIs: in.PostLogoutRedirectURIs, BackchannelLogoutURI: in.BackchannelLogoutURI, Scopes: in.Scopes,
		SecretHash: idp.HashClientSecret(idp.DemoClientSecret), CreatedBy: admin.ID}
	err = app.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.CreateOIDCClient(ctx, c); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "demo", Action: "demo.seed_oidc_client",
			Outcome: "success", Detail: "client=" + c.ID})
	})
	return err == nil, err
}

// demoClientsFound lists the clients whose secret is published: the demo
// client, or any client given the demo secret.
func demoClientsFound(ctx context.Context, db *data.DB) ([]string, error) {
	clients, err := db.OIDCClients(ctx)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, c := range clients {
		if c.ID == idp.DemoClientID || idp.ClientSecretMatches(c.SecretHash, idp.DemoClientSecret) {
			found = append(found, "oidc client "+c.ID)
		}
	}
	return found, nil
}
