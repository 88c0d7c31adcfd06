#!/usr/bin/env python3
"""activity_ref.py — the events of tests/integration/run_activity.sh and an
independent reference of the growth measures (docs/TABLES.md, "Growth
analytics"), computed from the events in plain Python.

  activity_ref.py sql                 the events table, as SQL
  activity_ref.py late | backfill     the late event / the backfilled events
  activity_ref.py check TABLE DUMP    compare a dump (tab-separated rows of
                                      tbl_activity_report_* or _cohort_*)
  activity_ref.py memo MEMO           the memo's growth section as of the
                                      last due date
"""
import os
import sys
import zlib
from datetime import date, timedelta

D = date.fromisoformat
# phase start .. last due date; ACT_LATE=1: a late event (dated within the
# lookback of the next run) and one more day
LATE = os.environ.get("ACT_LATE") == "1"
# ACT_BACKFILL=1: two events of January loaded after March was run (a new
# user, and an earlier first active date for u5), then backfilled with
# --from/--to: later rolling windows, growth accounting and cohorts change
BACKFILL = os.environ.get("ACT_BACKFILL") == "1"
FIRST, LAST = D("2024-01-01"), D("2024-03-06" if LATE else "2024-03-05")
SALT, KEY = "act-salt", "act/exp"
VARS = ["ctl", "it's/\"é\" 100%"]


def events():
    ev = []  # (user, date, name)
    def opens(u, *days):
        ev.extend((u, D(x), "app_open") for x in days)
    # exposures on the phase's first days
    for i, u in enumerate(["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]):
        ev.append((u, FIRST + timedelta(days=i % 3), "experiment_viewed"))
    opens("u1", "2023-12-30", "2023-12-31", "2024-01-01", "2024-01-07", "2024-01-08")  # Sun -> Mon, Dec -> Jan
    opens("u2", "2023-12-05", "2024-02-28", "2024-02-29", "2024-03-01")  # resurrected after a long gap, Feb 29
    opens("u3", "2024-01-15")                                            # active once
    opens("u4", "2024-01-02", "2024-01-03", "2024-01-10", "2024-01-31", "2024-02-01", "2024-03-04")
    opens("u5", "2024-02-05")
    opens("u6", "2024-01-01", "2024-01-29", "2024-02-26", "2024-03-05")
    opens("u9", "2024-01-20", "2024-01-21", "2024-01-22")  # never exposed
    # active on the first day of a 28-day window and on the first day of
    # the 7-day window ending on the same day (02-07), idle after: leaves
    # both rolling windows that day
    opens("u8", "2024-01-10", "2024-01-31")
    ev.append((None, D("2024-01-20"), "app_open"))          # NULL user: ignored
    ev.append(("u7", D("2024-01-09"), "crash"))             # not an active event of opens
    ev.append(("u1", D("2024-01-09"), "crash"))             # ... the active set of crashes
    ev.append((None, D("2024-01-09"), "crash"))
    if LATE:
        opens("u3", "2024-03-04")                           # arrives after 03-05 was run
    if BACKFILL:
        opens("u5", "2024-01-16")
        opens("u10", "2024-01-05")
    return ev


def late_sql():
    return ("INSERT INTO ods.act_events VALUES "
            "('u3', '2024-03-04 10:00:00', '2024-03-04', 'app_open', NULL, NULL);")


def backfill_sql():
    return ("INSERT INTO ods.act_events VALUES "
            "('u5', '2024-01-16 10:00:00', '2024-01-16', 'app_open', NULL, NULL), "
            "('u10', '2024-01-05 10:00:00', '2024-01-05', 'app_open', NULL, NULL);")


def enc(key):
    """A key as it appears in breakdown_value: % as %25, / as %2F."""
    return key.replace("%", "%25").replace("/", "%2F")


def variation(u):
    b = zlib.crc32((SALT + u).encode()) % 10000
    return VARS[0] if b < 5000 else VARS[1]


def sql():
    out = ["CREATE DATABASE IF NOT EXISTS ods;", "DROP TABLE IF EXISTS ods.act_events;",
           "CREATE TABLE ods.act_events (user_id VARCHAR(64), event_time DATETIME, event_date DATE,"
           " event_name VARCHAR(64), exp_key VARCHAR(64), var_key VARCHAR(64));"]
    rows = []
    for u, d, n in events():
        uq = "NULL" if u is None else "'%s'" % u
        ek = "'%s'" % KEY if n == "experiment_viewed" else "NULL"  # KEY has no quote
        rows.append("(%s, '%s 10:00:00', '%s', '%s', %s, NULL)" % (uq, d, d, n, ek))
    out.append("INSERT INTO ods.act_events VALUES\n" + ",\n".join(rows) + ";")
    return "\n".join(out)


def ws(d): return d - timedelta(days=d.weekday())
def ms(d): return d.replace(day=1)
def start(grain, d): return {"day": d, "week": ws(d), "month": ms(d)}[grain]
def prev(grain, p): return p - timedelta(days=7) if grain == "week" else ms(p - timedelta(days=1))
def nxt(grain, p): return p + timedelta(days=7) if grain == "week" else ms(p + timedelta(days=31))


def reference():
    ev = events()
    active = {}  # user -> set of dates (all history)
    expo = {}
    for u, d, n in ev:
        if u is None:
            continue
        if n == "app_open" and d <= LAST:
            active.setdefault(u, set()).add(d)
        if n == "experiment_viewed" and d >= FIRST:
            expo[u] = min(expo.get(u, d), d)
    first = {u: min(ds) for u, ds in active.items()}
    lo = min(ws(FIRST), ms(FIRST))
    days = [lo + timedelta(days=i) for i in range((LAST - lo).days + 1)]
    # breakdowns: (breakdown, value) -> (since, {user: dates counted})
    bks = {("", ""): (lo, active)}
    for v in VARS:
        us = [u for u in expo if variation(u) == v]
        if us:
            bks[("variation", "%s/%s" % (enc(KEY), enc(v)))] = (
                min(expo[u] for u in us),
                {u: {d for d in active.get(u, ()) if d >= expo[u]} for u in us})
    rep = {}
    for (bd, bv), (since, acts) in bks.items():
        def users(pred):
            return sum(1 for u, ds in acts.items() if any(pred(d) for d in ds))
        for d in days:
            if d < since:
                continue
            dau = users(lambda x: x == d)
            wau = users(lambda x: d - timedelta(days=6) <= x <= d)
            mau = users(lambda x: d - timedelta(days=27) <= x <= d)
            for m, v in (("dau", dau), ("wau_rolling", wau), ("mau_rolling", mau),
                         ("stickiness", dau / mau if mau else None)):
                rep[(d, "day", bd, bv, m)] = v
        for grain in ("week", "month"):
            for p in (d for d in days if start(grain, d) == d and d >= start(grain, since)):
                pp = prev(grain, p)
                cur = {u for u, ds in acts.items() if any(start(grain, x) == p for x in ds)}
                prv = {u for u, ds in acts.items() if any(start(grain, x) == pp for x in ds)}
                new = sum(1 for u in cur if start(grain, first[u]) == p)
                res = sum(1 for u in cur - prv if start(grain, first[u]) < p)
                churn = len(prv - cur)
                vals = {"wau" if grain == "week" else "mau": len(cur), "new": new,
                        "retained": len(cur & prv), "resurrected": res, "churned": churn,
                        "quick_ratio": (new + res) / churn if churn else None}
                for m, v in vals.items():
                    rep[(p, grain, bd, bv, m)] = v
    rep = {("opens",) + k: v for k, v in rep.items()}
    crash = {}
    for u, d, n in ev:
        if u is not None and n == "crash" and d <= LAST:
            crash.setdefault(d, set()).add(u)
    for d in days:
        rep[("crashes", d, "day", "", "", "dau")] = len(crash.get(d, ()))
    coh = {}
    for grain in ("week", "month"):
        for p in (d for d in days if start(grain, d) == d):
            cohorts = {}
            for u, f in first.items():
                cohorts.setdefault(start(grain, f), set()).add(u)
            for c, us in cohorts.items():
                if c > p:
                    continue
                k = (p - c).days // 7 if grain == "week" else (p.year - c.year) * 12 + p.month - c.month
                a = sum(1 for u in us if any(start(grain, x) == p for x in active[u]))
                coh[(p, grain, c)] = (k, len(us), a, a / len(us))
    return rep, coh


def num(s):
    return None if s == "NULL" else float(s)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def check(table, dump):
    rep, coh = reference()
    got = {}
    for line in open(dump, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if table.startswith("tbl_activity_report"):
            p, tag, act, grain, bd, bv, m, v = f
            assert tag == "activity", f
            got[(act, D(p), grain, bd, bv, m)] = num(v)
        else:
            p, tag, act, grain, c, k, size, a, r = f
            assert tag == "activity" and act == "opens", f
            got[(D(p), grain, D(c))] = (int(k), int(size), int(a), num(r))
    want = rep if table.startswith("tbl_activity_report") else coh
    bad = 0
    for key in sorted(set(want) | set(got), key=str):
        w, g = want.get(key, "missing"), got.get(key, "missing")
        same = (w == g) if isinstance(w, str) or isinstance(g, str) else (
            all(close(x, y) for x, y in zip(w, g)) if isinstance(w, tuple) else close(g, w))
        if not same:
            bad += 1
            if bad <= 8:
                print("%s %s: got %s, reference %s" % (table, key, g, w), file=sys.stderr)
    if bad:
        print("%s: %d of %d rows differ" % (table, bad, len(want)), file=sys.stderr)
        return 1
    print("%s: %d rows equal the reference" % (table, len(want)))
    return 0


def fmt(v):
    if v is None:
        return "–"
    return "%d" % v if v == int(v) else "%.2f" % v


def memo(path):
    rep, _ = reference()
    text = open(path, encoding="utf-8").read()
    day, week, month = LAST, ws(LAST), ms(LAST)
    want = ["## Growth", "### opens",
            "| |" + "".join(" %s |" % fmt(rep[("opens", day, "day", "", "", m)])
                            for m in ("dau", "wau_rolling", "mau_rolling", "stickiness"))]
    for grain, p, act in (("week", week, "wau"), ("month", month, "mau")):
        want.append("| %s of %s |" % (grain, p) + "".join(
            " %s |" % fmt(rep[("opens", p, grain, "", "", m)])
            for m in (act, "new", "retained", "resurrected", "churned", "quick_ratio")))
    # crashes asks for dau only: one number, and no period table
    want += ["### crashes", "| | %s | | | |" % fmt(rep[("crashes", day, "day", "", "", "dau")])]
    tail = text[text.index("### crashes"):] if "### crashes" in text else ""
    if "| period |" in tail:
        print("memo: a period table for crashes", file=sys.stderr)
        return 1
    missing = [w for w in want if w not in text.splitlines()]
    for w in missing:
        print("memo: no line %r" % w, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    if sys.argv[1] == "sql":
        print(sql())
    elif sys.argv[1] == "late":
        print(late_sql())
    elif sys.argv[1] == "backfill":
        print(backfill_sql())
    elif sys.argv[1] == "memo":
        sys.exit(memo(sys.argv[2]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
