DROP INDEX datasets_status_confirmed;
DROP INDEX datasets_status_modified;
