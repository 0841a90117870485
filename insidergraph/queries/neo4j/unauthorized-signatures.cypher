// unauthorized-signatures in Neo4j's dialect (the definitions are those of ../unauthorized-signatures.cypher):
// Neo4j has no regexp_replace, so a company's key keeps the letters and digits character by character;
// list comprehensions stand for list_transform; a list property may be absent where ladybug has [].
MATCH (a:Person|Company)-[s:SIGNED]->(f:Filing)-[:ABOUT]->(c:Company)
WHERE s.attorney_in_fact
WITH a, f, c, min(s.date) AS signed_on
OPTIONAL MATCH (a)-[r:ATTORNEY_IN_FACT_FOR]->(o)
WHERE any(acc IN r.accessions WHERE 'filing/' + acc = f.id)
WITH a, f, c, signed_on, o, coalesce(o.id, '') AS owner_id,
     [x IN coalesce(c.aliases, []) + [c.name] | replace(replace(replace(replace(reduce(k = '', ch IN split(toLower(x), '') | k + CASE WHEN ch =~ '[a-z0-9]' THEN ch ELSE '' END), 'corporation', 'corp'), 'incorporated', 'inc'), 'company', 'co'), 'limited', 'ltd')] AS issuer_keys
OPTIONAL MATCH (w)-[:FILED]->(f)
WHERE owner_id = '' OR w.id = owner_id
WITH a, f, c, signed_on, o, issuer_keys, w
OPTIONAL MATCH (w)-[g:GRANTED_POWER_OF_ATTORNEY]->(a)
WITH a, f, c, signed_on, o, issuer_keys, w, g,
     g.id IS NOT NULL AND (g.date IS NULL OR signed_on IS NULL OR g.date <= signed_on)
     AND (size(coalesce(g.scope, [])) = 0 OR any(x IN g.scope WHERE replace(replace(replace(replace(reduce(k = '', ch IN split(toLower(x), '') | k + CASE WHEN ch =~ '[a-z0-9]' THEN ch ELSE '' END), 'corporation', 'corp'), 'incorporated', 'inc'), 'company', 'co'), 'limited', 'ltd') IN issuer_keys)) AS fits
OPTIONAL MATCH (w)-[v:GRANTED_POWER_OF_ATTORNEY]->()
WHERE fits AND v.revokes_prior AND v.date > g.date AND v.date <= signed_on
  AND (size(coalesce(v.scope, [])) = 0 OR any(y IN v.scope WHERE replace(replace(replace(replace(reduce(k = '', ch IN split(toLower(y), '') | k + CASE WHEN ch =~ '[a-z0-9]' THEN ch ELSE '' END), 'corporation', 'corp'), 'incorporated', 'inc'), 'company', 'co'), 'limited', 'ltd') IN issuer_keys))
WITH a, f, c, signed_on, o, g, fits, count(v) AS revoked
WITH a, f, c, signed_on, o, count(DISTINCT g) AS powers_on_file,
     sum(CASE WHEN fits AND revoked = 0 THEN 1 ELSE 0 END) AS in_force
WHERE in_force = 0
RETURN a.name AS attorney_name, o.cik AS owner_cik, o.name AS owner_name, c.cik AS issuer_cik,
       c.name AS issuer_name, f.accession AS accession, signed_on AS signature_date, powers_on_file
ORDER BY a.id, f.id, coalesce(o.id, '')
