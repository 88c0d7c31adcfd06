#!/usr/bin/env python3
"""hourly_ref.py — the events of tests/integration/run_hourly.sh and an
independent reference of the hourly series (docs/TABLES.md, "Hourly
series"), computed from the events in plain Python (scipy for the SRM).

  hourly_ref.py sql BATCH        the events of a batch, as SQL: `base` (the
                                 first load), `late` (arriving after the
                                 first intraday run: one within the lookback,
                                 one before it) and `more` (the next hour)
  hourly_ref.py check DUMP THROUGH BATCHES [SKIP]
                                 compare a dump of the hourly table (tab-
                                 separated rows) with the reference of the
                                 events of BATCHES (comma-separated) for every
                                 hour from the phase start through THROUGH
                                 ('YYYY-MM-DD HH'); SKIP: the id of an event
                                 left out (a late event the run cannot see)
  hourly_ref.py daily DUMP HOURLY_DUMP
                                 the daily table's users per date and
                                 variation equal the sum of the hourly
                                 exposures through that date
"""
import random
import sys
import zlib
from datetime import datetime, timedelta

from scipy.stats import chisquare

KEY, SALT = "hr-exp", "hr-salt"
VARS = [("ctl", 0.5), ("trt", 0.5)]
PHASE = datetime(2026, 12, 1)
T = datetime.fromisoformat


def variation(u):
    b = zlib.crc32((SALT + u).encode()) % 10000
    return VARS[0][0] if b < 5000 else VARS[1][0]


def batches():
    """id -> (batch, user, time, name, exp_key, amount)"""
    rnd = random.Random(7)
    ev = []
    users = ["u%02d" % i for i in range(40)]
    start = PHASE
    # exposures over 12-01 .. 12-03 10:xx, none in the hour 2026-12-02 03:00
    for u in users:
        while True:
            t = start + timedelta(seconds=rnd.randrange(0, int(58.3 * 3600)))
            if not (t.date().isoformat() == "2026-12-02" and t.hour == 3):
                break
        ev.append(("base", u, t, "experiment_viewed", KEY, None))
        if rnd.random() < 0.3:  # seen again later: the first exposure counts
            ev.append(("base", u, t + timedelta(hours=rnd.randrange(1, 9)), "experiment_viewed",
                       KEY, None))
        for _ in range(rnd.randrange(0, 6)):
            dt = timedelta(seconds=rnd.randrange(-3 * 3600, 30 * 3600))
            if t + dt < T("2026-12-03 10:20:00"):
                ev.append(("base", u, t + dt, "app_open", None, None))
        if rnd.random() < 0.4:
            dt = timedelta(seconds=rnd.randrange(0, 20 * 3600))
            if t + dt < T("2026-12-03 10:20:00"):
                ev.append(("base", u, t + dt, "purchase", None, round(rnd.uniform(1, 50), 2)))
    # an hour boundary: exposed at 09:59:59, events at 10:00:00 and 09:59:58
    ev.append(("base", "b1", T("2026-12-03 09:59:59"), "experiment_viewed", KEY, None))
    ev.append(("base", "b1", T("2026-12-03 10:00:00"), "app_open", None, None))
    ev.append(("base", "b1", T("2026-12-03 09:59:58"), "app_open", None, None))  # before exposure
    ev.append(("base", "never", T("2026-12-02 12:00:00"), "app_open", None, None))  # not exposed
    ev.append(("base", None, T("2026-12-02 12:00:00"), "experiment_viewed", KEY, None))  # NULL user
    # late: within the intraday lookback (09:40, after the run at 10:20) and before it (05:30)
    ev.append(("late", "l1", T("2026-12-03 09:40:00"), "experiment_viewed", KEY, None))
    ev.append(("late", "l1", T("2026-12-03 09:45:00"), "purchase", None, 12.5))
    ev.append(("late", "b1", T("2026-12-03 09:50:00"), "app_open", None, None))
    ev.append(("late", "l2", T("2026-12-03 05:30:00"), "experiment_viewed", KEY, None))
    # more: the next hour
    ev.append(("more", "m1", T("2026-12-03 10:30:00"), "experiment_viewed", KEY, None))
    ev.append(("more", "m1", T("2026-12-03 11:05:00"), "app_open", None, None))
    ev.append(("more", "u01", T("2026-12-03 11:10:00"), "purchase", None, 3.25))
    return {i: e for i, e in enumerate(ev)}


def q(v):
    return "NULL" if v is None else "'%s'" % v


def sql(batch):
    out = []
    if batch == "base":
        out += ["CREATE DATABASE IF NOT EXISTS ods;", "DROP TABLE IF EXISTS ods.hr_events;",
                "CREATE TABLE ods.hr_events (id INT, user_id VARCHAR(32), event_time DATETIME,"
                " event_date DATE, event_name VARCHAR(64), exp_key VARCHAR(64),"
                " var_key VARCHAR(64), amount DOUBLE, KEY (event_date, event_time));"]
    rows = []
    for i, (b, u, t, n, k, a) in sorted(batches().items()):
        if b == batch:
            rows.append("(%d, %s, '%s', '%s', %s, %s, NULL, %s)" % (
                i, q(u), t.isoformat(" "), t.date().isoformat(), q(n), q(k),
                "NULL" if a is None else repr(a)))
    out.append("INSERT INTO ods.hr_events VALUES\n" + ",\n".join(rows) + ";")
    return "\n".join(out)


def hour_of(t):
    return t.replace(minute=0, second=0, microsecond=0)


def reference(names, through, skip=None):
    ev = [e for i, e in batches().items() if e[0] in names and i != skip]
    first = {}
    for b, u, t, n, k, a in ev:
        if n == "experiment_viewed" and u is not None and t >= PHASE:
            if u not in first or t < first[u]:
                first[u] = t
    hours = []
    h = PHASE
    while h <= through:
        hours.append(h)
        h += timedelta(hours=1)
    rows = {}
    for h in hours:
        for v, _ in VARS:
            for m in ("exposures", "cumulative_exposures", "active_units"):
                rows[(h, v, "", m)] = 0.0
            for m, meas in (("opens", "events"), ("revenue", "sum"), ("buyers", "events")):
                rows[(h, v, m, meas)] = 0.0
    active = {}
    for u, t in first.items():
        v, h = variation(u), hour_of(t)
        if h in [x for x in hours]:
            rows[(h, v, "", "exposures")] += 1
            active.setdefault((h, v), set()).add(u)
        for x in hours:
            if x + timedelta(hours=1) > t:
                rows[(x, v, "", "cumulative_exposures")] += 1
    for b, u, t, n, k, a in ev:
        if u not in first or t < first[u] or hour_of(t) > through:
            continue
        v, h = variation(u), hour_of(t)
        if n == "app_open":
            rows[(h, v, "opens", "events")] += 1
        elif n == "purchase":
            rows[(h, v, "revenue", "sum")] += a
            rows[(h, v, "buyers", "events")] += 1
        else:
            continue
        active.setdefault((h, v), set()).add(u)
    for (h, v), us in active.items():
        rows[(h, v, "", "active_units")] = float(len(us))
    for h in hours:
        obs = [rows[(h, v, "", "cumulative_exposures")] for v, _ in VARS]
        tot = sum(obs)
        p = None
        if tot > 0:
            p = float(chisquare(obs, [w * tot for _, w in VARS]).pvalue)
        rows[(h, "", "", "srm_p_value")] = p
    return rows


def read_dump(path):
    got = {}
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        # event_date hour tracking_key variation_key metric measure tag value
        assert f[2] == KEY and f[6] == "hourly", line
        v = None if f[7] == "NULL" else float(f[7])
        got[(T(f[1]), f[3], f[4], f[5])] = v
    return got


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check(dump, through, names, skip=None):
    want = reference(names.split(","), T(through + ":00:00"), skip)
    got = read_dump(dump)
    bad = 0
    for k in sorted(set(want) | set(got), key=lambda k: (k[0], k[1], k[2], k[3])):
        if k not in got:
            print("missing row %s (want %s)" % (k, want[k]), file=sys.stderr)
            bad += 1
        elif k not in want:
            print("extra row %s = %s" % (k, got[k]), file=sys.stderr)
            bad += 1
        elif not close(got[k], want[k]):
            print("row %s: got %s, want %s" % (k, got[k], want[k]), file=sys.stderr)
            bad += 1
        if bad > 10:
            break
    zero = (T("2026-12-02 03:00:00"), "ctl", "", "exposures")
    if zero in want and got.get(zero) != 0.0:
        print("the hour without exposures is not reported as 0", file=sys.stderr)
        bad += 1
    return bad == 0


def daily(dump, hourly_dump):
    got = read_dump(hourly_dump)
    per_day = {}
    for (h, v, m, meas), x in got.items():
        if meas == "exposures":
            per_day[(h.date().isoformat(), v)] = per_day.get((h.date().isoformat(), v), 0) + x
    users = {}
    for line in open(dump, encoding="utf-8"):
        d, v, n = line.rstrip("\n").split("\t")
        users[(d, v)] = float(n)
    bad = 0
    if not users:
        print("no daily rows", file=sys.stderr)
        return False
    for (d, v), n in sorted(users.items()):
        cum = sum(x for (dd, vv), x in per_day.items() if vv == v and dd <= d)
        today = per_day.get((d, v), 0)
        prev = users.get(((datetime.fromisoformat(d) - timedelta(days=1)).date().isoformat(), v), 0)
        if cum != n or today != n - prev:
            print("daily %s %s: users %s, sum of hourly exposures through it %s (that day %s, "
                  "daily difference %s)" % (d, v, n, cum, today, n - prev), file=sys.stderr)
            bad += 1
    return bad == 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "sql":
        print(sql(sys.argv[2]))
    elif cmd == "check":
        skip = None
        if len(sys.argv) > 5:
            skip = [i for i, e in batches().items() if e[1] == sys.argv[5]][0]
        sys.exit(0 if check(sys.argv[2], sys.argv[3], sys.argv[4], skip) else 1)
    elif cmd == "daily":
        sys.exit(0 if daily(sys.argv[2], sys.argv[3]) else 1)
    else:
        sys.exit("usage: hourly_ref.py sql|check|daily ...")
