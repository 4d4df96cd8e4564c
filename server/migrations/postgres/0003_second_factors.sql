-- Second factors and passkeys (PostgreSQL). Keep in lockstep with ../sqlite/0003_second_factors.sql.

-- One authenticator-app secret per user, encrypted with the server key; `last_step` is the
-- newest 30-second step accepted, so a code is never accepted twice.
CREATE TABLE totp_factors (
    user_id          TEXT PRIMARY KEY REFERENCES users (id),
    secret           TEXT NOT NULL,
    ready            BOOLEAN NOT NULL DEFAULT FALSE,
    last_step        BIGINT NOT NULL DEFAULT 0,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

-- WebAuthn credentials: security keys (second factor) and passkeys (passwordless). The raw
-- credential id is unique across all users; `credential` is webauthn-rs's stored credential.
CREATE TABLE webauthn_credentials (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL CHECK (kind IN ('security_key', 'passkey')),
    name           TEXT NOT NULL,
    credential_id  TEXT NOT NULL UNIQUE,
    credential     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, kind);

-- Ceremonies in progress: short-lived, single use, bound to the session (or the registration
-- link) that started them, so any instance can finish them.
CREATE TABLE webauthn_ceremonies (
    id          TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL,
    binding     TEXT NOT NULL,
    user_id     TEXT,
    name        TEXT,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- A session that passed the password but still owes its second factor.
ALTER TABLE sessions ADD COLUMN second_factor_pending BOOLEAN NOT NULL DEFAULT FALSE;
