-- Avatars and the sortable admin user list (PostgreSQL). Keep in lockstep with
-- ../sqlite/0004_avatars_and_user_list.sql.

-- One re-encoded avatar per user; `avatar_key` is the SHA-256 of `bytes` (its URL), so a new
-- picture gets a new URL and an old one can be cached forever.
CREATE TABLE avatars (
    user_id       TEXT PRIMARY KEY REFERENCES users (id),
    avatar_key    TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    bytes         BYTEA NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX avatars_key ON avatars (avatar_key);

-- The current avatar's key on the user row, so lists and profile reads need no join.
ALTER TABLE users ADD COLUMN avatar_key TEXT;

-- Keyset paging for every sortable column of the admin list: (column, id) is unique.
CREATE INDEX users_list_display_name ON users (display_name_key, id);
CREATE INDEX users_list_email ON users (email_key, id);
CREATE INDEX users_list_created ON users (created_at, id);
CREATE INDEX users_list_state ON users (state, username_key);
