-- New codes a forgotten-password reset asked for (docs/security.md S63),
-- counted per reset session whatever its first step matched: how many,
-- and when the last one was asked for. A row goes with its session.
CREATE TABLE reset_resends (
    session_hash TEXT    PRIMARY KEY REFERENCES sessions(id_hash) ON DELETE CASCADE,
    sent         INTEGER NOT NULL,
    last_at      INTEGER NOT NULL
);
