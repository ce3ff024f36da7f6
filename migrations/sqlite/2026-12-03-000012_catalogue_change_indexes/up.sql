-- When the public catalogue last changed (every catalogue page's `Last-Modified`) is the newest
-- `modified_at` and `confirmed_at` of the published and withdrawn datasets: each is read off
-- the end of one of these indexes instead of a scan of every row, and `modified_since` selects
-- its range from the first.
CREATE INDEX datasets_status_modified ON datasets (status, modified_at);
CREATE INDEX datasets_status_confirmed ON datasets (status, confirmed_at);
