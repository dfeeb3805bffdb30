-- One sessions table serves both sites; a session belongs to one site and
-- is never accepted by the other. staff_id is set for console sessions.
ALTER TABLE sessions ADD COLUMN site TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE sessions ADD COLUMN staff_id INTEGER;
-- The operation a step-up was passed for (docs/security.md S26): a second factor
-- passed to view the account does not approve a withdrawal.
ALTER TABLE sessions ADD COLUMN step_up_purpose TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_staff ON sessions(staff_id);
