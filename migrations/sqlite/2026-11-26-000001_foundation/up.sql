-- The hash-chained event log (see domain/src/event.rs) and the first organisations.
-- Ids are UUIDv7 text, times UTC timestamps, enums text with CHECK constraints (DESIGN.md).

CREATE TABLE events (
    seq          BIGINT PRIMARY KEY NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    occurred_at  TIMESTAMP NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX events_entity ON events (entity_type, entity_id);

-- One row: the chain's last event. Every write transaction updates it first, which serialises
-- appends so that sequence numbers have no gaps and readers never miss a committed event.
CREATE TABLE event_chain_head (
    id        INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq  BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO event_chain_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE publishers (
    id                  TEXT PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL,
    country             TEXT NOT NULL CHECK (length(country) = 2),
    organisation_type   TEXT NOT NULL CHECK (organisation_type IN
                            ('public_sector_body', 'union_institution', 'academic', 'non_profit', 'commercial')),
    homepage            TEXT,
    contact_email       TEXT NOT NULL,
    trusted_data_holder BOOLEAN NOT NULL,
    version             BIGINT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX publishers_name_key ON publishers (lower(name));

CREATE TABLE committees (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    decision_rule TEXT NOT NULL CHECK (decision_rule IN ('chair_decides', 'majority', 'unanimous')),
    quorum        INTEGER NOT NULL CHECK (quorum >= 1),
    version       BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX committees_name_key ON committees (lower(name));

CREATE TABLE committee_publishers (
    committee_id TEXT NOT NULL REFERENCES committees (id) ON DELETE CASCADE,
    publisher_id TEXT NOT NULL REFERENCES publishers (id) ON DELETE RESTRICT,
    position     INTEGER NOT NULL,
    PRIMARY KEY (committee_id, publisher_id)
);
CREATE INDEX committee_publishers_publisher ON committee_publishers (publisher_id);

CREATE TABLE committee_members (
    committee_id TEXT NOT NULL REFERENCES committees (id) ON DELETE CASCADE,
    subject      TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('member', 'chair')),
    position     INTEGER NOT NULL,
    PRIMARY KEY (committee_id, subject)
);
CREATE INDEX committee_members_subject ON committee_members (subject);
