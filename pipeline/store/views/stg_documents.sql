-- stg_documents: one row per current document (the newest version of each article page) with its campaign metadata and its relevance as columns; stg_campaigns keeps the ones the marts count.
-- @doc_id: document id (hash of the page's canonical URL and content)
-- @source_id: the crawled source (website) the page came from
-- @url: the page's URL as fetched
-- @title: the page's title
-- @published: the page's date, when it shows one
-- @issuer: canonical name of the body that launches the campaign
-- @level: national, province, district, sector or grassroots
-- @province: the issuer's province as named when the document was written
-- @district: the issuer's district as named when the document was written
-- @province_2025: the province that holds that locality after the 1 July 2025 merger
-- @year: the year the campaign runs for (not the publication year)
-- @doc_number: the plan's own number
-- @signatory: who signed it
-- @relevance: the relevance model's probability that the page announces or reports a union's emulation campaign plan (NULL when not scored)
-- @relevant: relevance at or above the policy's threshold (false when not scored)
-- @relevance_status: scored, too_short, not scored (no verdict yet), or the document's own status
-- @counted: whether the marts count it: relevant, or every document when the policy says count_all
-- @locality: where the issuer is, for counting places: "district, province", else the province, else the issuer (national and bodies without a place)
-- Joins only: the newest page versions (base_current_pages), the fields (base_document_fields) and the verdicts. A table, rebuilt after each run. Older versions stay in documents, unread here.
CREATE OR REPLACE TABLE stg_documents AS
SELECT
    d.doc_id, d.source_id, d.url, d.title, d.published,
    f.issuer, f.level, f.province, f.district, f.province_2025, f.year, f.doc_number, f.signatory,
    coalesce(f.district || ', ' || f.province, f.province, f.issuer) AS locality,
    r.probability AS relevance,
    coalesce(r.probability >= pol.threshold, false) AS relevant,
    coalesce(r.status, 'not scored') AS relevance_status,
    coalesce(r.probability >= pol.threshold, false) OR pol.count_all AS counted
FROM documents AS d
JOIN base_current_pages AS p USING (canonical_url, content_hash)
LEFT JOIN base_document_fields AS f USING (doc_id)
LEFT JOIN document_relevance AS r USING (doc_id)
CROSS JOIN relevance_policy AS pol
WHERE d.status = 'ok';
