-- stg_campaigns: the documents the marts count, with their campaign metadata: those the relevance model labels relevant, or every document when the relevance policy says count_all (thidua relevance policy).
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
-- @locality: where the issuer is, for counting places: "district, province", else the province, else the issuer
-- @relevance: the relevance model's probability (NULL when not scored)
-- @relevant: relevance at or above the policy's threshold
-- Every mart reads this view; stg_documents holds every current document.
CREATE OR REPLACE VIEW stg_campaigns AS
SELECT doc_id, source_id, url, title, published, issuer, level, province, district, province_2025, year,
       doc_number, signatory, locality, relevance, relevant
FROM stg_documents
WHERE counted;
