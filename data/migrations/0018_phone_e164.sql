-- Phone numbers are stored in E.164 (+819012345678), the form the SMS
-- provider takes; pages show them in the domestic form (090-1234-5678).
-- Numbers stored before, written 090-1234-5678 and the like, are
-- converted here: customers, SMS factors, codes waiting to be read back,
-- contact changes waiting for approval, and SMS not yet sent. A value that
-- is not a domestic number of 10 or 11 digits is left as it was.
--
-- The search index keeps domestic digits (09012345678): what staff type,
-- and what SearchKey makes of +81 90-1234-5678. The view the triggers
-- read is replaced first, so the customers' update below reindexes them.
DROP VIEW customer_search_keys;
CREATE VIEW customer_search_keys AS
SELECT id AS customer_id, account_number AS key FROM customers
UNION ALL SELECT id, login_id FROM customers
UNION ALL SELECT id, replace(replace(name_kanji, ' ', ''), '　', '') FROM customers
UNION ALL SELECT id, trim(substr(replace(name_kanji, '　', ' '), instr(replace(name_kanji, '　', ' '), ' ') + 1)) FROM customers
    WHERE instr(replace(name_kanji, '　', ' '), ' ') > 0
UNION ALL SELECT id, replace(replace(name_kana, ' ', ''), '　', '') FROM customers
UNION ALL SELECT id, trim(substr(replace(name_kana, '　', ' '), instr(replace(name_kana, '　', ' '), ' ') + 1)) FROM customers
    WHERE instr(replace(name_kana, '　', ' '), ' ') > 0
UNION ALL SELECT id, CASE WHEN phone GLOB '+81[1-9]*' THEN '0' || substr(phone, 4)
    ELSE replace(replace(phone, '-', ''), ' ', '') END FROM customers WHERE phone <> ''
UNION ALL SELECT id, lower(email) FROM customers WHERE email <> '';

UPDATE customers SET phone = '+81' || substr(replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', ''), 2)
    WHERE length(replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', '')) IN (10, 11)
      AND replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', '') GLOB '0[1-9]*'
      AND replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', '') NOT GLOB '*[^0-9]*';

UPDATE factors SET phone = '+81' || substr(replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', ''), 2)
    WHERE length(replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', '')) IN (10, 11)
      AND replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', '') GLOB '0[1-9]*'
      AND replace(replace(replace(replace(phone, '-', ''), ' ', ''), '(', ''), ')', '') NOT GLOB '*[^0-9]*';

UPDATE challenges SET destination = '+81' || substr(replace(destination, '-', ''), 2)
    WHERE channel = 'sms' AND length(replace(destination, '-', '')) IN (10, 11)
      AND replace(destination, '-', '') GLOB '0[1-9]*' AND replace(destination, '-', '') NOT GLOB '*[^0-9]*';

UPDATE action_requests SET contact_value = '+81' || substr(replace(contact_value, '-', ''), 2)
    WHERE contact_kind = 'phone' AND length(replace(contact_value, '-', '')) IN (10, 11)
      AND replace(contact_value, '-', '') GLOB '0[1-9]*' AND replace(contact_value, '-', '') NOT GLOB '*[^0-9]*';

UPDATE outbox SET recipient = '+81' || substr(replace(recipient, '-', ''), 2)
    WHERE channel = 'sms' AND status <> 'sent' AND length(replace(recipient, '-', '')) IN (10, 11)
      AND replace(recipient, '-', '') GLOB '0[1-9]*' AND replace(recipient, '-', '') NOT GLOB '*[^0-9]*';
