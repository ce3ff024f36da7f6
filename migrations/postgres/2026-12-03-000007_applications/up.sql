-- Access applications and data requests. The application is stored whole as its versioned
-- JSON document (the domain's shape, `{"v": 1, "application": ...}`); the columns beside it
-- are what lists filter and order on, each list with an index that serves its filter and order.

-- A committee seat's organisation, for conflicts of interest.
ALTER TABLE committee_members ADD COLUMN organisation TEXT;

CREATE TABLE applications (
    id           TEXT PRIMARY KEY NOT NULL,
    applicant    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('access_application', 'data_request')),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'under_review',
                     'approved', 'partially_approved', 'refused', 'withdrawn')),
    document     TEXT NOT NULL,
    version      BIGINT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    -- When the HDAB received it; the transparency register lists received applications.
    submitted_at TIMESTAMP,
    -- The running deadline; NULL while the clock is stopped or the application is closed.
    due_at       TIMESTAMP,
    -- When the next deadline alert is due; NULL when none is.
    alert_at     TIMESTAMP,
    -- The register's entry (JSON, no personal data); NULL for drafts.
    public_entry TEXT
);
-- A researcher's own applications.
CREATE INDEX applications_applicant ON applications (applicant, id);
-- The register, newest receipt first.
CREATE INDEX applications_received ON applications (submitted_at, id) WHERE submitted_at IS NOT NULL;
-- Overdue applications.
CREATE INDEX applications_due ON applications (due_at) WHERE due_at IS NOT NULL;
-- The deadline job's work.
CREATE INDEX applications_alert ON applications (alert_at) WHERE alert_at IS NOT NULL;
CREATE INDEX applications_status ON applications (status, id);

-- Which committees review a part of which application: a committee's review queue.
CREATE TABLE application_parts (
    committee_id   TEXT NOT NULL REFERENCES committees (id) ON DELETE RESTRICT,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    -- Whether the part awaits the committee: the application is open and the part undecided.
    awaiting       BOOLEAN NOT NULL,
    PRIMARY KEY (committee_id, application_id)
);
CREATE INDEX application_parts_queue ON application_parts (committee_id, awaiting, application_id);
-- An application's own links, replaced with every change of it.
CREATE INDEX application_parts_application ON application_parts (application_id);

-- Which publishers hold datasets an application names: a data holder's view.
CREATE TABLE application_publishers (
    publisher_id   TEXT NOT NULL REFERENCES publishers (id) ON DELETE RESTRICT,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    PRIMARY KEY (publisher_id, application_id)
);
CREATE INDEX application_publishers_application ON application_publishers (application_id);

-- Idempotency-Key (IETF draft): the first response to a key, replayed to a retry with the
-- same request; kept 24 hours.
CREATE TABLE idempotency_keys (
    caller       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    -- NULL while the first request is in flight.
    status       INTEGER,
    headers      TEXT,
    body         BYTEA,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
