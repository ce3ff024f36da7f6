-- Webhooks (Standard Webhooks): subscriptions, and one delivery per (subscription, event) with
-- its attempts. A subscription is stored whole as its versioned JSON document; its signing
-- secret is sealed (AES-256-GCM) beside it and shown only once, when it is created.

CREATE TABLE webhook_subscriptions (
    id            TEXT PRIMARY KEY NOT NULL,
    owner         TEXT NOT NULL,
    document      TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    -- The last event of the log considered for this subscription.
    cursor        BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner, id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_seq       BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL,
    -- Retries stop (the delivery fails) past this time.
    give_up_at      TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    last_status     INTEGER,
    last_error      TEXT,
    last_latency_ms BIGINT,
    created_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP
);
-- One delivery per event and subscription, whichever process enqueued it.
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (subscription_id, event_seq);
-- The sender's work: each subscription's oldest pending delivery.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (status, subscription_id, event_seq);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status       INTEGER,
    error        TEXT,
    latency_ms   BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
