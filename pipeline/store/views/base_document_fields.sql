-- base_document_fields: a document's campaign fields as one row with a column each (campaign_fields has a row per field); stg_documents joins it.
-- @doc_id: document id
-- @issuer: canonical name of the body that launches the campaign
-- @level: national, province, district, sector or grassroots
-- @province: the issuer's province as named when the document was written
-- @district: the issuer's district as named when the document was written
-- @province_2025: the province that holds that locality after the 1 July 2025 merger
-- @year: the year the campaign runs for
-- @doc_number: the plan's own number
-- @signatory: who signed it
-- A table of its own, built before stg_documents: inside it, this aggregation and the joins over its
-- result held too much at once, and 400,000 documents outgrew 64 MB of DuckDB memory.
CREATE OR REPLACE TABLE base_document_fields AS
SELECT
    doc_id,
    max(value) FILTER (WHERE field = 'issuer')        AS issuer,
    max(value) FILTER (WHERE field = 'level')         AS level,
    max(value) FILTER (WHERE field = 'province')      AS province,
    max(value) FILTER (WHERE field = 'district')      AS district,
    max(value) FILTER (WHERE field = 'province_2025') AS province_2025,
    TRY_CAST(max(value) FILTER (WHERE field = 'year') AS INTEGER) AS year,
    max(value) FILTER (WHERE field = 'doc_number')    AS doc_number,
    max(value) FILTER (WHERE field = 'signatory')     AS signatory
FROM campaign_fields
GROUP BY doc_id;
