-- Unique names are compared by a key hdab computes (Unicode NFC and full case folding,
-- domain `Name::comparison_key`), the same on both databases; lower() folds only ASCII on
-- SQLite and follows the collation on PostgreSQL. hdab recomputes the keys at start, so the
-- lower() values set here are only a first approximation for rows written before.
ALTER TABLE publishers ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE publishers SET name_key = lower(name);
DROP INDEX publishers_name_key;
CREATE UNIQUE INDEX publishers_name_key ON publishers (name_key);

ALTER TABLE committees ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE committees SET name_key = lower(name);
DROP INDEX committees_name_key;
CREATE UNIQUE INDEX committees_name_key ON committees (name_key);
