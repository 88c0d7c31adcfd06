#!/usr/bin/env python3
"""statement_reads.py — the reads of a logged run, statement by statement.

    statement_reads.py SOCKET LOG [--top N] [--events N --units N]

Replays the queries of a MariaDB general log (LOG) on the server at SOCKET,
which must hold the state the logged run started from (a copy of its data
directory taken before the run).  Each log thread gets a connection of its
own and the queries run one at a time, in log order, so a statement reads
what it read in the run, without the other connection's work beside it.
Prints the total of the session's Handler_read_* counters over the replay,
then the N statements that read most: their Handler_read_*, Rows_read (stored
tables), Rows_tmp_read (internal temporary tables), time and first words,
and each one's Handler_read_* counters by kind.  With --events and --units,
the total is also given per (events + units), the measure bench/e2e.sh
reports for the whole server.

A replayed query that fails is reported and counted; the exit status is 1
when any did.
"""
import argparse
import re
import sys
import time

import pymysql

HEADER = re.compile(r'^(?:\d{6}\s+\d+:\d+:\d+)?\s+(\d+) (Query|Connect|Quit|Init DB|Prepare|'
                    r'Execute|Close stmt|Field List)\t?(.*)$')


def logged_queries(path):
    """[(thread, query)] in log order; a query's continuation lines appended."""
    out, cur = [], None
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = HEADER.match(line.rstrip('\n'))
            if m:
                cur = None
                if m.group(2) == 'Query':
                    cur = [int(m.group(1)), m.group(3)]
                    out.append(cur)
            elif cur is not None:
                cur[1] += '\n' + line.rstrip('\n')
    return [(t, q) for t, q in out if not q.startswith('SET GLOBAL general_log')]


def counters(conn):
    cur = conn.cursor()
    cur.execute("SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%' "
                "OR Variable_name IN ('Rows_read', 'Rows_tmp_read')")
    return {k: int(v) for k, v in cur.fetchall()}


def label(query):
    """The statement's first comment line (not one explaining a SET STATEMENT
    prefix), else its first words; "[sorted]" when its result is ordered, as
    a quantile stream's is."""
    lines = [l.strip() for l in query.splitlines()]
    set_at = next((i for i, l in enumerate(lines) if l.startswith('SET STATEMENT')), -1)
    body = lines[set_at + 1:] if set_at >= 0 else lines
    comment = next((l[3:] for l in body if l.startswith('-- ')), None)
    words = ' '.join(' '.join(l for l in body if not l.startswith('--')).split())
    text = comment or words[:100]
    if re.search(r'\bORDER BY\b[^()]*$', words):
        text += ' [sorted]'
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('socket')
    ap.add_argument('log')
    ap.add_argument('--top', type=int, default=20)
    ap.add_argument('--events', type=int)
    ap.add_argument('--units', type=int)
    a = ap.parse_args()

    conns, rows, failed = {}, [], 0
    for thread, query in logged_queries(a.log):
        conn = conns.get(thread)
        if conn is None:
            conn = conns[thread] = pymysql.connect(
                unix_socket=a.socket, user='root', autocommit=True,
                client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
        # what reading the counters itself adds, taken off each statement's
        before = counters(conn)
        again = counters(conn)
        overhead = {k: again[k] - before[k] for k in before}
        t0 = time.time()
        err = ''
        try:
            cur = conn.cursor()
            cur.execute(query)
            while cur.nextset():
                pass
        except pymysql.MySQLError as e:
            err = str(e)
            failed += 1
        dt = time.time() - t0
        after = counters(conn)
        delta = {k: after[k] - again[k] - overhead[k] for k in before}
        reads = sum(v for k, v in delta.items() if k.startswith('Handler_read'))
        rows.append((reads, delta, dt, thread, label(query), err))

    total = sum(r[0] for r in rows)
    print('statements replayed: %d (%d failed); Handler_read_* total: %d; Rows_read: %d; '
          'Rows_tmp_read: %d' % (len(rows), failed, total, sum(r[1]['Rows_read'] for r in rows),
                                 sum(r[1]['Rows_tmp_read'] for r in rows)))
    if a.events and a.units:
        print('events of the day + exposed units: %d + %d; Handler_read_* total = %.2f x' %
              (a.events, a.units, total / (a.events + a.units)))
    print('%10s %10s %10s %7s %7s  %s' % ('reads', 'Rows_read', 'tmp_read', 'time', 'thread',
                                         'statement'))
    top = sorted(rows, key=lambda r: -r[0])[:a.top]
    for reads, delta, dt, thread, what, err in top:
        print('%10d %10d %10d %6.2fs %7d  %s%s' % (reads, delta['Rows_read'], delta['Rows_tmp_read'],
                                                  dt, thread, what[:90],
                                                  ('  FAILED: ' + err[:80]) if err else ''))
    print('by kind:')
    for reads, delta, _, _, what, _ in top:
        kinds = ', '.join('%s %d' % (k[len('Handler_read_'):], v) for k, v in sorted(delta.items())
                          if k.startswith('Handler_read') and v)
        print('%10d  %-50s %s' % (reads, what[:50], kinds))
    for _, _, _, thread, what, err in rows:
        if err:
            print('failed (thread %d): %s: %s' % (thread, what[:80], err), file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
