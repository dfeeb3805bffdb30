-- Delivery by the outbox worker (docs/operations.md, "Delivery").
--
-- A message being sent is claimed by a worker with status 'sending' and a
-- lease (lease_until), in one conditional UPDATE, so two workers never send
-- it at once and a worker that died mid-send gives it back when the lease
-- runs out. SQLite cannot change the CHECK on outbox.status with ALTER
-- TABLE, so the table is rebuilt (SQLite's documented "make other kinds of
-- table schema changes" procedure). A second column for the in-flight state
-- would have been shorter, but two status columns can contradict each
-- other; one column stays the single truth the console's delivery log
-- shows. No table, view or trigger refers to outbox, so foreign keys need
-- not be switched off for the rebuild.
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    kind             TEXT    NOT NULL,
    channel          TEXT    NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL DEFAULT '',
    body             TEXT    NOT NULL,
    -- queued → sending → sent; a failed attempt → retrying (→ sending ...)
    -- → failed after the last attempt or a permanent refusal.
    status           TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- retrying: not before this time (exponential backoff).
    next_attempt_at  INTEGER NOT NULL DEFAULT 0,
    -- sending: the claiming worker owns the message until this time.
    lease_until      INTEGER NOT NULL DEFAULT 0,
    -- sent: the provider's id (SMS message id, email Message-ID).
    provider_id      TEXT    NOT NULL DEFAULT '',
    sent_at          INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
INSERT INTO outbox_new (id, customer_id, kind, channel, recipient, subject, body, status, attempts, created_at, updated_at)
SELECT id, customer_id, kind, channel, recipient, subject, body, status, attempts, created_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_customer ON outbox(customer_id, id);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, id);

-- Every delivery attempt, for the console's delivery log ("the SMS never
-- arrived"). error is a short reason from the transport, never the
-- message body or a code.
CREATE TABLE outbox_attempts (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    -- sent: the provider accepted it; retry: failed, tried again later;
    -- failed: permanent refusal or the last attempt; interrupted: the
    -- worker stopped mid-send; abandoned: a lease ran out with no result.
    result       TEXT    NOT NULL CHECK (result IN ('sent', 'retry', 'failed', 'interrupted', 'abandoned')),
    error        TEXT    NOT NULL DEFAULT '',
    provider_id  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_message ON outbox_attempts(outbox_id, id);
CREATE INDEX outbox_attempts_result ON outbox_attempts(result);
