-- A session started with a temporary pass reaches only enrolment until a
-- factor is enrolled after the pass was used, whatever else the customer
-- still has (a reset of the app alone leaves the SMS number): enrolled_at
-- is set on the used passes when that enrolment commits.
ALTER TABLE temp_passes ADD COLUMN enrolled_at INTEGER NOT NULL DEFAULT 0;

-- Four-eyes for staff who can approve: an admin's creation of a
-- supervisor or admin, or promotion to such a role, waits here until a
-- second admin confirms it. pending_kind is 'create' (the account stays
-- inactive until then) or 'role' (the role and organisation below replace
-- the current ones then); pending_by is the admin who asked.
ALTER TABLE staff ADD COLUMN pending_kind TEXT NOT NULL DEFAULT '' CHECK (pending_kind IN ('', 'create', 'role'));
ALTER TABLE staff ADD COLUMN pending_role TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN pending_org TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN pending_by INTEGER REFERENCES staff(id);
ALTER TABLE staff ADD COLUMN pending_at INTEGER NOT NULL DEFAULT 0;
