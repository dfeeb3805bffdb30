-- A staff member whose password was set by someone else (created in the
-- console or by "mfadesk staff create", or reset by an admin) must choose
-- their own at the next login before any other console page
-- (docs/operations.md, "Staff accounts"). Until this release no staff
-- member could change their password, so every existing one is still the
-- initial password someone else was shown: they all change it once.
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
UPDATE staff SET must_change_password = 1;
