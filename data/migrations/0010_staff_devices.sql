-- Browsers that completed a console login, by the hash of their device
-- cookie: such a browser is not held by the per-address password limit
-- for its staff member (customers' are in known_devices).
CREATE TABLE staff_devices (
    staff_id      INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    device_hash   TEXT    NOT NULL,
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (staff_id, device_hash)
);
