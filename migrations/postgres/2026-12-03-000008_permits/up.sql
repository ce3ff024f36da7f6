-- Data permits, their signing keys and the opt-out registry. A permit is stored whole as its
-- versioned JSON document (the domain's shape, `{"v": 1, "permit": ...}`); the columns beside it
-- are what lists, the expiry job and the register filter and order on.

CREATE TABLE permits (
    id             TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE RESTRICT,
    holder         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'expired', 'closed')),
    issued_at      TIMESTAMP NOT NULL,
    valid_until    TIMESTAMP NOT NULL,
    document       TEXT NOT NULL,
    version        BIGINT NOT NULL
);
-- One permit per application.
CREATE UNIQUE INDEX permits_application ON permits (application_id);
-- The expiry job's work: running permits by their end.
CREATE INDEX permits_running ON permits (valid_until) WHERE status IN ('active', 'suspended');
-- The public register, newest issuance first.
CREATE INDEX permits_issued ON permits (issued_at, id);

-- Who may see a permit besides admins: its holder and authorised persons (`subject`), the
-- publishers of its datasets (`publisher`) and its deciding committees (`committee`).
-- Replaced with every change of the permit.
CREATE TABLE permit_parties (
    kind      TEXT NOT NULL CHECK (kind IN ('subject', 'publisher', 'committee')),
    party     TEXT NOT NULL,
    permit_id TEXT NOT NULL REFERENCES permits (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, party, permit_id)
);
CREATE INDEX permit_parties_permit ON permit_parties (permit_id);

-- The keys that sign visas (ES256). The private key is sealed (AES-256-GCM) under the
-- key-encryption key from configuration and never stored in the clear.
CREATE TABLE permit_keys (
    kid                TEXT PRIMARY KEY NOT NULL,
    public_jwk         TEXT NOT NULL,
    sealed_private_key TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    -- When another key became current; its visas expire within the visa lifetime after.
    retired_at         TIMESTAMP
);

-- The opt-out registry (EHDS Art 71): a keyed hash (HMAC-SHA-256) of the pseudonym the
-- registry sent, never the pseudonym, with each choice and its time.
CREATE TABLE opt_outs (
    person_hash BYTEA NOT NULL,
    at          TIMESTAMP NOT NULL,
    opted_out   BOOLEAN NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_hash, at, opted_out)
);

-- What each secret from configuration was, as a keyed fingerprint: a second process started
-- with another opt-out hashing key would silently miss opt-outs, so it is refused instead.
CREATE TABLE secret_checks (
    name        TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL
);

-- The audit log's filters: by actor and by action, in log order.
CREATE INDEX events_actor ON events (actor, seq);
CREATE INDEX events_action ON events (action, seq);
