#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the property register on SQLite.

    .venv/bin/python bench/bench_register.py [UNITS] [--repeat 5] [--reuse]

Builds a fresh database var/bench/bench_<UNITS>.sqlite with kefu_base,
fills it with tools/kefu_demo.py, then times the queries the front desk
makes all day, as the demo front-desk user (so the record rules apply), each
in a new transaction.  --reuse keeps an existing database and only times the
queries.  A benchmark, not a test: it prints a table and checks nothing."""
import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'var', 'bench')
PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)
# Nobody logs in to the benchmark database: a throw-away password.
PASSWORD = secrets.token_urlsafe(12)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('units', type=int, nargs='?', default=1000)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument(
        '--reuse', action='store_true',
        help="time the queries on the database of a previous run")
    return parser.parse_args()


def write_config():
    os.makedirs(BENCH, exist_ok=True)
    path = os.path.join(BENCH, 'trytond.conf')
    with open(path, 'w') as f:
        f.write('[database]\nuri = sqlite://\npath = %s\n' % BENCH)
    return path


def run(*args, **env):
    subprocess.run(args, check=True, cwd=ROOT, env={**os.environ, **env},
        stdout=subprocess.DEVNULL)


def build(config, name, units):
    "Create the database, activate kefu_base, generate the register"
    db_file = os.path.join(BENCH, name + '.sqlite')
    if os.path.exists(db_file):
        os.remove(db_file)
    open(db_file, 'w').close()
    pass_file = os.path.join(BENCH, 'adminpass')
    with open(pass_file, 'w') as f:
        f.write(PASSWORD + '\n')
    admin = os.path.join(BIN, 'trytond-admin')
    start = time.perf_counter()
    run(admin, '-c', config, '-d', name, '--all',
        '--email', 'admin@example.com', TRYTONPASSFILE=pass_file)
    run(admin, '-c', config, '-d', name, '-u', 'kefu_base',
        '--activate-dependencies')
    created = time.perf_counter()
    run(PYTHON, os.path.join(ROOT, 'tools', 'kefu_demo.py'), '-c', config,
        '-d', name, '--units', str(units), '--password', PASSWORD)
    return created - start, time.perf_counter() - created


def queries():
    "(label, function) of the timed queries; each returns a row count"
    from trytond.pool import Pool

    def pool_get(name):
        return Pool().get(name)

    def ch():
        return pool_get('kefu.estate').search([('code', '=', 'CH')])[0]

    def vacant_page():
        Unit = pool_get('kefu.unit')
        domain = [('estate', '=', ch().id),
            ('delivery_state', '=', 'handed_over'),
            ('occupancy', '=', 'vacant')]
        Unit.search_count(domain)
        return len(Unit.search(domain, limit=100))

    def first_page():
        Unit = pool_get('kefu.unit')
        return len(Unit.search([], limit=100))

    def last_page_by_code():
        Unit = pool_get('kefu.unit')
        return len(Unit.search([], order=[('code', 'DESC')], limit=100))

    def search_box(text):
        def query():
            Unit = pool_get('kefu.unit')
            units = Unit.search(
                [('rec_name', 'ilike', '%' + text + '%')], limit=100)
            Unit.read([u.id for u in units], ['rec_name', 'owner_names'])
            return len(units)
        return query

    def owner_names_page():
        Unit = pool_get('kefu.unit')
        units = Unit.search([], offset=200, limit=100)
        return len(Unit.read([u.id for u in units], ['code', 'owner_names']))

    def by_owner():
        Unit = pool_get('kefu.unit')
        units = Unit.search([('owner_names', 'ilike', '%王伟%')], limit=100)
        Unit.read([u.id for u in units], ['code', 'owner_names'])
        return len(units)

    def by_code():
        Unit = pool_get('kefu.unit')
        return len(Unit.search([('rec_name', 'ilike', '3-2-15%')], limit=100))

    def area_balance():
        Balance = pool_get('kefu.building.area_balance')
        return len(Balance.read(
                [b.id for b in Balance.search([])], ['difference']))

    def occupancy():
        Occupancy = pool_get('kefu.estate.occupancy')
        return len(Occupancy.read(
                [o.id for o in Occupancy.search([])], ['occupancy_rate']))

    return [
        ("first page of units, natural code order", first_page),
        ("last page of units by code", last_page_by_code),
        ("units of one estate, tab vacant: count + page", vacant_page),
        ("search box: phone's last 4 digits 0123", search_box('0123')),
        ("search box: owner name 王伟", search_box('王伟')),
        ("search box: code 3-2-15", search_box('3-2-15')),
        ("owner_names of a page of 100 units", owner_names_page),
        ("units by owner name ilike %王伟%", by_owner),
        ("units by code ilike 3-2-15%", by_code),
        ("area balance report, all buildings", area_balance),
        ("occupancy report, all estates", occupancy),
        ]


def time_queries(config, name, repeat):
    from trytond import config as tryton_config
    tryton_config.update_etc(config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    with Transaction().start(name, 0, readonly=True):
        Pool(name).init()
        user, = Pool().get('res.user').search([('login', '=', 'frontdesk')])
    with Transaction().start(name, user.id, readonly=True):
        context = Pool().get('res.user').get_preferences(context_only=True)
    # As over RPC: access rights and record rules are checked.
    context['_check_access'] = True
    rows = []
    for label, query in queries():
        timings = []
        for _ in range(repeat):
            with Transaction().start(
                    name, user.id, readonly=True, context=context):
                start = time.perf_counter()
                count = query()
                timings.append((time.perf_counter() - start) * 1000)
        rows.append((label, count, min(timings), statistics.median(timings)))
    return rows


def main():
    args = parse_args()
    config = write_config()
    name = 'bench_%s' % args.units
    print("Kefu register benchmark: %s units on SQLite (%s)"
        % (args.units, os.path.join(BENCH, name + '.sqlite')), flush=True)
    if not (args.reuse
            and os.path.exists(os.path.join(BENCH, name + '.sqlite'))):
        setup, generate = build(config, name, args.units)
        print("database creation: %.1f s, demo data: %.1f s"
            % (setup, generate))
    print("queries as user frontdesk (record rules on), %s runs each:"
        % args.repeat)
    print('%-50s %6s %9s %9s' % ("query", "rows", "best ms", "median ms"))
    for label, count, best, median in time_queries(
            config, name, args.repeat):
        print('%-50s %6d %9.1f %9.1f' % (label, count, best, median))


if __name__ == '__main__':
    main()
