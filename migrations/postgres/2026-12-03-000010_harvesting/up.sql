-- Harvesting: the sources an admin registered, each run's log, and which dataset each
-- harvested record became. A source is stored whole as its versioned JSON document; its
-- credentials are sealed (AES-256-GCM) beside it and never in the document or the log.

CREATE TABLE harvest_sources (
    id                 TEXT PRIMARY KEY NOT NULL,
    document           TEXT NOT NULL,
    version            BIGINT NOT NULL,
    sealed_credentials TEXT,
    -- What the source last answered, for a conditional GET of its first page.
    etag               TEXT,
    last_modified      TEXT,
    -- For an hdab source: the last event of its change feed already applied.
    feed_position      BIGINT NOT NULL DEFAULT 0,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE harvest_runs (
    id          TEXT PRIMARY KEY NOT NULL,
    source_id   TEXT NOT NULL REFERENCES harvest_sources (id) ON DELETE CASCADE,
    started_at  TIMESTAMP NOT NULL,
    document    TEXT NOT NULL
);
CREATE INDEX harvest_runs_source ON harvest_runs (source_id, started_at, id);

-- A harvested record (by the upstream dataset's IRI, or its identifier when it has none) and
-- the dataset it became: a re-harvest updates that dataset, and a record gone upstream
-- withdraws it.
CREATE TABLE harvest_records (
    source_id  TEXT NOT NULL REFERENCES harvest_sources (id) ON DELETE CASCADE,
    record_key TEXT NOT NULL,
    dataset_id TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    PRIMARY KEY (source_id, record_key)
);
CREATE UNIQUE INDEX harvest_records_dataset ON harvest_records (dataset_id);
