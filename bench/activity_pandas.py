#!/usr/bin/env python3
"""activity_pandas.py — the growth analytics of specs/retention.ab's activity
block (active: app_open events; all users, no breakdown) computed by a
straightforward pandas pipeline over ods.app_events (read with the mariadb
client), for bench/activity.sh:
DAU, rolling 7- and 28-day distinct users per day, weekly and monthly active
users with new / retained / resurrected / churned, and the weekly and
monthly retention triangles, from the whole history (what a full build
computes).  Prints the number of report cells and pandas_seconds (reading
the table included).

  activity_pandas.py --socket SOCK --through YYYY-MM-DD
"""
import argparse
import io
import subprocess
import time

import pandas as pd


def growth(act, first, grain):
    per = act.assign(p=act.d.dt.to_period(grain)).drop_duplicates(["p", "u"])
    sets = per.groupby("p").u.apply(set)
    rows = []
    for p in sets.index:
        cur, prv = sets[p], sets.get(p - 1, set())
        fp = first.reindex(list(cur)).dt.to_period(grain)
        new = int((fp == p).sum())
        rows.append((p, len(cur), new, len(cur & prv), len(cur - prv) - new, len(prv - cur)))
    return pd.DataFrame(rows, columns=["p", "active", "new", "retained", "resurrected", "churned"])


def cohorts(act, first, grain):
    per = act.assign(p=act.d.dt.to_period(grain)).drop_duplicates(["p", "u"])
    per["c"] = first.reindex(per.u.values).dt.to_period(grain).values
    size = first.dt.to_period(grain).value_counts()
    cells = per.groupby(["c", "p"]).size().rename("active").reset_index()
    cells["size"] = cells.c.map(size)
    cells["ratio"] = cells.active / cells["size"]
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--through", required=True)
    a = ap.parse_args()
    t0 = time.time()
    # the mariadb client's batch output (tab-separated): no driver needed
    q = ("SELECT DISTINCT user_id AS u, event_date AS d FROM ods.app_events "
         "WHERE event_name = 'app_open' AND user_id IS NOT NULL AND event_date <= '%s'"
         % pd.Timestamp(a.through).date())
    out = subprocess.run(["mariadb", "--no-defaults", "-S", a.socket, "-u", "root", "-B", "-e", q],
                         check=True, capture_output=True, text=True).stdout
    act = pd.read_csv(io.StringIO(out), sep="\t", dtype={"u": str})
    act["d"] = pd.to_datetime(act.d)
    first = act.groupby("u").d.min()
    days = pd.date_range(act.d.min(), act.d.max())
    dau = act.groupby("d").u.nunique().reindex(days, fill_value=0)
    roll = {}
    for w in (7, 28):
        roll[w] = pd.Series([act.u[(act.d > e - pd.Timedelta(days=w)) & (act.d <= e)].nunique()
                             for e in days], index=days)
    week, month = growth(act, first, "W-SUN"), growth(act, first, "M")
    cw, cm = cohorts(act, first, "W-SUN"), cohorts(act, first, "M")
    cells = len(dau) * 4 + (len(week) + len(month)) * 6 + len(cw) + len(cm)
    print("users: %d, active user-days: %d, days: %d" % (act.u.nunique(), len(act), len(days)))
    print("report cells: %d (last day: dau %d, wau_rolling %d, mau_rolling %d)"
          % (cells, dau.iloc[-1], roll[7].iloc[-1], roll[28].iloc[-1]))
    print("pandas_seconds: %.2f" % (time.time() - t0))


if __name__ == "__main__":
    main()
