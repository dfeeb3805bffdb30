-- Provisioning over SCIM (docs/operations.md, "Provisioning over SCIM").
-- scim_tokens are the back office's bearer tokens: only the SHA-256 of
-- each is kept; a name is unique among the tokens not revoked.
CREATE TABLE scim_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX scim_tokens_active_name ON scim_tokens(name) WHERE revoked_at = 0;

-- scim_ids give each customer SCIM shows a stable opaque id (not the
-- login ID, which the back office may change, nor the row id), made the
-- first time SCIM returns the customer.
CREATE TABLE scim_ids (
    customer_id INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    scim_id     TEXT    NOT NULL UNIQUE
);
