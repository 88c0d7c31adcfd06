#!/usr/bin/env bash
# run_sql.sh — `abc run --dry-run --sql` and the statements a run sends:
#   * for a StarRocks configuration (its DSN unreachable: nothing may connect)
#     every example spec prints its statements, run state and migrations
#     included, bound with values; none uses MariaDB-only syntax or a
#     TIMESTAMP literal (STARROCKS.md §10, §12);
#   * for MariaDB the same listing, with its transactions, creates nothing;
#   * a real MariaDB run after a spec change (a metric added, a segment
#     renamed) migrates the wide table and the assignment table: the missing
#     columns are added, schema_migrations records version 2, the renamed
#     segment's column is filled and reported; the run state is written with
#     the dialect's literals.
# env ABC = the abc binary; runs from anywhere.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/run_lib.sh"
rl_init run_sql

# ---- StarRocks: no connection, every example spec ----------------------------------------------
SR_CFG=$RL_TMP/sr.yaml
cat >"$SR_CFG" <<EOF
warehouse:
  dsn: "mysql://abc@127.0.0.1:1/abc"
  dialect: starrocks
growthbook:
  file: examples/growthbook-snapshot.json
EOF
# MariaDB-only syntax (STARROCKS.md §10): a syntax or analyzer error on StarRocks
SR_BAD="TIMESTAMP '|ON DUPLICATE KEY|START TRANSACTION|REPLACE INTO|INSERT IGNORE|ENGINE=InnoDB|AUTO_INCREMENT|ADD COLUMN IF NOT EXISTS|WITHIN GROUP|CHARSET=|COMMENT=|CHAR\(92 USING|RANGE COLUMNS|LIST COLUMNS|^#"
for spec in specs/*.ab; do
    tag=$(basename "$spec" .ab)
    out=$RL_TMP/sr-$tag.sql
    if ! ABC_TODAY=2026-10-12 "$ABC" run --config "$SR_CFG" --dry-run --sql "$spec" >"$out" 2>"$RL_TMP/sr.err"; then
        fail "starrocks --dry-run --sql $spec: $(head -c 300 "$RL_TMP/sr.err")"
        continue
    fi
    for want in '^-- state_read, statement 1 of 1' '^FROM `abc`.`run_state`' '^-- ddl, ' \
                '^CREATE TABLE IF NOT EXISTS `abc`.`run_state`' '^-- migrate_columns, ' \
                '^ALTER TABLE `abc`.`tbl_wide_user_.*` ADD COLUMN ($' '^-- migrate_version, ' \
                '^INSERT INTO `abc`.`schema_migrations`' '^-- config, ' '^-- stats_moments, ' \
                '^-- report_publish, ' '^-- state_write, statement 1 of 1' "^INSERT INTO \`abc\`.\`run_state\`" \
                "^    ('$tag', DATE '2026-10-11', DATE '20..-..-..', '[0-9a-f]*', '[^']*', DATETIME '....-..-.. ..:..:..');\$" \
                "DATETIME '2026-10-01 00:00:00'" '^-- exposure_keys, statement 1 of 1' \
                '^    COUNT(\*) AS `row_count`,$' '^    SUM(murmur_hash3_32(CONCAT_WS(' \
                "^WHERE s.\`.*\` >= '20..-..-..' AND s.\`.*\` <= '2026-10-11'\$" \
                '^-- fingerprint_write, statement 1 of 1' '^INSERT INTO `abc`.`source_fingerprint`'; do
        grep -q -- "$want" "$out" || fail "starrocks $tag: no /$want/"
    done
    # StarRocks sizes its operators' memory itself: no session setting without a timeout
    grep -q 'tmp_table_size\|^SET ' "$out" && fail "starrocks $tag: a session setting: $(grep -m1 '^SET ' "$out")"
    if grep -nE "$SR_BAD" "$out" >"$RL_TMP/bad"; then
        fail "starrocks $tag: MariaDB-only syntax: $(head -3 "$RL_TMP/bad")"
    fi
    # every placeholder is bound but the rows only the analysis or the warehouse knows
    left=$(grep -o '{{[a-z_]*}}' "$out" | sort -u | tr '\n' ' ')
    [ "$left" = "{{values}} " ] || fail "starrocks $tag: unbound placeholders: $left"
    [ "$(grep -c '{{values}}' "$out")" = 6 ] ||
        fail "starrocks $tag: {{values}} left outside report_load, migrate_record and fingerprint_write"
done
# one due date: the day steps, with the date bound
ABC_TODAY=2026-10-12 "$ABC" run --config "$SR_CFG" --dry-run --sql --date 2026-10-05 specs/retention.ab \
    >"$RL_TMP/sr-day.sql" 2>"$RL_TMP/sr.err" || fail "--date: $(head -c 300 "$RL_TMP/sr.err")"
grep -q '^-- wide_day, ' "$RL_TMP/sr-day.sql" && grep -q "PARTITION (\`event_date\` = '2026-10-05')" "$RL_TMP/sr-day.sql" ||
    fail "--date: no wide_day for 2026-10-05"
grep -q '^-- assign_range' "$RL_TMP/sr-day.sql" && fail "--date: a range step for one date"
# usage: --sql only with --dry-run
"$ABC" run --config "$SR_CFG" --sql specs/retention.ab >/dev/null 2>&1
[ $? = 2 ] || fail "--sql without --dry-run must be a usage error"
[ "$RL_FAILS" = 0 ] && ok "starrocks --dry-run --sql: $(ls specs/*.ab | wc -l) specs, run state and migrations, no MariaDB syntax, no connection"

# ---- MariaDB: the listing creates nothing ------------------------------------------------------
f0=$RL_FAILS
rl_server
rl_synth
dbs() { rl_sql -e "SELECT GROUP_CONCAT(SCHEMA_NAME ORDER BY SCHEMA_NAME) FROM information_schema.SCHEMATA
                   WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys')"; }
ABC_TODAY=2026-10-08 "$ABC" run --config "$RL_CFG" --dry-run --sql "$RL_SPEC" >"$RL_TMP/mdb.sql" 2>"$RL_TMP/mdb.err" ||
    fail "mariadb --dry-run --sql: $(head -c 300 "$RL_TMP/mdb.err")"
for want in '^-- state_read, ' '^-- migrate_record, ' '^-- state_write, ' '^START TRANSACTION;$' '^COMMIT;$' \
            '^ON DUPLICATE KEY UPDATE$' '^SET SESSION tmp_table_size = 268435456, max_heap_table_size = 268435456;$' \
            "^    ('itest', '2026-10-07', '2026-10-01', '[0-9a-f]*', '[^']*', '....-..-.. ..:..:..')"; do
    grep -q -- "$want" "$RL_TMP/mdb.sql" || fail "mariadb: no /$want/"
done
[ "$(dbs)" = ods ] || fail "mariadb --dry-run --sql created databases: $(dbs)"
# warehouse.temp_table_mb: 0 leaves the server's size; with a timeout both go in one statement
sed 's/^warehouse:$/warehouse:\n  temp_table_mb: 0\n  query_timeout_s: 600/' "$RL_CFG" >"$RL_TMP/tt0.yaml"
ABC_TODAY=2026-10-08 "$ABC" run --config "$RL_TMP/tt0.yaml" --dry-run --sql "$RL_SPEC" >"$RL_TMP/mdb0.sql" 2>"$RL_TMP/mdb.err" ||
    fail "mariadb --dry-run --sql, temp_table_mb 0: $(head -c 300 "$RL_TMP/mdb.err")"
[ "$(grep '^SET SESSION' "$RL_TMP/mdb0.sql")" = "SET SESSION max_statement_time = 600;" ] ||
    fail "temp_table_mb 0: $(grep '^SET SESSION' "$RL_TMP/mdb0.sql")"
[ "$RL_FAILS" = "$f0" ] && ok "mariadb --dry-run --sql: transactions, run state, nothing created"

# ---- MariaDB: a real run, then a spec change that needs a migration ----------------------------
f0=$RL_FAILS
rl_run_ok "first run" ABC_TODAY=2026-10-06 -- --quiet "$RL_SPEC"
ver=$(rl_sql -e "SELECT COUNT(*) FROM abc.schema_migrations WHERE tag = 'itest'")
[ "$ver" = 0 ] || fail "a fresh table recorded a migration ($ver rows)"
rl_sql -e "SELECT last_date, first_date FROM abc.run_state WHERE tag = 'itest'" >"$RL_TMP/state"
[ "$(cat "$RL_TMP/state")" = "$(printf '2026-10-05\t2026-10-01')" ] || fail "run state after the first run: $(cat "$RL_TMP/state")"
mkdir -p "$RL_TMP/v2"
sed -e 's/^  guardrail crashes/  metric sessions_3d = count(events where event_name = "app_open") within 3d;\n  guardrail crashes/' \
    -e 's/^  segment platform = exposure.platform;/  segment device = exposure.platform;/' \
    "$RL_SPEC" >"$RL_TMP/v2/itest.ab"
grep -q sessions_3d "$RL_TMP/v2/itest.ab" && grep -q 'segment device' "$RL_TMP/v2/itest.ab" ||
    fail "could not write the second spec version"
rl_run_ok "run after the spec change" ABC_TODAY=2026-10-07 -- "$RL_TMP/v2/itest.ab"
grep -q "migrated: 1 column to tbl_wide_user_itest_itest and 1 column to experiment_assignment added (schema version 2)" "$RL_ERR" ||
    fail "no migration reported: $(grep -i migrat "$RL_ERR")"
col=$(rl_sql -e "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'abc'
                 AND TABLE_NAME = 'tbl_wide_user_itest_itest' AND COLUMN_NAME = 'sessions_3d__events'")
[ "$col" = 1 ] || fail "the wide table lacks sessions_3d__events after the migration"
rl_sql -e "SELECT version, name, abc_version FROM abc.schema_migrations WHERE tag = 'itest'" >"$RL_TMP/mig"
grep -q "^2	add 1 column to tbl_wide_user_itest_itest and 1 column to experiment_assignment	" "$RL_TMP/mig" ||
    fail "schema_migrations: $(cat "$RL_TMP/mig")"
# the renamed segment: its own column, filled by the rebuild, reported under its name
n=$(rl_sql -e "SELECT COUNT(*) FROM abc.experiment_assignment WHERE tag = 'itest' AND device IS NOT NULL")
[ "${n:-0}" -gt 0 ] || fail "experiment_assignment.device is not filled after the rebuild ($n rows)"
n=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_report_user_itest_itest WHERE segment = 'device' AND segment_value <> '(null)'")
[ "${n:-0}" -gt 0 ] || fail "no report rows of segment device ($n)"
n=$(rl_sql -e "SELECT COUNT(*) FROM abc.tbl_report_user_itest_itest WHERE segment = 'platform'")
[ "$n" = 0 ] || fail "report rows of the renamed segment platform remain ($n)"
rl_sql -e "SELECT last_date, first_date, updated_at IS NOT NULL FROM abc.run_state WHERE tag = 'itest'" >"$RL_TMP/state"
[ "$(cat "$RL_TMP/state")" = "$(printf '2026-10-06\t2026-10-01\t1')" ] || fail "run state after the second run: $(cat "$RL_TMP/state")"
rl_run_ok "run again" ABC_TODAY=2026-10-07 -- --quiet "$RL_TMP/v2/itest.ab"
[ "$(rl_sql -e "SELECT COUNT(*) FROM abc.schema_migrations WHERE tag = 'itest'")" = 1 ] ||
    fail "a second run of the same spec migrated again"
[ "$RL_FAILS" = "$f0" ] && ok "mariadb run: spec change migrates the wide and assignment tables (version 2 recorded), run state written"

rl_done
