-- The MFA adoption count kept up to date as customers, factors and passkeys
-- change, so the report and the server's snapshots read five rows instead of
-- walking every customer (1.8 s of CPU on a million customers).

-- A customer's category, by the rule of data/reports.go (adoption
-- categories): the strongest second factor they can log in with, else email
-- codes if their address is valid, else none. One row per customer.
CREATE VIEW adoption_category_now (customer_id, category) AS
SELECT c.id, CASE
    WHEN EXISTS (SELECT 1 FROM passkeys p WHERE p.customer_id = c.id AND p.use_login = 1 AND p.cloned = 0) THEN 'passkey'
    WHEN EXISTS (SELECT 1 FROM factors f WHERE f.customer_id = c.id AND f.use_login = 1 AND f.confirmed_at > 0 AND f.kind = 'totp') THEN 'app'
    WHEN EXISTS (SELECT 1 FROM factors f WHERE f.customer_id = c.id AND f.use_login = 1 AND f.confirmed_at > 0 AND f.kind = 'sms') THEN 'sms'
    WHEN c.email <> '' AND c.email_status = 'verified' THEN 'email'
    ELSE 'no_email' END
FROM customers c;

-- Each customer's category as last worked out, and the count per category.
CREATE TABLE adoption_categories (
    customer_id INTEGER PRIMARY KEY,
    category    TEXT    NOT NULL
);
CREATE TABLE adoption_totals (
    category  TEXT    PRIMARY KEY,
    customers INTEGER NOT NULL
);

INSERT INTO adoption_categories (customer_id, category) SELECT customer_id, category FROM adoption_category_now WHERE true;
INSERT INTO adoption_totals (category, customers) VALUES ('passkey', 0), ('app', 0), ('sms', 0), ('email', 0), ('no_email', 0);
UPDATE adoption_totals SET customers = (SELECT COUNT(*) FROM adoption_categories a WHERE a.category = adoption_totals.category);

-- The totals follow the categories.
CREATE TRIGGER adoption_total_in AFTER INSERT ON adoption_categories BEGIN
    UPDATE adoption_totals SET customers = customers + 1 WHERE category = NEW.category;
END;
CREATE TRIGGER adoption_total_move AFTER UPDATE OF category ON adoption_categories BEGIN
    UPDATE adoption_totals SET customers = customers - 1 WHERE category = OLD.category;
    UPDATE adoption_totals SET customers = customers + 1 WHERE category = NEW.category;
END;
CREATE TRIGGER adoption_total_out AFTER DELETE ON adoption_categories BEGIN
    UPDATE adoption_totals SET customers = customers - 1 WHERE category = OLD.category;
END;

-- The categories follow every change that can move a customer: a new or
-- removed customer, their email, and their login factors and passkeys
-- (only the columns the rule reads: a login's replay guard or signature
-- counter does not recount). Each names the customer to work out again in
-- adoption_recount, whose trigger does it (the one place of the upsert)
-- and empties the row at once.
CREATE TABLE adoption_recount (customer_id INTEGER NOT NULL);
CREATE TRIGGER adoption_recount_one AFTER INSERT ON adoption_recount BEGIN
    INSERT INTO adoption_categories (customer_id, category)
    SELECT customer_id, category FROM adoption_category_now WHERE customer_id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET category = excluded.category WHERE category <> excluded.category;
    DELETE FROM adoption_recount WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER adoption_customer_new AFTER INSERT ON customers BEGIN
    INSERT INTO adoption_recount VALUES (NEW.id);
END;
CREATE TRIGGER adoption_customer_email AFTER UPDATE OF email, email_status ON customers BEGIN
    INSERT INTO adoption_recount VALUES (NEW.id);
END;
CREATE TRIGGER adoption_customer_gone AFTER DELETE ON customers BEGIN
    DELETE FROM adoption_categories WHERE customer_id = OLD.id;
END;

CREATE TRIGGER adoption_factor_new AFTER INSERT ON factors BEGIN
    INSERT INTO adoption_recount VALUES (NEW.customer_id);
END;
CREATE TRIGGER adoption_factor_change AFTER UPDATE OF customer_id, kind, use_login, confirmed_at ON factors BEGIN
    INSERT INTO adoption_recount VALUES (OLD.customer_id), (NEW.customer_id);
END;
CREATE TRIGGER adoption_factor_gone AFTER DELETE ON factors BEGIN
    INSERT INTO adoption_recount VALUES (OLD.customer_id);
END;

CREATE TRIGGER adoption_passkey_new AFTER INSERT ON passkeys BEGIN
    INSERT INTO adoption_recount VALUES (NEW.customer_id);
END;
CREATE TRIGGER adoption_passkey_change AFTER UPDATE OF customer_id, use_login, cloned ON passkeys BEGIN
    INSERT INTO adoption_recount VALUES (OLD.customer_id), (NEW.customer_id);
END;
CREATE TRIGGER adoption_passkey_gone AFTER DELETE ON passkeys BEGIN
    INSERT INTO adoption_recount VALUES (OLD.customer_id);
END;
