"""properties.py — every published report row agrees with itself.

    python3 properties.py check PLAN_DIR TABLE.tsv...   exit 1 on any violation
    python3 properties.py selftest PLAN_DIR TABLE.tsv... exit 1 unless each
        planted fault (one per rule) is caught

TABLE.tsv: `mariadb --batch` output (header row, NULL as the text NULL) of a
report, daily or dashboard table.  PLAN_DIR holds <tag>/mariadb/plan.json.
The rules are docs/STATS.md "Decisions" and "Analysis policy", re-implemented
here from the documentation, independently of the C code:
  R1 the effect (on the effect_type scale) lies inside [ci_low, ci_high]
  R2 two-sided intervals are centred on the effect
  R3 p_value < alpha exactly when the interval excludes 0 (same test)
  R4 significant == (p_value_adjusted < alpha)
  R5 decision (and bayes_decision) follow the documented rule
  R6 methods == plan.json's methods of the metric; test == plan's test
  R7 a labelled extra column is filled only when its method is listed
  R8 quantile and time_to rows: effect, interval and p recomputed from the
     arms' published values and intervals (arm SE = interval half-width / z)
"""
import copy, csv, glob, json, math, os, sys
from statistics import NormalDist

csv.field_size_limit(1 << 30)


def num(v):
    return None if v in (None, "NULL", "") else float(v)


def load_plans(d):
    plans = {}
    for f in glob.glob(os.path.join(d, "*", "mariadb", "plan.json")):
        p = json.load(open(f))
        plans[p["tag"]] = p
    return plans


def load_rows(files):
    rows = []
    for f in files:
        with open(f, newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                r["_table"] = os.path.basename(f)
                rows.append(r)
    return rows


EXTRAS = {"chance_to_win": "bayes", "ztest_p_value": "ztest", "impact": "uplift",
          "mannwhitney_p_value": "mannwhitney", "bootstrap_effect": "bootstrap",
          "did_effect": "did", "logrank_p_value": "logrank", "km_median": "kaplan_meier"}


def bayes_verdict(ctw, alpha):
    if ctw is None:
        return None
    return "winner" if ctw >= 1 - alpha else "loser" if ctw <= alpha else "inconclusive"


CONTROLS = {}


def index_controls(rows):
    for r in rows:
        if r["is_control"] == "1":
            CONTROLS[(r["_table"], r["tag"], r["tracking_key"], r["metric"], r["segment"],
                      r["segment_value"], r["analysis_date"])] = r


def estimate_rule(row, ctl, alpha):
    """R8 for quantile_z / rmst_z rows, two-sided."""
    z = NormalDist().inv_cdf(1 - alpha / 2)
    ma, la, ha = num(ctl["mean"]), num(ctl["value_low"]), num(ctl["value_high"])
    mb, lb, hb = num(row["mean"]), num(row["value_low"]), num(row["value_high"])
    if None in (ma, la, ha, mb, lb, hb):
        return []
    sa, sb = (ha - la) / (2 * z), (hb - lb) / (2 * z)
    out = []
    d = mb - ma
    if num(row["abs_effect"]) is not None and abs(num(row["abs_effect"]) - d) > 1e-9 * max(1, abs(d)):
        out.append("R8 abs_effect %s != %g - %g" % (row["abs_effect"], mb, ma))
    if row["effect_type"] == "relative":
        if ma == 0:
            return out
        eff, se = d / abs(ma), math.sqrt(sb * sb / ma ** 2 + sa * sa * mb * mb / ma ** 4)
    else:
        eff, se = d, math.sqrt(sa * sa + sb * sb)
    lo, hi, p = num(row["ci_low"]), num(row["ci_high"]), num(row["p_value"])
    if se > 0 and None not in (lo, hi, p):
        tol = 1e-6 * max(1.0, abs(eff), se)
        if abs(lo - (eff - z * se)) > tol or abs(hi - (eff + z * se)) > tol:
            out.append("R8 interval [%g, %g], recomputed [%g, %g]" % (lo, hi, eff - z * se, eff + z * se))
        want = math.erfc(abs(eff) / se / math.sqrt(2))
        if abs(p - want) > 1e-6 * max(want, 1e-12) + 1e-12:
            out.append("R8 p %g, recomputed %g" % (p, want))
    return out


def violations(row, plans):
    out = []
    plan = plans.get(row["tag"])
    if plan is None:
        return ["no plan.json for tag %s" % row["tag"]]
    alpha = plan["analysis"]["alpha"]
    two_sided = not plan["analysis"]["one_sided"]
    metric = next((m for m in plan["metrics"] if m["name"] == row["metric"]), None)
    if metric is None:
        return ["metric %s not in plan" % row["metric"]]
    methods = metric["methods"]
    if row["methods"] != ",".join(methods):
        out.append("R6 methods %r != plan %r" % (row["methods"], methods))
    if row["test"] != metric["test"]:
        out.append("R6 test %r != plan %r" % (row["test"], metric["test"]))
    for col, meth in EXTRAS.items():
        if num(row.get(col)) is not None and meth not in methods:
            out.append("R7 %s filled without method %s" % (col, meth))
    if row["is_control"] == "1":
        return out
    eff = num(row["rel_effect"] if row["effect_type"] == "relative" else row["abs_effect"])
    lo, hi, p, padj = num(row["ci_low"]), num(row["ci_high"]), num(row["p_value"]), num(row["p_value_adjusted"])
    if eff is not None and (lo is not None or hi is not None):
        tol = 1e-9 * max(1.0, abs(eff))
        if (lo is not None and eff < lo - tol) or (hi is not None and eff > hi + tol):
            out.append("R1 effect %g outside [%s, %s]" % (eff, lo, hi))
        if two_sided and lo is not None and hi is not None:
            if abs((lo + hi) / 2 - eff) > 1e-9 * max(1.0, abs(eff), hi - lo):
                out.append("R2 interval [%g, %g] not centred on %g" % (lo, hi, eff))
    if p is not None and (lo is not None or hi is not None) and abs(p - alpha) > 1e-9:
        excludes = (lo is not None and lo > 0) or (hi is not None and hi < 0)
        if (p < alpha) != excludes:
            out.append("R3 p %g vs interval [%s, %s]" % (p, lo, hi))
    if row["test"] in ("quantile_z", "rmst_z") and two_sided:
        ctl = CONTROLS.get((row["_table"], row["tag"], row["tracking_key"], row["metric"], row["segment"],
                            row["segment_value"], row["analysis_date"]))
        if ctl is not None:
            out += estimate_rule(row, ctl, alpha)
    sig = padj is not None and padj < alpha
    if row["significant"] not in ("NULL", str(int(sig))):
        out.append("R4 significant %s but p_adj %s" % (row["significant"], padj))
    # R5: the decision rule
    flags = (row.get("flags") or "NULL").split(",")
    ctw = num(row["chance_to_win"])
    if "srm" in flags or "data_quality" in flags:
        want, want_b = "invalid", None
    elif metric["decision_basis"] == "bayesian":
        want, want_b = bayes_verdict(ctw, alpha) or "inconclusive", None
    else:
        if eff is None:
            eff = num(row["abs_effect"])
        better = eff is not None and (eff < 0 if row["direction"] == "lower" else eff > 0)
        want = ("winner" if better else "loser") if sig and eff is not None else "inconclusive"
        b = bayes_verdict(ctw, alpha) if "bayes" in methods else None
        want_b = b if b is not None and b != want else None
    if row["decision"] != want:
        out.append("R5 decision %s, rule says %s" % (row["decision"], want))
    got_b = None if row["bayes_decision"] == "NULL" else row["bayes_decision"]
    if got_b != want_b:
        out.append("R5 bayes_decision %s, rule says %s" % (got_b, want_b))
    return out


def check(plans, rows):
    bad = 0
    for r in rows:
        for v in violations(r, plans):
            bad += 1
            if bad <= 20:
                print("%s %s/%s/%s/%s %s [%s=%s]: %s" % (r["_table"], r["tag"], r["tracking_key"], r["metric"],
                      r["variation_key"], r["analysis_date"], r["segment"], r["segment_value"], v))
    return bad


def selftest(plans, rows):
    """Plant one fault per rule in a copy of a suitable row; each must be caught."""
    t = [r for r in rows if r["is_control"] == "0" and num(r["ci_low"]) is not None
         and num(r["ci_high"]) is not None and num(r["p_value"]) is not None
         and not violations(r, plans)]
    if not t:
        print("selftest: no testable row"); return 1
    r = t[0]
    faults = {
        "R1": lambda x: x.update(ci_low=repr(num(x["ci_high"]) + 1), ci_high=repr(num(x["ci_high"]) + 2)),
        "R3": lambda x: x.update(p_value=("0.9" if num(x["p_value"]) < 0.05 else "0.0001")),
        "R4": lambda x: x.update(significant="0" if x["significant"] == "1" else "1"),
        "R5": lambda x: x.update(decision="winner" if x["decision"] != "winner" else "loser"),
        "R6": lambda x: x.update(methods=x["methods"] + ",ttest"),
        "R7": lambda x: x.update(methods="moments,welch_t", ztest_p_value="0.5", chance_to_win="0.5"),
    }
    q = [x for x in rows if x["is_control"] == "0" and x["test"] in ("quantile_z", "rmst_z")
         and num(x["ci_low"]) is not None and not violations(x, plans)]
    missed = 0
    if q:
        x = copy.deepcopy(q[0])
        x["p_value"] = repr(num(x["p_value"]) * 0.5 + 1e-9)
        if not any(v.startswith("R8") for v in violations(x, plans)):
            print("selftest: planted R8 fault not caught"); missed += 1
    else:
        print("selftest: no quantile or time_to row with an interval"); missed += 1
    for rule, plant in faults.items():
        x = copy.deepcopy(r)
        plant(x)
        if not any(v.startswith(rule) for v in violations(x, plans)):
            print("selftest: planted %s fault not caught" % rule); missed += 1
    print("selftest: %d of %d planted faults caught" % (len(faults) + 1 - missed, len(faults) + 1))
    return 1 if missed else 0


if __name__ == "__main__":
    mode, plan_dir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    plans, rows = load_plans(plan_dir), load_rows(files)
    index_controls(rows)
    if mode == "selftest":
        sys.exit(selftest(plans, rows))
    n_t = sum(1 for r in rows if r["is_control"] == "0")
    bad = check(plans, rows)
    print("properties: %d rows (%d treatment rows) in %d tables, %d violation(s)" % (len(rows), n_t, len(files), bad))
    sys.exit(1 if bad or not n_t else 0)
