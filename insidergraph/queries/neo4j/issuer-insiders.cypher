// issuer-insiders, Neo4j dialect: type(r) for ladybug's label(r), toUpper for upper. See ../issuer-insiders.cypher.
MATCH (c:Company)
WHERE c.cik = $issuer_by_cik OR c.id = $issuer_by_id OR ($issuer_by_text <> '' AND toUpper(c.ticker) = $issuer_by_text)
MATCH (o)-[r:DIRECTOR_OF|OFFICER_OF|TEN_PERCENT_OWNER_OF|OTHER_RELATION_TO]->(c)
WITH c, o, collect(DISTINCT CASE WHEN coalesce(r.title, r.text) IS NULL THEN type(r)
                                 ELSE type(r) + ': ' + coalesce(r.title, r.text) END) AS roles
OPTIONAL MATCH (o)-[:TRANSACTED|HOLDS]->(row)-[:IN_SECURITY]->(s:Security)-[:ISSUED_BY]->(c),
               (row)-[:REPORTED_IN]->(f:Filing)
WHERE f.period_of_report IS NOT NULL AND row.shares_owned_following IS NOT NULL
  AND (row.superseded IS NULL OR NOT row.superseded)
WITH o, roles, s, coalesce(row.direct_indirect, '') AS form, coalesce(row.nature_of_ownership, '') AS nature,
     max(f.period_of_report) AS latest
OPTIONAL MATCH (o)-[:TRANSACTED|HOLDS]->(row)-[:IN_SECURITY]->(s), (row)-[:REPORTED_IN]->(f:Filing)
WHERE f.period_of_report = latest AND row.shares_owned_following IS NOT NULL
  AND (row.superseded IS NULL OR NOT row.superseded)
  AND coalesce(row.direct_indirect, '') = form AND coalesce(row.nature_of_ownership, '') = nature
WITH o, roles, s, form, nature, latest, max(f.id) AS fid
OPTIONAL MATCH (o)-[:TRANSACTED|HOLDS]->(row)-[:IN_SECURITY]->(s), (row)-[:REPORTED_IN]->(f:Filing)
WHERE f.id = fid AND row.shares_owned_following IS NOT NULL AND (row.superseded IS NULL OR NOT row.superseded)
  AND coalesce(row.direct_indirect, '') = form AND coalesce(row.nature_of_ownership, '') = nature
WITH o, roles, s, form, nature, latest, fid, max(row.seq) AS seq
OPTIONAL MATCH (o)-[:TRANSACTED|HOLDS]->(row)-[:IN_SECURITY]->(s), (row)-[:REPORTED_IN]->(f:Filing)
WHERE f.id = fid AND row.seq = seq AND row.shares_owned_following IS NOT NULL
  AND (row.superseded IS NULL OR NOT row.superseded)
  AND coalesce(row.direct_indirect, '') = form AND coalesce(row.nature_of_ownership, '') = nature
RETURN o.cik AS insider_cik, o.name AS insider_name, roles, s.title AS security,
       row.shares_owned_following AS shares_owned, row.direct_indirect AS direct_indirect,
       row.nature_of_ownership AS nature_of_ownership, latest AS as_of
ORDER BY o.id, s.id, form, nature
