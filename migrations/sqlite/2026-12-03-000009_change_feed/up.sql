-- The change feed filtered by entity type walks this index in log order (a filter by action
-- has `events_action`).
CREATE INDEX events_entity_type ON events (entity_type, seq);
