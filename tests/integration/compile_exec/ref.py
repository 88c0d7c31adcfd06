#!/usr/bin/env python3
"""ref.py — the synthetic dataset and an independent reference computation
of the sufficient statistics, for tests/integration/compile_exec.sh.

  ref.py gen OUT.sql                      write the dataset as SQL (one statement per line)
  ref.py check PLAN.json TSVDIR FIRST LAST PHASE_START KEY=V0,V1 ...

`check` recomputes, from the raw rows in plain Python, every statistic the
compiled queries return (plan.json says which metric, kind, window, filter,
cap, CUPED covariate and segment each column belongs to) and compares them
with the TSV files the MariaDB run wrote.  Nothing here reads the generated
SQL: the definitions are the ones in docs/GENERATED.md.
"""
import datetime as dt
import json
import random
import sys
import zlib

D0 = dt.date(2024, 1, 1)
NDAYS = 14
NUSERS = 240
EVENTS = ["app_open", "crash", "session_end", "chat_message", "subscribe", "paywall_view",
          "trial_start", "ad_impression", "ad_click"]
KEYS = ["exp_main", "ads-banner-position"]


def dataset():
    rnd = random.Random(20240101)
    users, events, pays = [], [], []
    for i in range(NUSERS):
        uid = "u%04d" % i
        country = rnd.choice(["US", "DE", "BR", None]) if i % 17 else None
        platform = rnd.choice(["ios", "android", "web"])
        tier = rnd.choice(["free", "pro", None])
        users.append(dict(user_id=uid, signup_date=D0, country=country, platform=platform, tier=tier))
        act = rnd.random()
        for d in range(NDAYS):
            day = D0 + dt.timedelta(days=d)
            for name in EVENTS:
                lam = {"app_open": 2.0, "crash": 0.1, "session_end": 1.0, "chat_message": 1.2,
                       "subscribe": 0.03, "paywall_view": 0.3, "trial_start": 0.15,
                       "ad_impression": 1.5, "ad_click": 0.2}[name] * act
                n = 0
                while rnd.random() < lam / (lam + 1.0) and n < 6:
                    n += 1
                for _ in range(n):
                    t = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rnd.randrange(86400))
                    events.append(dict(user_id=uid, event_time=t, event_date=day, event_name=name,
                                       exp_key=None, var_key=None, country=country, platform=platform,
                                       session_seconds=round(rnd.expovariate(1 / 120.0), 1) if name == "session_end" else None,
                                       screen=rnd.choice(["chat", "home", "shop"]),
                                       ad_revenue=round(rnd.expovariate(50.0), 4) if name.startswith("ad_") else None))
            if rnd.random() < 0.08 * act:
                t = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rnd.randrange(86400))
                amt = round(rnd.expovariate(1 / 9.0), 2) if rnd.random() < 0.95 else 900.0
                pays.append(dict(user_id=uid, paid_at=t, pay_date=day, amount=amt, product="coins"))
        # exposures: most users once, some twice (same or another variation), some
        # before the phase, some to an unknown key or variation
        for key in KEYS:
            if rnd.random() < 0.15:
                continue
            d = rnd.randrange(1, NDAYS - 2)
            var = rnd.choice(["0", "1"])
            k = 1 + (rnd.random() < 0.25)
            for j in range(k):
                dd = min(NDAYS - 1, d + j * rnd.randrange(0, 3))
                day = D0 + dt.timedelta(days=dd)
                v = var if rnd.random() < 0.7 else rnd.choice(["0", "1", "9"])
                t = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rnd.randrange(86400))
                events.append(dict(user_id=uid, event_time=t, event_date=day, event_name="experiment_viewed",
                                   exp_key=key if rnd.random() > 0.03 else "exp_other", var_key=v,
                                   country=country, platform=platform, session_seconds=None,
                                   screen=rnd.choice(["chat", "home", "shop"]), ad_revenue=None))
    # properties: a JSON object made of the row's own values (no random draw)
    for e in events:
        e["properties"] = json.dumps({"opened": e["event_name"] == "app_open", "page": e["screen"],
                                      "device": e["platform"]}, ensure_ascii=False)
    return users, events, pays


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.datetime):
        return "'%s'" % v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return "'%s'" % v.isoformat()
    return "'%s'" % str(v).replace("'", "''")


def gen(path):
    users, events, pays = dataset()
    parts = ",\n".join("PARTITION p%s VALUES LESS THAN ('%s')" % (
        (D0 + dt.timedelta(days=i)).strftime("%Y%m%d"), (D0 + dt.timedelta(days=i + 1)).isoformat())
        for i in range(-30, NDAYS + 5))
    out = ["CREATE DATABASE IF NOT EXISTS ods",
           "CREATE TABLE ods.users (user_id VARCHAR(64), signup_date DATE, country VARCHAR(8), "
           "platform VARCHAR(16), tier VARCHAR(16)) CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
           "CREATE TABLE ods.app_events (user_id VARCHAR(64), event_time DATETIME, event_date DATE, "
           "event_name VARCHAR(64), exp_key VARCHAR(128), var_key VARCHAR(64), country VARCHAR(8), "
           "platform VARCHAR(16), session_seconds DOUBLE, screen VARCHAR(64), ad_revenue DOUBLE, "
           "properties TEXT, KEY idx_event_date_user (event_date, user_id)) "
           "CHARSET=utf8mb4 COLLATE=utf8mb4_bin PARTITION BY RANGE COLUMNS(event_date) (%s)" % parts,
           "CREATE TABLE ods.payments (user_id VARCHAR(64), paid_at DATETIME, pay_date DATE, "
           "amount DOUBLE, product VARCHAR(32), KEY idx_pay_date_user (pay_date, user_id)) "
           "CHARSET=utf8mb4 COLLATE=utf8mb4_bin PARTITION BY RANGE COLUMNS(pay_date) (%s)" % parts]
    for table, rows in (("users", users), ("app_events", events), ("payments", pays)):
        cols = list(rows[0].keys())
        for i in range(0, len(rows), 500):
            out.append("INSERT INTO ods.%s (%s) VALUES %s" % (table, ", ".join(cols), ", ".join(
                "(" + ", ".join(lit(r[c]) for c in cols) + ")" for r in rows[i:i + 500])))
    with open(path, "w") as f:
        for s in out:
            f.write(s + ";\n")


# ---- reference ---------------------------------------------------------------

def match(cond, row):
    if cond is None:
        return True
    if "and" in cond:
        return all(match(c, row) for c in cond["and"])
    if "or" in cond:
        return any(match(c, row) for c in cond["or"])
    if "not" in cond:
        r = match3(cond["not"], row)
        return r is False
    return match3(cond, row) is True


def json_at(text, path, as_type):
    """The value at a path of a JSON object (docs/LANGUAGE.md: NULL when
    missing, or when it is not of the type the path is read as)."""
    if text is None:
        return None
    v = json.loads(text)
    for k in path:
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    if as_type == "boolean":
        return v if isinstance(v, bool) else None
    if as_type == "number":
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if v is None or isinstance(v, (dict, list)):
        return None
    return v


def match3(cond, row):
    """SQL three-valued logic for a leaf (None = unknown)."""
    if "and" in cond or "or" in cond or "not" in cond:
        return match(cond, row)
    v = row.get(cond["column"])
    if "path" in cond:
        v = json_at(v, cond["path"], cond["as"])
    if "is_null" in cond:
        return (v is None) == cond["is_null"]
    if v is None:
        return None
    if "in" in cond:
        r = v in cond["in"]
        return (not r) if cond["negated"] else r
    x, op = cond["value"], cond["op"]
    return {"=": v == x, "<>": v != x, "<": v < x, "<=": v <= x, ">": v > x, ">=": v >= x}[op]


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    pos = p * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def check(plan_path, tsvdir, first, last, phase, exps):
    plan = json.load(open(plan_path))
    users, events, pays = dataset()
    first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    phase = dt.datetime.fromisoformat(phase)
    tables = {"app_events": events, "payments": pays, "users": users}
    src = {s["name"]: s for s in plan["sources"]}
    rows_of = {n: [r for r in tables[s["table"]] if match(s["where"], r)] for n, s in src.items()}
    userrow = {u["user_id"]: u for u in users}
    config = {}
    for e in exps:
        k, v = e.split("=")
        config[k] = v.split(",")
    hashes = {h["tracking_key"]: h for h in plan["experiments"]["hash_assignments"]}
    for k, h in hashes.items():
        config[k] = [v["key"] for v in h["variations"]]

    def variation(key, r):
        if key in hashes:
            h = hashes[key]
            b = zlib.crc32((h["salt"] + r["user_id"]).encode()) % 10000
            for v in h["variations"]:
                if v["buckets"][0] <= b < v["buckets"][1]:
                    return v["key"]
        return r[plan["exposure"]["variation_column"]]

    ex = plan["exposure"]
    es = src[ex["events"]["source"]]
    exposures = {}
    for r in rows_of[ex["events"]["source"]]:
        d = r[es["date"]]
        if not (first <= d <= last) or not match(ex["events"]["where"], r):
            continue
        key = r[ex["experiment_column"]]
        if key not in config or r[es["time"]] < phase:
            continue
        if plan["experiments"]["tracking_keys"] and key not in plan["experiments"]["tracking_keys"]:
            continue
        v = variation(key, r)
        if v not in config[key]:
            continue
        exposures.setdefault((key, r[es["user"]]), []).append((r[es["time"]], v, d, r))
    segs = plan["segments"]
    assign = {}
    for (key, uid), lst in exposures.items():
        lst.sort(key=lambda x: (x[0], x[1]))
        t, v, d, r = lst[0]
        segv = []
        for s in segs:
            if s["from"] == "exposure":
                segv.append(r[s["column"]])
            else:
                u = userrow.get(uid)
                segv.append(u[s["column"]] if u else None)
        # as of a date A, the unit was seen in several variations iff an
        # exposure dated <= A is to another variation than its first
        others = [x[2] for x in lst if x[1] != v]
        assign[(key, uid)] = dict(var=v, t0=t, day0=d, multi_day=min(others) if others else None,
                                  segs=segv)
    act = plan.get("activation")
    metrics = plan["metrics"]
    mi = {m["name"]: m for m in metrics}
    # activation (spec with activation: day 0 is the first activation at/after exposure)
    if "activation" in plan["exposure"]:
        a = plan["exposure"]["activation"]
        asrc = src[a["source"]]
        for (key, uid), u in assign.items():
            ts = [r for r in rows_of[a["source"]] if r[asrc["user"]] == uid and match(a["where"], r)
                  and first <= r[asrc["date"]] <= last and r[asrc["time"]] >= u["t0"]]
            if ts:
                best = min(ts, key=lambda r: r[asrc["time"]])
                u["t0"], u["day0"] = best[asrc["time"]], best[asrc["date"]]
            else:
                u["inactive"] = True
    by_user = {}
    for n, rows in rows_of.items():
        if src[n].get("date") is None:
            continue
        idx = {}
        for r in rows:
            idx.setdefault(r[src[n]["user"]], []).append(r)
        by_user[n] = idx
    used_sources = set()
    for m in metrics:
        if m["kind"] == "funnel":
            used_sources.update(s["source"] for s in m["steps"])
        elif m["kind"] != "ratio":
            used_sources.add(m["events"]["source"])
    # analysis dates: days with a wide-table row
    days = set()
    for (key, uid), u in assign.items():
        if u.get("inactive"):
            continue
        if first <= u["day0"] <= last:
            days.add(u["day0"])
        for n in used_sources:
            for r in by_user[n].get(uid, []):
                d = r[src[n]["date"]]
                if first <= d <= last and d >= u["day0"] and r[src[n]["time"]] >= u["t0"]:
                    days.add(d)
    excl = plan["exposure"]["multiple_variations"] == "exclude"
    units = {k: u for k, u in assign.items() if not u.get("inactive")}

    def in_win(m, ds):
        w = m["window"]
        return ds >= 0 if w["kind"] == "phase" else w["from_day"] <= ds <= w["to_day"]

    def post_rows(n, uid, u, A, where):
        s = src[n]
        return [r for r in by_user[n].get(uid, [])
                if u["day0"] <= r[s["date"]] <= A and r[s["date"]] >= first and r[s["date"]] <= last
                and r[s["time"]] >= u["t0"] and match(where, r)]

    def value(m, uid, u, A):
        out = {}
        if m["kind"] == "ratio":
            return out
        if m["kind"] == "funnel":
            firsts = []
            for st in m["steps"]:
                s = src[st["source"]]
                ts = [r[s["time"]] for r in post_rows(st["source"], uid, u, A, st["where"])
                      if in_win(m, (r[s["date"]] - u["day0"]).days)]
                firsts.append(min(ts) if ts else None)
            ok = True
            for k in range(len(firsts)):
                ok = ok and firsts[k] is not None and (k == 0 or firsts[k] >= firsts[k - 1])
                out["step_%d" % (k + 1)] = 1 if ok else 0
            out["v"] = out["step_%d" % len(firsts)]
            return out
        n = m["events"]["source"]
        s = src[n]
        rows = [r for r in post_rows(n, uid, u, A, m["events"]["where"])
                if in_win(m, (r[s["date"]] - u["day0"]).days)]
        col = m.get("value_column")
        k = m["kind"]
        if k in ("proportion", "retention"):
            out["v"] = 1 if rows else 0
        elif k == "count":
            out["v"] = len(rows)
        elif k in ("sum", "quantile"):
            out["v"] = sum(r[col] for r in rows if r[col] is not None)
        elif k == "mean":
            out["num"] = sum(r[col] for r in rows if r[col] is not None)
            out["den"] = len(rows)
        elif k == "active_days":
            out["v"] = len({r[s["date"]] for r in rows})
        elif k == "time_to_event":
            ds = [(r[s["date"]] - u["day0"]).days for r in rows]
            out["day"] = min(ds) if ds else None
            out["v"] = 1 if ds else 0
        if "cuped" in m:
            c = mi[m["cuped"]["covariate"]]
            cn = c["events"]["source"]
            cs = src[cn]
            pre = m["cuped"]["pre_days"]
            lo = u["day0"] - dt.timedelta(days=pre)
            prs = [r for r in by_user[cn].get(uid, []) if lo <= r[cs["date"]] < u["day0"]
                   and match(c["events"]["where"], r)]
            ck = c["kind"]
            if ck in ("proportion", "retention"):
                out["pre"] = 1 if prs else 0
            elif ck in ("sum", "mean"):
                out["pre"] = sum(r[c["value_column"]] for r in prs if r[c["value_column"]] is not None)
            elif ck == "active_days":
                out["pre"] = len({r[cs["date"]] for r in prs})
            else:
                out["pre"] = len(prs)
        return out

    expect_m, expect_q, expect_s = {}, {}, {}
    for A in sorted(days):
        vals = {}
        for (key, uid), u in units.items():
            if u["day0"] > A or (excl and u["multi_day"] is not None and u["multi_day"] <= A):
                continue
            vals[(key, uid)] = {m["name"]: value(m, uid, u, A) for m in metrics}
        for m in metrics:   # caps
            if "cap" not in m:
                continue
            for key in config:
                vs = [v[m["name"]]["v"] for (k, _), v in vals.items() if k == key]
                cap = m["cap"]["value"] if m["cap"]["kind"] == "absolute" else pct(vs, m["cap"]["value"])
                for (k, _), v in vals.items():
                    if k == key:
                        v[m["name"]]["v"] = min(v[m["name"]]["v"], cap)
                        v[m["name"]]["cap"] = cap
        groups = [("", None)] + [(s["name"], i) for i, s in enumerate(segs)]
        for (key, uid), v in vals.items():
            u = units[(key, uid)]
            for gname, gi in groups:
                sv = "" if gi is None else (u["segs"][gi] if u["segs"][gi] is not None else "(null)")
                dims = (A.isoformat(), key, u["var"], gname, str(sv))
                row = expect_m.setdefault(dims, {"units": 0})
                row["units"] += 1
                for m in metrics:
                    name, mv = m["name"], v[m["name"]]
                    def add(stat, x):
                        row[name + "__" + stat] = row.get(name + "__" + stat, 0) + x
                    if m["kind"] in ("ratio", "mean"):
                        if m["kind"] == "mean":
                            num, den = mv["num"], mv["den"]
                        else:
                            nm, dm = mi[m["numerator"]], mi[m["denominator"]]
                            num = v[nm["name"]]["num"] if nm["kind"] == "mean" else v[nm["name"]]["v"]
                            den = v[dm["name"]]["num"] if dm["kind"] == "mean" else v[dm["name"]]["v"]
                        for stat, x in (("n", 1), ("sum", num), ("sum_sq", num * num), ("den_sum", den),
                                        ("den_sum_sq", den * den), ("sum_den", num * den)):
                            add(stat, x)
                        continue
                    inc = True
                    if m["kind"] == "retention":
                        inc = (A - u["day0"]).days >= m["window"]["to_day"]
                    x = mv["v"] if inc else 0
                    add("n", 1 if inc else 0)
                    add("sum", x)
                    add("sum_sq", x * x)
                    if "cuped" in m:
                        p = mv["pre"] if inc else 0
                        add("pre_sum", p)
                        add("pre_sum_sq", p * p)
                        add("sum_pre", x * p)
                    if m["kind"] == "funnel":
                        for k in range(len(m["steps"])):
                            add("step_%d" % (k + 1), mv["step_%d" % (k + 1)])
                    if "cap" in m:
                        row[name + "__cap_value"] = mv["cap"]
                    if m["kind"] == "quantile":
                        qk = (name,) + dims + (round(mv["v"], 6),)
                        expect_q[qk] = expect_q.get(qk, 0) + 1
                    if m["kind"] == "time_to_event":
                        w = m["window"]
                        obs = (A - u["day0"]).days
                        day = mv["day"] if mv["day"] is not None else (
                            min(obs, w["to_day"]) if w["kind"] == "days" else obs)
                        sk = (name,) + dims + (day,)
                        e = expect_s.setdefault(sk, [0, 0])
                        e[0 if mv["day"] is not None else 1] += 1
    return plan, expect_m, expect_q, expect_s


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return head, [line.rstrip("\n").split("\t") for line in f if line.strip()]


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def pct_capped(m):
    return m.get("cap", {}).get("kind") == "percentile" and \
        m["kind"] not in ("ratio", "mean", "funnel", "time_to_event")


def units_moments(plan, step, head, rows):
    """A units step's rows (a row per unit and date, no order) added up into
    the moments of every cell, as abc adds them: the grouping a moments step
    would send; a percentile cap is the pooled percentile of the date's and
    experiment's non-NULL values, which the rows send uncapped.  Also the
    quantile metrics' values per unit cell, as the distribution rows count
    them (NULL as 0), and the time-to-event metrics' events and censored
    units per cell and day, as the survival rows count them."""
    mi = {m["name"]: m for m in plan["metrics"]}
    hx = {h: i for i, h in enumerate(head)}
    cols = [(c["name"], c["metric"], c["stat"]) for c in step["columns"] if "metric" in c]
    groups = [("", None)] + [(sg["name"], sg["assignment_column"]) for sg in plan["segments"]]
    def raw(r):
        return {(m, st): (None if r[hx[n]] == "\\N" else float(r[hx[n]])) for n, m, st in cols}
    pooled = {}
    for r in rows:
        per = raw(r)
        for m in plan["metrics"]:
            x = per.get((m["name"], "value"))
            if pct_capped(m) and x is not None:
                pooled.setdefault((r[hx["analysis_date"]], r[hx["tracking_key"]], m["name"]), []).append(x)
    caps = {k: pct(v, mi[k[2]]["cap"]["value"]) for k, v in pooled.items()}
    got, got_q, got_s = {}, {}, {}
    for r in rows:
        per = raw(r)
        for m in plan["metrics"]:
            x = per.get((m["name"], "value"))
            if pct_capped(m) and x is not None:
                per[(m["name"], "value")] = min(x, caps[(r[hx["analysis_date"]], r[hx["tracking_key"]],
                                                         m["name"])])
        def unit(m, st):
            x = per.get((m, st))
            return 0.0 if x is None else x
        obs = int(r[hx["days_observed"]])
        for m in plan["metrics"]:
            if m["kind"] == "quantile":
                for gname, slot in groups:
                    sv = "" if slot is None else r[hx[slot]]
                    k = (m["name"],) + tuple(r[hx[c]] for c in ("analysis_date", "tracking_key",
                                                                 "variation_key")) + (gname, sv)
                    k += (round(unit(m["name"], "value"), 6),)
                    got_q[k] = got_q.get(k, 0) + 1
            if m["kind"] == "time_to_event":
                w, d = m["window"], per.get((m["name"], "day"))
                day = int(d) if d is not None else (min(obs, w["to_day"]) if w["kind"] == "days" else obs)
                for gname, slot in groups:
                    sv = "" if slot is None else r[hx[slot]]
                    k = (m["name"],) + tuple(r[hx[c]] for c in ("analysis_date", "tracking_key",
                                                                 "variation_key")) + (gname, sv, day)
                    e = got_s.setdefault(k, [0, 0])
                    e[0 if d is not None else 1] += 1
        for gname, slot in groups:
            sv = "" if slot is None else r[hx[slot]]
            row = got.setdefault(tuple(r[hx[c]] for c in ("analysis_date", "tracking_key", "variation_key"))
                                 + (gname, sv), {"units": 0})
            row["units"] += 1
            for m in plan["metrics"]:
                name = m["name"]
                def add(stat, x):
                    row[name + "__" + stat] = row.get(name + "__" + stat, 0) + x
                if m["kind"] in ("ratio", "mean"):
                    if m["kind"] == "mean":
                        num, den = unit(name, "num"), unit(name, "den")
                    else:
                        nm, dm = mi[m["numerator"]], mi[m["denominator"]]
                        num = unit(nm["name"], "num" if nm["kind"] == "mean" else "value")
                        den = unit(dm["name"], "num" if dm["kind"] == "mean" else "value")
                    for stat, x in (("n", 1), ("sum", num), ("sum_sq", num * num), ("den_sum", den),
                                    ("den_sum_sq", den * den), ("sum_den", num * den)):
                        add(stat, x)
                    continue
                inc = m["kind"] != "retention" or m["window"]["kind"] != "days" or \
                    obs >= m["window"]["to_day"]
                x = unit(name, "value") if inc else 0
                add("n", 1 if inc else 0)
                add("sum", x)
                add("sum_sq", x * x)
                if "cuped" in m:
                    pr = unit(name, "pre") if inc else 0
                    add("pre_sum", pr)
                    add("pre_sum_sq", pr * pr)
                    add("sum_pre", x * pr)
                if m["kind"] == "funnel":
                    for k in range(len(m["steps"])):
                        add("step_%d" % (k + 1), unit(name, "step_%d" % (k + 1)))
                if "cap" in m:
                    c = m["cap"]["value"] if m["cap"]["kind"] == "absolute" else caps.get(
                        (r[hx["analysis_date"]], r[hx["tracking_key"]], name))
                    if c is not None:
                        row[name + "__cap_value"] = max(row.get(name + "__cap_value", c), c)
    return got, got_q, got_s


def compare(plan_path, tsvdir, *args):
    plan, em, eq, es = check(plan_path, tsvdir, *args)
    bad = 0
    nvals = 0
    for step in plan["steps"]:
        if step["kind"] != "stats":
            continue
        head, rows = read_tsv("%s/%s.tsv" % (tsvdir, step["name"]))
        if step["shape"] in ("moments", "units"):
            if step["shape"] == "units":
                got, got_q, got_s = units_moments(plan, step, head, rows)
                for kind, gotx, refx in (("quantile", got_q, eq), ("time_to_event", got_s, es)):
                    for name in sorted(m["name"] for m in plan["metrics"] if m["kind"] == kind):
                        ref = {k[1:]: tuple(v) if isinstance(v, list) else v
                               for k, v in refx.items() if k[0] == name}
                        gx = {k[1:]: tuple(v) if isinstance(v, list) else v
                              for k, v in gotx.items() if k[0] == name}
                        nvals += len(gx)
                        if gx != ref or not gx:
                            print("%s %s: %d rows, %d reference ones; first differences %s" % (
                                step["name"], name, len(gx), len(ref),
                                sorted(set(gx.items()) ^ set(ref.items()))[:3]))
                            bad += 1
            else:
                got = {tuple(r[:5]): dict(zip(head[5:], r[5:])) for r in rows}
            if set(got) != set(em):
                print("moments: row keys differ: only SQL %s, only reference %s" % (
                    sorted(set(got) - set(em))[:3], sorted(set(em) - set(got))[:3]))
                bad += 1
            for k in sorted(set(got) & set(em)):
                for col, v in got[k].items():
                    exp = em[k].get(col, 0)
                    nvals += 1
                    if v == "\\N" or not close(float(v), float(exp)):
                        if bad < 20:
                            print("moments %s %s: SQL %s, reference %s" % (k, col, v, exp))
                        bad += 1
        else:
            name = step["metric"]
            ref = {k[1:]: v for k, v in (eq if step["shape"] == "distribution" else es).items() if k[0] == name}
            got = {}
            segs = [(sg["name"], head.index(sg["assignment_column"])) for sg in plan["segments"]] \
                if step["shape"] == "distribution" else []
            for r in rows:
                if step["shape"] == "distribution":
                    # one row per unit cell (date, experiment, variation, segment
                    # slots): it counts for all users and for each segment's value
                    x, n = round(float(r[head.index("value")]), 6), int(r[head.index("units")])
                    for g in [("", "")] + [(name, r[i]) for name, i in segs]:
                        k = tuple(r[:3]) + g + (x,)
                        got[k] = got.get(k, 0) + n
                else:
                    got[tuple(r[:5]) + (int(r[5]),)] = [int(r[6]), int(r[7])]
            nvals += len(got)
            if got != ref:
                diff = sorted(set(got.items()) ^ set((k, tuple(v) if isinstance(v, list) else v) for k, v in ref.items()) if step["shape"] == "distribution" else [])[:3]
                print("%s: %d SQL rows, %d reference rows differ %s" % (step["name"], len(got), len(ref), diff))
                for k in sorted(set(got) | set(ref))[:200]:
                    if got.get(k) != ref.get(k) and bad < 20:
                        print("   ", k, "SQL", got.get(k), "reference", ref.get(k))
                        bad += 1
                bad += 1
    print("%s: %d values compared, %d mismatches" % (plan["tag"], nvals, bad))
    return 1 if bad or nvals == 0 else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        sys.exit(compare(*sys.argv[2:7], sys.argv[7:]))
