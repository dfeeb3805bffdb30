-- The language the customer chose on the site while logged in, for the
-- security notices sent to them: 'ja' (the default) or 'en'.
ALTER TABLE customers ADD COLUMN lang TEXT NOT NULL DEFAULT 'ja';
