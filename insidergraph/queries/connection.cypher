// connection: of all shortest paths between the two persons or companies through role and
// attorney edges (either way), the one whose list of node ids is smallest (ids hold no space,
// so comparing them joined by spaces compares the lists). One row per edge between
// consecutive nodes; direction '->' when the edge points from the hop's 'from' node.
MATCH (a:Person:Company) WHERE a.cik = $source_by_cik OR a.id = $source_by_id
MATCH (b:Person:Company) WHERE b.cik = $target_by_cik OR b.id = $target_by_id
MATCH p = (a)-[:DIRECTOR_OF|OFFICER_OF|TEN_PERCENT_OWNER_OF|OTHER_RELATION_TO|ATTORNEY_IN_FACT_FOR* ALL SHORTEST 1..30]-(b)
WITH properties(nodes(p), 'id') AS ns
WITH ns, list_to_string(' ', ns) AS k
ORDER BY k LIMIT 1
UNWIND range(1, size(ns) - 1) AS i
UNWIND [[ns[i], ns[i + 1], '->'], [ns[i + 1], ns[i], '<-']] AS d
MATCH (x:Person:Company {id: d[1]})-[r:DIRECTOR_OF|OFFICER_OF|TEN_PERCENT_OWNER_OF|OTHER_RELATION_TO|ATTORNEY_IN_FACT_FOR]->(y:Person:Company {id: d[2]})
WITH i, d[3] AS direction, label(r) AS relationship,
     CASE WHEN d[3] = '->' THEN x ELSE y END AS f, CASE WHEN d[3] = '->' THEN y ELSE x END AS t
RETURN DISTINCT i AS hop, f.name AS from_name, f.cik AS from_cik, relationship, direction, t.name AS to_name, t.cik AS to_cik
ORDER BY hop, relationship, direction
