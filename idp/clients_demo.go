package idp

// The demo relying party's client (cmd/mfadesk-demo-rp), seeded only with
// the demo data in dev. Its secret is published in the README, which is
// why production refuses a database that holds this client.
const (
	DemoClientID     = "demo-rp"
	DemoClientSecret = "demo-rp-secret-published-in-the-README"
)
