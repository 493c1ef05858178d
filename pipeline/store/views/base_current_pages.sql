-- base_current_pages: the newest version of each article page (pages keeps every version); stg_documents keeps the documents made from these.
-- @canonical_url: the page's canonical URL
-- @content_hash: the content hash of its newest version
-- A table of its own, built before stg_documents: as a step inside it, this aggregation and
-- the joins over its result ran out of 256 MB on 1,000,000 synthetic documents in one run
-- out of two.
CREATE OR REPLACE TABLE base_current_pages AS
SELECT canonical_url, arg_max(content_hash, first_fetched) AS content_hash
FROM pages
WHERE kind = 'article'
GROUP BY canonical_url;
