-- Reports (docs/design.md §3): MFA adoption over time, support actions by
-- organisation, customers a coming enforcement phase locks out.

-- One row per day (YYYY-MM-DD in JST) and adoption category (passkey, app,
-- sms, email, no_email): how many customers were in it that day. Written
-- when the adoption report is viewed and by the server once a day; the
-- day's rows are replaced, so the last count of the day stands.
CREATE TABLE adoption_snapshots (
    day        TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    customers  INTEGER NOT NULL,
    PRIMARY KEY (day, category)
);

-- The adoption count walks every customer once and looks up their
-- login factors and passkeys; these indexes hold every column the lookup
-- reads, so it never touches the factor and passkey rows themselves
-- (secrets, credential JSON) on a million customers.
CREATE INDEX factors_login ON factors(customer_id, use_login, confirmed_at, kind);
CREATE INDEX passkeys_login ON passkeys(customer_id, use_login, cloned);

-- Customers without a valid email address, in id order: the lockout list
-- pages through them without scanning the customers who have one. The
-- condition is written exactly as the query writes it, so SQLite uses it.
CREATE INDEX customers_no_valid_email ON customers(id) WHERE email = '' OR email_status <> 'verified';
