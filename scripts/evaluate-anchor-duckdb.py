#!/usr/bin/env python3
"""The anchor of issue 17: the shipped local scorecard in DuckDB (2 threads) over the CSVs that
`xinyong bench evaluate --export DIR` writes; prints the wall time of the scoring query (facts
already in memory) and how many subjects' scores and grades differ from xinyong's scores.csv.
usage: scripts/evaluate-anchor-duckdb.py DIR rules/models/local.toml   (pip install duckdb)"""
import sys, time, tomllib, duckdb

d, model_path = sys.argv[1], sys.argv[2]
m = tomllib.load(open(model_path, "rb"))
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute(f"CREATE TABLE facts AS SELECT * FROM read_csv('{d}/facts.csv', header=true, columns={{'uscc':'VARCHAR','source':'VARCHAR','class':'VARCHAR','code':'VARCHAR','age_days':'INTEGER'}})")
con.execute(f"CREATE TABLE theirs AS SELECT * FROM read_csv('{d}/scores.csv', header=true, columns={{'uscc':'VARCHAR','score':'DOUBLE','grade':'VARCHAR'}})")
rules, steps, bands = [], [], []
for i, ind in enumerate(m["indicator"]):
    classes = ind.get("classes") or [None]
    codes = ind.get("codes") or [None]
    by_code = ind.get("points_by_code") or {}
    for c in classes:
        for k in codes:
            if by_code:
                for code, pts in by_code.items():
                    if k is None or k == code:
                        rules.append((i, ind["source"], c, code, pts))
            else:
                rules.append((i, ind["source"], c, k, ind.get("points", 0)))
    window = ind.get("window_days")
    lo = 0
    for s in ind.get("decay") or [{"up_to_days": window if window is not None else 10**9, "percent": 100}]:
        hi = s["up_to_days"] if window is None else min(s["up_to_days"], window)
        steps.append((i, lo, hi, s["percent"]))
        lo = s["up_to_days"] + 1
for b in m["band"]:
    bands.append((b["grade"], b.get("min", -10**12), b.get("max", 10**12)))
con.execute("CREATE TABLE rules (ind INTEGER, source VARCHAR, class VARCHAR, code VARCHAR, points BIGINT)")
con.executemany("INSERT INTO rules VALUES (?, ?, ?, ?, ?)", rules)
con.execute("CREATE TABLE steps (ind INTEGER, lo INTEGER, hi INTEGER, percent BIGINT)")
con.executemany("INSERT INTO steps VALUES (?, ?, ?, ?)", steps)
con.execute("CREATE TABLE caps (ind INTEGER, cap BIGINT)")
con.executemany("INSERT INTO caps VALUES (?, ?)", [(i, ind.get("cap")) for i, ind in enumerate(m["indicator"])])
con.execute("CREATE TABLE bands (grade VARCHAR, lo BIGINT, hi BIGINT)")
con.executemany("INSERT INTO bands VALUES (?, ?, ?)", bands)
base = m["model"]["base"]
query = f"""
CREATE OR REPLACE TABLE ours AS
WITH hit AS (
  SELECT f.uscc, r.ind, r.points * s.percent AS centi
  FROM facts f
  JOIN rules r ON r.source = f.source AND (r.class IS NULL OR r.class = f.class) AND (r.code IS NULL OR r.code = f.code)
  JOIN steps s ON s.ind = r.ind AND f.age_days BETWEEN s.lo AND s.hi
), per AS (
  SELECT h.uscc, h.ind, sum(h.centi) AS total FROM hit h GROUP BY h.uscc, h.ind
), capped AS (
  SELECT p.uscc, CASE WHEN c.cap < 0 THEN greatest(p.total, c.cap * 100)
                      WHEN c.cap > 0 THEN least(p.total, c.cap * 100) ELSE p.total END AS total
  FROM per p JOIN caps c USING (ind)
), subjects AS (SELECT DISTINCT uscc FROM facts),
scored AS (
  SELECT s.uscc, {base} * 100 + coalesce(sum(c.total), 0) AS centi
  FROM subjects s LEFT JOIN capped c USING (uscc) GROUP BY s.uscc
)
SELECT sc.uscc, sc.centi, b.grade FROM scored sc JOIN bands b ON floor(sc.centi / 100) BETWEEN b.lo AND b.hi
"""
times = []
for _ in range(3):
    t = time.perf_counter(); con.execute(query); times.append(time.perf_counter() - t)
n = con.execute("SELECT count(*) FROM ours").fetchone()[0]
diff = con.execute("SELECT count(*) FROM ours o JOIN theirs t USING (uscc) WHERE round(t.score * 100) <> o.centi OR t.grade <> o.grade").fetchone()[0]
missing = con.execute("SELECT count(*) FROM theirs t ANTI JOIN ours o USING (uscc)").fetchone()[0]
print(f"duckdb {duckdb.__version__}, 2 threads: scoring {n} subjects in {min(times)*1000:.0f} ms (best of 3: {', '.join(f'{x*1000:.0f}' for x in times)}); differing from xinyong: {diff}; missing: {missing}")
