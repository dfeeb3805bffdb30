-- Anonymous sessions (a passkey login begun, nobody known yet) are capped
-- per client address and swept after a few minutes: this index serves
-- both, and holds only those rows.
CREATE INDEX sessions_anonymous ON sessions(client_ip, created_at) WHERE level = 'anonymous';
