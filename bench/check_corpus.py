#!/usr/bin/env python3
"""check_corpus.py — write a corpus of realistic abc specs for the `abc check`
benchmark (bench/check.sh).

    check_corpus.py DIR [--specs N] [--metrics M] [--seed S]

Writes N specs (default 1000) named bench_NNNN.ab, each with about M metrics
(default 50), into DIR.  Every spec is clean: same sources, exposure and
analysis shapes as the real specs in specs/, with metrics drawn from every
kind (any, count, sum, mean, active_days, ratio, retained, quantile, funnel,
time_to), windows (within Nd, within phase, day N, days A..B), options (cap N,
cap pNN, cuped Nd, cuped METRIC Nd, direction, role, the guardrail form) and
conditions (=, !=, <, >=, in, not in, is [not] null, and/or/not, parentheses).
Every tenth spec is written in YAML instead (bench_NNNN.yaml) so both front
ends are measured.  The output is deterministic for a given seed.
"""
import argparse
import os
import random

EVENTS = ["app_open", "session_end", "purchase", "add_to_cart", "checkout_start",
          "paywall_view", "trial_start", "subscribe", "chat_message", "share",
          "search", "video_play", "ad_impression", "ad_click", "crash", "level_up"]
PLATFORMS = ["ios", "android", "web"]
COUNTRIES = ["US", "DE", "BR", "IN", "JP", "FR", "GB"]


def cond(r, depth=0):
    """A random condition over the events source."""
    k = r.randrange(10 if depth < 2 else 7)
    if k <= 2:
        return f'event_name = "{r.choice(EVENTS)}"'
    if k == 3:
        picks = r.sample(EVENTS, r.randint(2, 4))
        return "event_name in (" + ", ".join(f'"{e}"' for e in picks) + ")"
    if k == 4:
        return f'platform {r.choice(["=", "!="])} "{r.choice(PLATFORMS)}"'
    if k == 5:
        return f"session_seconds {r.choice(['>', '>=', '<'])} {r.randint(1, 600)}"
    if k == 6:
        return f"country is {r.choice(['', 'not '])}null"
    if k == 7:
        return f"{cond(r, depth + 1)} and {cond(r, depth + 1)}"
    if k == 8:
        return f"({cond(r, depth + 1)} or {cond(r, depth + 1)})"
    return f'not country in ("{r.choice(COUNTRIES)}", "{r.choice(COUNTRIES)}")'


def event_set(r):
    return f'events where event_name = "{r.choice(EVENTS)}" and {cond(r, 1)}' \
        if r.random() < 0.3 else f"events where {cond(r)}"


def window(r):
    return r.choice(["within 1d", "within 3d", "within 7d", "within 7d", "within 14d",
                     "within 28d", "within phase"])


def role_dir(r, name_is_guardrail=False):
    opts = []
    if r.random() < 0.2:
        opts.append(r.choice(["lower is better", "higher is better"]))
    if not name_is_guardrail and r.random() < 0.4:
        opts.append(r.choice(["secondary", "goal", "guardrail"]))
    return opts


def metrics(r, m):
    """m metric lines; ratios and CUPED covariates refer to earlier metrics."""
    out, additive = [], []
    for i in range(m):
        name = f"m{i:02d}"
        kind = r.choice(["any", "count", "count", "sum", "sum", "mean", "active_days",
                         "ratio", "retained", "quantile", "funnel", "time_to"])
        if kind == "ratio" and len(additive) < 2:
            kind = "count"
        keyword = "guardrail" if r.random() < 0.08 else "metric"
        opts = []
        if kind == "any":
            call = f"any({event_set(r)})"
            opts.append(window(r))
        elif kind == "count":
            call = f"count({event_set(r)})"
            opts.append(window(r))
            if r.random() < 0.4:
                opts.append(r.choice(["cap p99", "cap p95", f"cap {r.randint(10, 500)}"]))
        elif kind in ("sum", "mean"):
            src = r.choice(["payments.amount", "events.session_seconds"])
            where = f' where {cond(r)}' if src.startswith("events") else \
                (' where currency = "USD"' if r.random() < 0.3 else "")
            call = f"{kind}({src}{where})"
            opts.append(window(r))
            if r.random() < 0.5:
                opts.append(r.choice(["cap p99", f"cap {r.randint(100, 5000)}"]))
        elif kind == "active_days":
            call = f"active_days({event_set(r)})"
            opts.append(r.choice(["within 7d", "within 14d", "within 28d"]))
        elif kind == "ratio":
            a, b = r.sample(additive, 2)
            call = f"ratio({a}, {b})"
        elif kind == "retained":
            d = r.choice([f"day {r.randint(1, 30)}", "days 1..7", "days 8..14", "days 0..28"])
            call = f"retained({event_set(r)}, {d})"
        elif kind == "quantile":
            call = f"quantile(payments.amount, {r.choice(['0.5', '0.9', '0.95', '0.99'])})"
            opts.append(r.choice(["within 7d", "within 14d"]))
        elif kind == "funnel":
            steps = r.sample(EVENTS, r.randint(2, 5))
            call = "funnel(" + ", ".join(f'events where event_name = "{e}"' for e in steps) + ")"
            opts.append(r.choice(["within 7d", "within 14d"]))
        else:
            call = f"time_to({event_set(r)})"
            opts.append(r.choice(["within 7d", "within 14d", "within 28d"]))
        if kind in ("any", "count", "sum", "mean", "active_days", "retained") and r.random() < 0.3:
            if additive and r.random() < 0.3:
                opts.append(f"cuped {r.choice(additive)} {r.choice(['7d', '14d', '28d'])}")
            else:
                opts.append(f"cuped {r.choice(['7d', '14d', '28d'])}")
        opts += role_dir(r, keyword == "guardrail")
        if kind in ("any", "count", "sum", "mean", "active_days", "retained"):
            additive.append(name)
        out.append((keyword, name, call, " ".join(o for o in opts if o)))
    return out


ANALYSES = [
    ["methods ttest, bayes, uplift", "alpha 0.05", "sequential msprt tau 0.01",
     "correction holm", "srm 0.001", "fail_on srm, guardrail", "power 0.8", "mde 0.02"],
    ["methods ttest, mannwhitney, bootstrap", "alpha 0.1", "sided one", "effect absolute",
     "sequential obf looks 4", "correction bonferroni", "bootstrap 2000 seed 7"],
    ["methods ttest, ztest, bayes", "prior 0 0.3", "sequential cs tuning 5000",
     "correction bh", "fail_on srm"],
    ["methods ttest, did, uplift", "effect relative", "correction none", "srm 0.0005"],
]


def spec_dsl(r, tag, m):
    L = [f"# {tag}: generated by bench/check_corpus.py", f"tag {tag} {{",
         f'  module "mod{r.randint(0, 20)}";']
    if r.random() < 0.2:
        L.append(f'  experiments keys "{tag}-a", "{tag}-b";')
        L.append(f'  assignment "{tag}-a" {{ salt "{tag}-salt"; variations control 0.5, treatment 0.5; }}')
    else:
        L.append(f'  experiments from growthbook tag "{tag}"'
                 + (' status "running"' if r.random() < 0.5 else "") + ";")
    L += ["", '  source events "ods.app_events" {', "    user user_id;", "    time event_time;",
          "    date event_date;", '    where platform != "bot";', "  }", "",
          '  source payments "ods.payments" {', "    user user_id;", "    time paid_at;",
          "    date pay_date;", "  }", "", '  source users "ods.users" {', "    user user_id;",
          "  }", "", '  exposure events where event_name = "experiment_viewed" {',
          "    experiment exp_key;", "    variation var_key;", "    first;",
          f"    multiple {r.choice(['exclude', 'first'])};"]
    if r.random() < 0.2:
        L.append('    activation events where event_name = "paywall_view";')
    L += ["  }", "", "  segment country = exposure.country;", "  segment platform = exposure.platform;",
          "  segment tier = users.tier;", ""]
    for kw, name, call, opts in metrics(r, m):
        L.append(f"  {kw} {name} = {call}{' ' + opts if opts else ''};")
    L += ["", "  analysis {"] + [f"    {s};" for s in r.choice(ANALYSES)] + ["  }"]
    if r.random() < 0.3:
        L += ["", "  activity actives {", '    active events where event_name = "app_open";',
              "    reports dau, wau, mau, growth, cohorts_weekly;", "    by variation;", "  }"]
    L.append("}")
    return "\n".join(L) + "\n"


def spec_yaml(r, tag, m):
    L = [f"# {tag}: generated by bench/check_corpus.py", f"tag: {tag}",
         f'module: "mod{r.randint(0, 20)}"', f'experiments: from growthbook tag "{tag}"',
         "sources:", "  events:", '    table: "ods.app_events"', "    user: user_id",
         "    time: event_time", "    date: event_date", '    where: platform != "bot"',
         "  payments:", '    table: "ods.payments"', "    user: user_id", "    time: paid_at",
         "    date: pay_date", "  users:", '    table: "ods.users"', "    user: user_id",
         "exposure:", "  source: events", '  where: event_name = "experiment_viewed"',
         "  experiment: exp_key", "  variation: var_key", "  first:", "  multiple: exclude",
         "segments:", "  country: exposure.country", "  tier: users.tier", "metrics:"]
    guards = []
    for kw, name, call, opts in metrics(r, m):
        line = f"  {name}: {call}{' ' + opts if opts else ''}"
        (guards if kw == "guardrail" else L).append(line)
    if guards:
        L += ["guardrails:"] + guards
    L += ["analysis:", "  methods: [ttest, bayes, uplift]", "  alpha: 0.05",
          "  correction: holm", "  fail_on: [srm, guardrail]"]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--specs", type=int, default=1000)
    ap.add_argument("--metrics", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20260301)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    r = random.Random(a.seed)
    for i in range(a.specs):
        tag = f"bench_{i:04d}"
        m = max(2, a.metrics + r.randint(-5, 5))
        yaml = i % 10 == 9
        text = spec_yaml(r, tag, m) if yaml else spec_dsl(r, tag, m)
        with open(os.path.join(a.dir, tag + (".yaml" if yaml else ".ab")), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
