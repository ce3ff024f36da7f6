DROP INDEX committees_name_key;
ALTER TABLE committees DROP COLUMN name_key;
CREATE UNIQUE INDEX committees_name_key ON committees (lower(name));

DROP INDEX publishers_name_key;
ALTER TABLE publishers DROP COLUMN name_key;
CREATE UNIQUE INDEX publishers_name_key ON publishers (lower(name));
