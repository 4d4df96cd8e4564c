-- Delivery attempts and pending self-service email changes (PostgreSQL).
-- Keep in lockstep with ../sqlite/0002_delivery_and_contact.sql.

-- One row per delivery attempt of an outbox message, for the admin views.
CREATE TABLE outbox_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES outbox (id),
    attempt     INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('sent', 'failed', 'expired')),
    detail      TEXT
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id);

-- A new address the user asked for on the account page; the current one stays until the new
-- one is verified.
ALTER TABLE users ADD COLUMN pending_email TEXT;
