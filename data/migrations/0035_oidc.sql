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

-- Signing keys (RS256). The private key (PKCS #8) is sealed under the
-- application key like TOTP secrets (rekey covers it, bound to its
-- generation). A key is published in the JWKS from its creation, signs
-- from signs_from until the next generation's signs_from, and leaves the
-- JWKS once the tokens it signed have expired.
CREATE TABLE oidc_signing_keys (
    id           INTEGER PRIMARY KEY,
    generation   INTEGER NOT NULL UNIQUE,
    kid          TEXT    NOT NULL UNIQUE,
    public_der   BLOB    NOT NULL,
    private_enc  BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    signs_from   INTEGER NOT NULL
);

-- An authorisation request between the relying party's redirect and the
-- code exchange. Lists are space-separated. Only the SHA-256 of the code
-- is kept; a code is used once (code_used_at), and a second use revokes
-- what the first issued.
CREATE TABLE oidc_auth_requests (
    id                     TEXT    PRIMARY KEY,
    client_id              TEXT    NOT NULL REFERENCES oidc_clients(id),
    redirect_uri           TEXT    NOT NULL,
    state                  TEXT    NOT NULL DEFAULT '',
    nonce                  TEXT    NOT NULL DEFAULT '',
    scopes                 TEXT    NOT NULL DEFAULT '',
    response_type          TEXT    NOT NULL,
    response_mode          TEXT    NOT NULL DEFAULT '',
    code_challenge         TEXT    NOT NULL DEFAULT '',
    code_challenge_method  TEXT    NOT NULL DEFAULT '',
    max_age                INTEGER NOT NULL DEFAULT -1,
    acr_values             TEXT    NOT NULL DEFAULT '',
    prompt                 TEXT    NOT NULL DEFAULT '',
    created_at             INTEGER NOT NULL,
    expires_at             INTEGER NOT NULL,
    -- A fresh second factor passed for this request (a step-up).
    stepup_method          TEXT    NOT NULL DEFAULT '',
    stepup_at              INTEGER NOT NULL DEFAULT 0,
    -- Set when the customer's authentication satisfied the request.
    customer_id            INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    sid                    TEXT    NOT NULL DEFAULT '',
    auth_time              INTEGER NOT NULL DEFAULT 0,
    amr                    TEXT    NOT NULL DEFAULT '',
    acr                    TEXT    NOT NULL DEFAULT '',
    done_at                INTEGER NOT NULL DEFAULT 0,
    code_hash              TEXT    UNIQUE,
    code_expires_at        INTEGER NOT NULL DEFAULT 0,
    code_used_at           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oidc_auth_requests_expiry ON oidc_auth_requests(expires_at);

-- An mfadesk customer session that signed in at least one relying party:
-- sid is what ID tokens and logout tokens carry (never the session's
-- token or hash). session_hash follows the session when its id rotates.
CREATE TABLE oidc_sessions (
    sid           TEXT    PRIMARY KEY,
    session_hash  TEXT    NOT NULL UNIQUE,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL
);
CREATE TABLE oidc_session_clients (
    sid        TEXT NOT NULL REFERENCES oidc_sessions(sid) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES oidc_clients(id),
    PRIMARY KEY (sid, client_id)
);

-- Access and refresh tokens are opaque; only their SHA-256 is kept. Each
-- is bound to the session (sid) it was issued under.
CREATE TABLE oidc_tokens (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    token_hash       TEXT    NOT NULL UNIQUE,
    client_id        TEXT    NOT NULL REFERENCES oidc_clients(id),
    customer_id      INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    sid              TEXT    NOT NULL,
    auth_request_id  TEXT    NOT NULL DEFAULT '',
    scopes           TEXT    NOT NULL DEFAULT '',
    auth_time        INTEGER NOT NULL DEFAULT 0,
    amr              TEXT    NOT NULL DEFAULT '',
    acr              TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    revoked_at       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oidc_tokens_sid ON oidc_tokens(sid);
CREATE INDEX oidc_tokens_request ON oidc_tokens(auth_request_id) WHERE auth_request_id <> '';

-- The stable, opaque subject of a customer towards every relying party.
CREATE TABLE oidc_subjects (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    sub          TEXT    NOT NULL UNIQUE
);

-- Back-channel logout tokens waiting to be POSTed to relying parties.
CREATE TABLE oidc_logouts (
    id           INTEGER PRIMARY KEY,
    client_id    TEXT    NOT NULL REFERENCES oidc_clients(id),
    sid          TEXT    NOT NULL,
    customer_id  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL DEFAULT 0,
    sent_at      INTEGER NOT NULL DEFAULT 0,
    failed_at    INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX oidc_logouts_due ON oidc_logouts(next_at) WHERE sent_at = 0 AND failed_at = 0;

-- However an mfadesk session ends (logout, password change or reset,
-- console reset, expiry, account closed), its relying parties' tokens die
-- and a logout is queued for each that takes back-channel logouts, in the
-- transaction that deleted the session. A rotated session id moved its
-- oidc_sessions row first (ReplaceSession), so rotation queues nothing.
CREATE TRIGGER oidc_session_end AFTER DELETE ON sessions
WHEN EXISTS (SELECT 1 FROM oidc_sessions WHERE session_hash = OLD.id_hash)
BEGIN
    INSERT INTO oidc_logouts (client_id, sid, customer_id, created_at)
        SELECT sc.client_id, s.sid, s.customer_id, CAST(strftime('%s', 'now') AS INTEGER)
        FROM oidc_sessions s JOIN oidc_session_clients sc ON sc.sid = s.sid
        JOIN oidc_clients c ON c.id = sc.client_id
        WHERE s.session_hash = OLD.id_hash AND c.backchannel_logout_uri <> '';
    UPDATE oidc_tokens SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER)
        WHERE revoked_at = 0 AND sid IN (SELECT sid FROM oidc_sessions WHERE session_hash = OLD.id_hash);
    DELETE FROM oidc_sessions WHERE session_hash = OLD.id_hash;
END;
