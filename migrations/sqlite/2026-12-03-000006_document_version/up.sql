-- Which shape a dataset's document is written in: 0 for the wire form of the first releases,
-- 1 for the domain's versioned document. hdab rewrites version-0 documents when it starts;
-- the column lets it find them without reading every document.
ALTER TABLE datasets ADD COLUMN document_version INTEGER NOT NULL DEFAULT 0;
