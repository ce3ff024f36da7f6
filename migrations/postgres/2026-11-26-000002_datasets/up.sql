-- The dataset catalogue. The description is stored as its JSON document (the API's wire form);
-- the columns beside it are what queries filter and join on.
CREATE TABLE datasets (
    id            TEXT PRIMARY KEY NOT NULL,
    publisher_id  TEXT NOT NULL REFERENCES publishers (id) ON DELETE RESTRICT,
    committee_id  TEXT NOT NULL REFERENCES committees (id) ON DELETE RESTRICT,
    identifier    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    access_rights TEXT NOT NULL CHECK (access_rights IN ('PUBLIC', 'RESTRICTED', 'NON_PUBLIC')),
    document      TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    modified_at   TIMESTAMP NOT NULL,
    issued_at     TIMESTAMP,
    confirmed_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX datasets_identifier_key ON datasets (publisher_id, identifier);
CREATE INDEX datasets_committee ON datasets (committee_id);
-- Keyset pages walk published datasets in id order; without (status, id) SQLite sorts all
-- published rows for every page.
CREATE INDEX datasets_status_id ON datasets (status, id);
