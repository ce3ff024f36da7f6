DROP TABLE harvest_records;
DROP TABLE harvest_runs;
DROP TABLE harvest_sources;
