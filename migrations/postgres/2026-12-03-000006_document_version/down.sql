ALTER TABLE datasets DROP COLUMN document_version;
