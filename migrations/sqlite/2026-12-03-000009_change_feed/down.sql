DROP INDEX events_entity_type;
