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
