#!/usr/bin/env python3
"""explain_check.py EXPLAIN.json DAY — every access to a source table (ods.*)
in the EXPLAIN FORMAT=JSON of the daily DML reads only partitions of DAY or,
for CUPED pre-periods, of the 366 days before it (never a later day, never
all partitions); and no grouping of a source table's rows alone goes
through a temporary table (a lookup in it per row: SELECT SQL_BIG_RESULT
makes MariaDB sort them instead); and wide_day looks the events of the
units whose day is cut up by user, by the sources' (date, user) index."""
import datetime as dt
import json
import sys

day = dt.date.fromisoformat(sys.argv[2])
text = open(sys.argv[1]).read()
bad = 0
seen = 0
for chunk in text.split("== ")[1:]:
    name, js = chunk.split("\n", 1)
    def walk(o):
        global bad, seen
        if isinstance(o, dict):
            temp = o.get("filesort", {}).get("temporary_table")
            if isinstance(temp, dict):
                loop = [x.get("table") for x in temp.get("nested_loop", []) if isinstance(x, dict)]
                if len(loop) == 1 and isinstance(loop[0], dict) and "partitions" in loop[0]:
                    print("%s: the rows of source table %s grouped through a temporary table"
                          % (name, loop[0].get("table_name")))
                    bad += 1
            t = o.get("table")
            # wide_day matches the events of the units whose day is cut one by
            # one: by user, through the source's (date, user) index, unless
            # the day holds so few rows that reading them all costs less
            if (name == "wide_day" and isinstance(t, dict) and "partitions" in t
                    and "user_id" not in t.get("used_key_parts", [])
                    and t.get("rows", 0) >= 100):
                print("%s: table %s read by %s (%s rows), not looked up by user"
                      % (name, t.get("table_name"), t.get("access_type"), t.get("rows")))
                bad += 1
            if isinstance(t, dict) and "partitions" in t:
                parts = t["partitions"]
                seen += 1
                for p in parts:
                    d = dt.datetime.strptime(p[1:], "%Y%m%d").date()
                    if d > day or (day - d).days > 366:
                        print("%s: table %s reads partition %s" % (name, t.get("table_name"), p))
                        bad += 1
                if len(parts) > 15:
                    print("%s: table %s reads %d partitions" % (name, t.get("table_name"), len(parts)))
                    bad += 1
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(json.loads(js))
print("explain: %d partitioned source accesses checked, %d violations" % (seen, bad))
sys.exit(1 if bad or seen == 0 else 0)
