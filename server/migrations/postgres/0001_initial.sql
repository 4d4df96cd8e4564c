-- Roster's first schema (PostgreSQL). Keep in lockstep with ../sqlite/0001_initial.sql.
-- Times are microseconds since the Unix epoch (BIGINT) so both databases agree exactly.

CREATE TABLE instance (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    default_org_id  TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id                        TEXT PRIMARY KEY,
    org_id                    TEXT NOT NULL REFERENCES orgs (id),
    kind                      TEXT NOT NULL CHECK (kind IN ('human', 'machine')),
    username                  TEXT NOT NULL,
    username_key              TEXT COLLATE "C" NOT NULL,
    state                     INTEGER NOT NULL,
    first_name                TEXT NOT NULL DEFAULT '',
    last_name                 TEXT NOT NULL DEFAULT '',
    nick_name                 TEXT NOT NULL DEFAULT '',
    display_name              TEXT NOT NULL DEFAULT '',
    preferred_language        TEXT NOT NULL DEFAULT 'und',
    gender                    INTEGER NOT NULL DEFAULT 0,
    email                     TEXT NOT NULL DEFAULT '',
    email_key                 TEXT COLLATE "C" NOT NULL DEFAULT '',
    email_verified            BOOLEAN NOT NULL DEFAULT FALSE,
    phone                     TEXT,
    phone_verified            BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash             TEXT,
    password_change_required  BOOLEAN NOT NULL DEFAULT FALSE,
    failed_password_attempts  INTEGER NOT NULL DEFAULT 0,
    first_name_key            TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_name_key             TEXT COLLATE "C" NOT NULL DEFAULT '',
    display_name_key          TEXT COLLATE "C" NOT NULL DEFAULT '',
    sequence                  BIGINT NOT NULL,
    created_at                BIGINT NOT NULL,
    changed_at                BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username_key);
CREATE INDEX users_email_key ON users (email_key);
CREATE INDEX users_first_name_key ON users (first_name_key);
CREATE INDEX users_last_name_key ON users (last_name_key);
CREATE INDEX users_display_name_key ON users (display_name_key);
CREATE INDEX users_org ON users (org_id, username_key);

-- Roles granted to users and service accounts: org_id '' means the whole instance.
CREATE TABLE memberships (
    user_id     TEXT NOT NULL REFERENCES users (id),
    org_id      TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, org_id, role)
);

-- Append-only history; (aggregate_id, sequence) is the per-user sequence of the REST details.
CREATE TABLE events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aggregate_id  TEXT NOT NULL,
    sequence      BIGINT NOT NULL,
    event_type    TEXT NOT NULL,
    payload       TEXT NOT NULL,
    actor_id      TEXT,
    created_at    BIGINT NOT NULL,
    UNIQUE (aggregate_id, sequence)
);

-- Browser sessions; id is the SHA-256 of the cookie token.
CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id),
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    authenticated_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal access tokens of service accounts; token_hash is the SHA-256 of the token.
CREATE TABLE access_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX access_tokens_user ON access_tokens (user_id);

-- One-time codes (init, email, phone, password reset, passkey registration), stored as HMACs.
CREATE TABLE one_time_codes (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    purpose          TEXT NOT NULL,
    code_hash        TEXT NOT NULL,
    target           TEXT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id, purpose);

-- Transactional outbox: written with the change, delivered by the worker.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    user_id          TEXT,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        TEXT NOT NULL,
    template         TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'expired')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    not_after        BIGINT,
    next_attempt_at  BIGINT NOT NULL,
    claimed_until    BIGINT,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id);
