-- mfadesk as an OpenID Connect provider (docs/operations.md, "OpenID
-- Connect provider"). Clients are registered by staff; list columns hold
-- JSON arrays of strings. Only the SHA-256 of a client secret is kept
-- (secrets are random, so a fast hash is enough); public clients have none.
CREATE TABLE oidc_clients (
    id                         TEXT    PRIMARY KEY,
    name                       TEXT    NOT NULL,
    redirect_uris              TEXT    NOT NULL DEFAULT '[]',
    post_logout_redirect_uris  TEXT    NOT NULL DEFAULT '[]',
    backchannel_logout_uri     TEXT    NOT NULL DEFAULT '',
    scopes                     TEXT    NOT NULL DEFAULT '[]',
    required_acr               TEXT    NOT NULL DEFAULT '',
    public                     INTEGER NOT NULL DEFAULT 0,
    secret_hash                BLOB,
    created_by                 INTEGER NOT NULL REFERENCES staff(id),
    created_at                 INTEGER NOT NULL,
    disabled_at                INTEGER NOT NULL DEFAULT 0
);
