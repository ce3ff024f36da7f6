DROP TABLE idempotency_keys;
DROP TABLE application_publishers;
DROP TABLE application_parts;
DROP TABLE applications;
ALTER TABLE committee_members DROP COLUMN organisation;
