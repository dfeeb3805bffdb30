-- Attempt budgets for the console's guessable checks (the partners' exact
-- lookup, the knowledge check): failures counted per key in a fixed
-- window, reserved before each check so parallel requests cannot exceed
-- the budget (docs/operations.md, "Console attempt limits").
CREATE TABLE attempt_budgets (
    key          TEXT    PRIMARY KEY,
    used         INTEGER NOT NULL,
    window_start INTEGER NOT NULL
) WITHOUT ROWID;

-- The case a message was sent for, when it was: partners see only the
-- delivery log of their own cases. Older messages have none.
ALTER TABLE outbox ADD COLUMN case_id INTEGER REFERENCES cases(id);
