#!/usr/bin/env python3
"""check.py PROBE.json WIDTH TAG SNAPSHOT [growth] — the DOM checks of one
results page as laid out by the browser (probe.js findings); with `growth`
(the tag's spec has an activity block) the growth charts must be there,
without it they must not.  Exit 1 with the reasons."""
import json
import sys

probe_path, width, tag, snap_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
growth = sys.argv[5:6] == ["growth"]
p = json.load(open(probe_path))
snap = json.load(open(snap_path))
bad = []


def check(cond, what):
    if not cond:
        bad.append(what)


check(p["width"] == width, "viewport %s px, expected %d" % (p["width"], width))
check(not p["errors"], "console/load errors: %r" % p["errors"][:3])
check(p["viewportMeta"], "no viewport meta")
check(not p["external"], "external resources: %r" % p["external"][:3])
check(p["scrollWidth"] <= p["width"], "horizontal overflow: page %d px wide in a %d px viewport; %r"
      % (p["scrollWidth"], p["width"], p["overflowing"][:5]))
check(tag in p["title"], "title %r lacks the tag" % p["title"])

want = {e["trackingKey"] for e in snap["experiments"] if tag in e.get("tags", [])}
have = {e["key"]: e for e in p["experiments"]}
check(want <= set(have), "experiments missing: %r" % sorted(want - set(have)))

VERDICTS = {"ship", "do not ship", "keep running", "invalid"}
for key, e in have.items():
    check(e["verdict"] in VERDICTS, "%s: verdict %r" % (key, e["verdict"]))
    check(e["health"] in ("ok", "fail"), "%s: no health banner" % key)
    check(e["healthVisible"], "%s: health banner not visible" % key)
    check(0 <= e["order"]["verdict"] < e["order"]["health"] < e["order"]["firstRole"],
          "%s: verdict and health are not at the top (%r)" % (key, e["order"]))
    check(all(v["verdict"] in VERDICTS and v["name"] and v["name"] in v["text"] for v in e["variations"]),
          "%s: a variation without a verdict by name: %r" % (key, e["variations"]))
    if e["health"] == "fail":
        check(e["healthRole"] == "alert", "%s: failed health banner is not role=alert" % key)
        check(e["verdict"] in ("invalid", "do not ship", "keep running", "ship"), key)
    if e["health"] == "ok" or e["verdict"] != "invalid":
        check(e["metrics"] > 0 and e["charts"] == 2 * e["metrics"],
              "%s: %d metrics, %d charts (a forest and a trend each)" % (key, e["metrics"], e["charts"]))
    roles = e["roles"]
    order = ["goal", "secondary", "guardrail"]
    check(roles == sorted(roles, key=order.index), "%s: roles out of order %r" % (key, roles))

# the planted faults
snap_vars = {e["trackingKey"]: e["variations"] for e in snap["experiments"]}
if "ad-interstitial-frequency" in have:
    e = have["ad-interstitial-frequency"]
    check(e["health"] == "fail" and e["srm"] == "1" and e["verdict"] == "invalid",
          "SRM experiment: health %r srm %r verdict %r" % (e["health"], e["srm"], e["verdict"]))
    check("Sample ratio mismatch" in e["healthText"] and "expected" in e["healthText"]
          and "observed" in e["healthText"] and "p < 0.001" in e["healthText"], "SRM banner text: %r" % e["healthText"][:300])
    check(all(v["verdict"] == "invalid" for v in e["variations"]), "SRM: variation verdicts %r" % e["variations"])
if "rch-ghost-offer" in have:
    e = have["rch-ghost-offer"]
    check(e["health"] == "fail" and e["dq"] == "1" and e["verdict"] == "invalid",
          "data-quality experiment: %r %r %r" % (e["health"], e["dq"], e["verdict"]))
    check("no exposed units" in e["healthText"], "data-quality banner: %r" % e["healthText"][:200])
if "eng-feed-autoplay" in have:
    e = have["eng-feed-autoplay"]
    check(e["health"] == "fail" and e["guardrail"] not in (None, "0") and "crash_rate" in e["healthText"],
          "guardrail breach: %r %r %r" % (e["health"], e["guardrail"], e["healthText"][:200]))
    check(e["verdict"] == "do not ship", "guardrail breach: verdict %r" % e["verdict"])
if "sub-price-ladder" in have:
    e = have["sub-price-ladder"]
    names = [v["name"] for v in snap_vars["sub-price-ladder"][1:]]
    check([v["name"] for v in e["variations"]] == names, "5 arms: %r" % [v["name"] for v in e["variations"]])
for key, e in have.items():
    if e["verdict"] == "ship":
        check(any(v["verdict"] == "ship" for v in e["variations"]), "%s: ship without a variation" % key)

for i, c in enumerate(p["charts"]):
    where = "chart %d (%s, %s)" % (i, c["cls"], c["title"][:40])
    check(c["axes"] >= 1 and c["ticks"] >= 2 and c["tickLabels"] >= 2, "%s: axis %r" % (where, c))
    check(c["axisTitle"] and all(t.strip() for t in c["axisTitle"]), "%s: no axis title" % where)
    check(c["role"] == "img" and c["labelledby"] and c["title"] and c["desc"], "%s: no text alternative" % where)
    check(0 < c["width"] <= c["boxWidth"] + 1 and c["right"] <= width + 1,
          "%s: %d px wide in a %d px box" % (where, c["width"], c["boxWidth"]))
# growth analytics
g = p["growth"]
if not growth:
    check(g["sections"] == 0 and not g["lines"] and not g["bars"] and not g["heatmaps"],
          "growth charts on a page without activity data: %r" % {k: len(v) if isinstance(v, list) else v for k, v in g.items()})
else:
    check(g["sections"] == 1, "no growth section")
    check(len(g["lines"]) >= 1 and all(all(l.get(m, 0) >= 7 for m in ("dau", "wau_rolling", "mau_rolling"))
                                       for l in g["lines"]),
          "DAU / rolling WAU / MAU lines: %r" % g["lines"])
    kinds = sorted(b["cls"] for b in g["bars"])
    check(any("growth-week" in k for k in kinds) and any("growth-month" in k for k in kinds),
          "growth bars per week and per month: %r" % kinds)
    for b in g["bars"]:
        z = b["zeroTop"]
        churned = [r for r in b["rects"] if r["measure"] == "churned" and r["value"] > 0]
        up = [r for r in b["rects"] if r["measure"] != "churned" and r["value"] > 0]
        check(z is not None and churned and up, "%s: no zero line, churned or stacked bars" % b["cls"])
        if z is None:
            continue
        check(all(r["top"] >= z - 1 and r["height"] > 0 for r in churned),
              "%s: a churned bar above the zero line (zero at %.1f): %r" % (b["cls"], z, churned[:3]))
        check(all(r["bottom"] <= z + 1 and r["height"] > 0 for r in up),
              "%s: a new/retained/resurrected bar below the zero line: %r" % (b["cls"], up[:3]))
    hm = [h for h in g["heatmaps"] if "growth-cohorts-week" in h["cls"]]
    check(hm and len(hm[0]["cells"]) >= 6, "weekly retention heatmap: %r" % [len(h["cells"]) for h in g["heatmaps"]])
    for h in hm:
        check(all(c["text"] == "%.0f" % (c["ratio"] * 100) and c["w"] > 0 for c in h["cells"]),
              "heatmap cells without their number: %r" % h["cells"][:3])
        check(all(c["ratio"] == 1 for c in h["cells"] if c["k"] == 0), "k = 0 cells are not 100%")
        op = [(c["ratio"], c["opacity"]) for c in h["cells"]]
        check(all(o1 <= o2 for (r1, o1) in op for (r2, o2) in op if r1 < r2), "colour not by ratio")
check(p["detailsOpen"] == 0, "%d segment breakdowns open by default" % p["detailsOpen"])

if bad:
    print("\n".join("  " + b for b in bad), file=sys.stderr)
    sys.exit(1)
