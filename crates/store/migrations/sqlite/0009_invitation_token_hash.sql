-- Survey invitations keep only the SHA-256 of their token, as login sessions do (issue 13). The column is
-- renamed; the tokens stored in plain text before this version (32 hex digits, a hash has 64) are hashed
-- in Rust right after the migrations run (`Store::hash_plain_invitation_tokens`): SQLite has no SHA-256,
-- and one hashing function serves sessions and invitations on both backends.
ALTER TABLE survey_invitation RENAME COLUMN token TO token_hash;
