-- A contact change from the console is proven by a link sent to the new
-- contact, which the customer confirms on /verify/:token: confirmed_at is
-- when they did (0: not yet). The challenge's code_hash then holds the
-- SHA-256 of the link's token instead of a code's keyed hash.
ALTER TABLE challenges ADD COLUMN confirmed_at INTEGER NOT NULL DEFAULT 0;
