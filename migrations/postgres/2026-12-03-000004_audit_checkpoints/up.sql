-- Signed checkpoints of the event log's head (sequence, hash, time), each with the compact JWS
-- hdab signed it as. The signing key lives outside the database, so a rewrite of the log
-- cannot be covered up by rewriting these rows too: a checkpoint held elsewhere (by hdab in
-- its data directory, by partners) still shows the log once reached further.
CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY NOT NULL,
    hash      TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    token     TEXT NOT NULL
);
