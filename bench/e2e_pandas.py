#!/usr/bin/python3
"""bench/e2e_pandas.py — the straightforward analyst pipeline that bench/e2e.sh
times against `abc run`: the same tag (specs/retention.ab), the same raw
tables, the same MariaDB server, one analysis date.

    /usr/bin/python3 bench/e2e_pandas.py --socket SOCK --snapshot FILE --date 2026-10-28

Reads ods.app_events (exposures, app opens) and ods.payments from the server
with pymysql into pandas, and per experiment of the tag 'retention' (latest
GrowthBook phase, as abc resolves it):

  * units: each user's first `experiment_viewed` inside the phase; users seen
    in more than one variation are excluded (the spec's `multiple exclude`);
  * d1_retained: an app_open on the calendar day after the exposure day
    (units exposed before the analysis date);
  * opens_7d: app_opens from the exposure on, exposure-relative days 0..6;
  * revenue_7d: payments in days 0..6, capped at the pooled per-experiment p99;
  * a Welch t-test (scipy.stats.ttest_ind, equal_var=False) of each non-control
    variation against the control, per metric, plus the relative effect.

No CUPED, no segments, no Bayesian/sequential methods, one analysis date:
a deliberately smaller job than abc's (see bench/RESULTS.md).  Prints the
results, then `pandas_seconds: T` (wall time from connect to the last test)
and `read_seconds: T` (of which reading the tables).
"""
import argparse
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy")

import numpy as np
import pandas as pd
import pymysql
from scipy import stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--user", default="root")
    ap.add_argument("--snapshot", required=True)
    ap.add_argument("--tag", default="retention")
    ap.add_argument("--date", required=True, help="analysis date (last event date)")
    a = ap.parse_args()

    t0 = time.perf_counter()
    # experiments of the tag: latest phase of each (same rule as abc)
    snap = json.load(open(a.snapshot))
    exps = {}
    for e in snap["experiments"]:
        if a.tag not in [t.lower() for t in e.get("tags", [])] or e.get("status") != "running":
            continue
        if not e.get("phases"):
            continue
        ph = e["phases"][-1]
        start = pd.Timestamp(ph["dateStarted"]).tz_localize(None)
        end = pd.Timestamp(ph["dateEnded"]).tz_localize(None) if ph.get("dateEnded") else None
        exps[e["trackingKey"]] = (start, end, [v["key"] for v in e["variations"]])

    conn = pymysql.connect(unix_socket=a.socket, user=a.user, database="ods")
    keys = ", ".join(conn.escape(k) for k in exps)
    day = conn.escape(a.date)
    expo = pd.read_sql(
        "SELECT user_id, exp_key, var_key, event_time FROM app_events "
        f"WHERE event_name = 'experiment_viewed' AND exp_key IN ({keys}) AND event_date <= {day}",
        conn)
    opens = pd.read_sql(
        "SELECT user_id, event_time, event_date FROM app_events "
        f"WHERE event_name = 'app_open' AND event_date <= {day}", conn)
    pays = pd.read_sql(
        f"SELECT user_id, paid_at, pay_date, amount FROM payments WHERE pay_date <= {day}", conn)
    conn.close()
    t_read = time.perf_counter() - t0

    analysis = pd.Timestamp(a.date)
    opens["event_date"] = pd.to_datetime(opens["event_date"])
    pays["pay_date"] = pd.to_datetime(pays["pay_date"])
    rows = []
    for key, (start, end, variations) in exps.items():
        x = expo[(expo.exp_key == key) & (expo.event_time >= start)]
        if end is not None:
            x = x[x.event_time < end]
        x = x[x.var_key.isin(variations)]
        nvar = x.groupby("user_id").var_key.nunique()
        x = x.sort_values(["event_time", "var_key"]).drop_duplicates("user_id")
        x = x[x.user_id.map(nvar) == 1]
        units = x.rename(columns={"event_time": "t0", "var_key": "variation"})[["user_id", "variation", "t0"]]
        units["d0"] = units.t0.dt.normalize()

        o = opens.merge(units, on="user_id")
        o = o[o.event_time >= o.t0]
        if end is not None:
            o = o[o.event_time < end]
        o["dse"] = (o.event_date - o.d0).dt.days
        d1 = o[o.dse == 1].groupby("user_id").size().gt(0)
        o7 = o[o.dse.between(0, 6)].groupby("user_id").size()

        p = pays.merge(units, on="user_id")
        p = p[p.paid_at >= p.t0]
        if end is not None:
            p = p[p.paid_at < end]
        p["dse"] = (p.pay_date - p.d0).dt.days
        r7 = p[p.dse.between(0, 6)].groupby("user_id").amount.sum()

        u = units.set_index("user_id")
        u["d1_retained"] = d1.reindex(u.index, fill_value=False).astype(float)
        u["opens_7d"] = o7.reindex(u.index, fill_value=0).astype(float)
        u["revenue_7d"] = r7.reindex(u.index, fill_value=0.0)
        u["revenue_7d"] = u.revenue_7d.clip(upper=u.revenue_7d.quantile(0.99))
        observed1 = u.d0 <= analysis - pd.Timedelta(days=1)

        control = variations[0]
        for metric in ("d1_retained", "opens_7d", "revenue_7d"):
            m = u[observed1] if metric == "d1_retained" else u
            c = m.loc[m.variation == control, metric].to_numpy()
            for v in variations[1:]:
                t = m.loc[m.variation == v, metric].to_numpy()
                res = stats.ttest_ind(t, c, equal_var=False)
                rel = t.mean() / c.mean() - 1 if c.mean() else float("nan")
                rows.append((key, v, metric, len(c), len(t), c.mean(), t.mean(), rel, res.pvalue))
    total = time.perf_counter() - t0

    print(f"{'experiment':26} {'var':>3} {'metric':12} {'n_c':>7} {'n_t':>7} "
          f"{'mean_c':>9} {'mean_t':>9} {'rel':>8} {'p':>8}")
    for r in rows:
        print(f"{r[0]:26} {r[1]:>3} {r[2]:12} {r[3]:7d} {r[4]:7d} {r[5]:9.4f} {r[6]:9.4f} "
              f"{r[7]:+8.2%} {r[8]:8.4f}")
    print(f"rows read: {len(expo)} exposures, {len(opens)} app_opens, {len(pays)} payments")
    print(f"read_seconds: {t_read:.3f}")
    print(f"pandas_seconds: {total:.3f}")


if __name__ == "__main__":
    sys.exit(main())
