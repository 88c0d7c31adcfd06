#!/usr/bin/env python3
"""scenario.py SRC OUT_SYNTH OUT_RUN — the browser test's GrowthBook snapshots.

From examples/growthbook-snapshot.json: a 5-arm experiment tagged subscribe
(sub-price-ladder, equal weights), and, in the run's snapshot only, an
experiment tagged recharge that synth exposes nobody to (rch-ghost-offer:
a data-quality failure, no exposed units).
"""
import copy
import json
import sys

src, out_synth, out_run = sys.argv[1:4]
snap = json.load(open(src))
exps = snap["experiments"]
base = next(e for e in exps if e["trackingKey"] == "sub-paywall-annual-first")

five = copy.deepcopy(base)
five["id"] = "exp_price_ladder5"
five["trackingKey"] = five["settings"]["experimentId"] = "sub-price-ladder"
five["name"] = "Price ladder: five price points <b>&amp; \"quotes\"</b>"
names = ["Current price", "Price −10%", "Price +10%", "Price +20%", "Price −20% with a long name for narrow screens"]
five["variations"] = [{"variationId": "var_pl_%d" % i, "key": str(i), "name": n, "description": "",
                       "screenshots": []} for i, n in enumerate(names)]
five["phases"][-1]["seed"] = "sub-price-ladder"
five["phases"][-1]["trafficSplit"] = [{"variationId": "var_pl_%d" % i, "weight": 0.2} for i in range(5)]
exps.append(five)

json.dump(snap, open(out_synth, "w"), indent=1)

ghost = copy.deepcopy(next(e for e in exps if e["trackingKey"] == "rch-bonus-coins-tiers"))
ghost["id"] = "exp_ghost_offer"
ghost["trackingKey"] = ghost["settings"]["experimentId"] = "rch-ghost-offer"
ghost["name"] = "Ghost offer (never exposed)"
for p in ghost["phases"]:
    p["seed"] = "rch-ghost-offer"
exps.append(ghost)
snap["count"] = snap["total"] = len(exps)
json.dump(snap, open(out_run, "w"), indent=1)
