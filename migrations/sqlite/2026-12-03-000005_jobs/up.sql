-- Scheduled background jobs, claimed through the database so that of several hdab processes on
-- one database only one runs a job at a time: `lease_owner` holds it until `lease_until`
-- (after which a crashed owner's claim lapses). Each run is recorded in `job_runs`.
CREATE TABLE jobs (
    name        TEXT PRIMARY KEY NOT NULL,
    next_run_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP
);

CREATE TABLE job_runs (
    id          TEXT PRIMARY KEY NOT NULL,
    job         TEXT NOT NULL,
    instance    TEXT NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    detail      TEXT NOT NULL
);
CREATE INDEX job_runs_by_job ON job_runs (job, started_at);
