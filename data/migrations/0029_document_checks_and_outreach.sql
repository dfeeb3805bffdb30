-- Identity documents are recorded by type and "checked", never by number:
-- the law restricts recording My Number and health insurance numbers for
-- this purpose. Blank the last characters earlier checks stored
-- ("document=license last4=1234" becomes "document=license"). The audit
-- trail's events of those checks are append-only and hashed, so they are
-- left as written (docs/security.md).
UPDATE verifications SET detail = substr(detail, 1, instr(detail, ' last4=') - 1)
WHERE method = 'document' AND instr(detail, ' last4=') > 0;
UPDATE verifications SET detail = ''
WHERE method = 'document' AND detail LIKE 'last4=%';

-- Registration reminders sent to a lockout list (docs/operations.md,
-- "Outreach"). run_key is the list and the JST day: one run per list per
-- day, so a double submit, in parallel or not, queues nothing twice. A run
-- covers the list's customers after after_id up to last_id; complete: it
-- reached the end of the list, so the next run starts again from the start.
CREATE TABLE outreach_runs (
    id          INTEGER PRIMARY KEY,
    run_key     TEXT    NOT NULL UNIQUE,
    list        TEXT    NOT NULL,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    after_id    INTEGER NOT NULL,
    last_id     INTEGER NOT NULL,
    complete    INTEGER NOT NULL,
    email       INTEGER NOT NULL,
    sms         INTEGER NOT NULL,
    letters     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX outreach_runs_list ON outreach_runs(list, id);
