// unauthorized-signatures: attorney-in-fact signatures that no power of attorney in the store
// authorizes. A signature is an attorney's attorney-in-fact signatures on a filing (dated by the
// earliest) for one owner (ATTORNEY_IN_FACT_FOR naming the filing; none named: every filer, owner
// empty). A power (GRANTED_POWER_OF_ATTORNEY, owner to signer) authorizes it when signed by then,
// covering the issuer (no scope, or a scope company whose key is a key of the issuer's names), and not
// revoked by a later power of the same grantor (revokes_prior, covering the issuer) signed by then.
// A company's key: lower case, letters and digits only, then corporation/incorporated/company/limited
// abbreviated (nx_queries.company_key; every engine spells it out the same way).
MATCH (a:Person|Company)-[s:SIGNED]->(f:Filing)-[:ABOUT]->(c:Company)
WHERE s.attorney_in_fact
WITH a, f, c, min(s.date) AS signed_on
OPTIONAL MATCH (a)-[r:ATTORNEY_IN_FACT_FOR]->(o)
WHERE any(acc IN r.accessions WHERE 'filing/' + acc = f.id)
WITH a, f, c, signed_on, o, coalesce(o.id, '') AS owner_id, list_transform(c.aliases + [c.name], x -> replace(replace(replace(replace(regexp_replace(lower(x), '[^a-z0-9]', '', 'g'), 'corporation', 'corp'), 'incorporated', 'inc'), 'company', 'co'), 'limited', 'ltd')) AS issuer_keys
OPTIONAL MATCH (w)-[:FILED]->(f)
// A plain string, not o: ladybug joins on o (and loses the row) when o is an absent OPTIONAL MATCH.
WHERE owner_id = '' OR w.id = owner_id
WITH a, f, c, signed_on, o, issuer_keys, w
OPTIONAL MATCH (w)-[g:GRANTED_POWER_OF_ATTORNEY]->(a)
WITH a, f, c, signed_on, o, issuer_keys, w, g,
     g.id IS NOT NULL AND (g.date IS NULL OR signed_on IS NULL OR g.date <= signed_on)
     AND (size(g.scope) = 0 OR any(x IN g.scope WHERE replace(replace(replace(replace(regexp_replace(lower(x), '[^a-z0-9]', '', 'g'), 'corporation', 'corp'), 'incorporated', 'inc'), 'company', 'co'), 'limited', 'ltd') IN issuer_keys)) AS fits
OPTIONAL MATCH (w)-[v:GRANTED_POWER_OF_ATTORNEY]->()
WHERE fits AND v.revokes_prior AND v.date > g.date AND v.date <= signed_on
  AND (size(v.scope) = 0 OR any(y IN v.scope WHERE replace(replace(replace(replace(regexp_replace(lower(y), '[^a-z0-9]', '', 'g'), 'corporation', 'corp'), 'incorporated', 'inc'), 'company', 'co'), 'limited', 'ltd') IN issuer_keys))
WITH a, f, c, signed_on, o, g, fits, count(v) AS revoked
WITH a, f, c, signed_on, o, count(DISTINCT g) AS powers_on_file,
     sum(CASE WHEN fits AND revoked = 0 THEN 1 ELSE 0 END) AS in_force
WHERE in_force = 0
RETURN a.name AS attorney_name, o.cik AS owner_cik, o.name AS owner_name, c.cik AS issuer_cik,
       c.name AS issuer_name, f.accession AS accession, signed_on AS signature_date, powers_on_file
ORDER BY a.id, f.id, coalesce(o.id, '')
