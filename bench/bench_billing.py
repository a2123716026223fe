#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of a month's billing run on PostgreSQL against Tryton's own
invoicing of the same bills.

    .venv/bin/python bench/bench_billing.py [UNITS ...] [--batch-size 200]
        [--posting-batch-size 100] [--template DB]
        [--uri postgresql://postgres@127.0.0.1:5432/]
        [--json var/bench/bench_billing.json]

UNITS: the sizes of the estate, default 10000 50000.  Creates the database
bench_kefu_billing_<pid> with kefu_fee activated, and for each size a copy
of it filled by tests/fee_setup.py (the books, two monthly fees with 6% VAT
included, UNITS units and their owners), and a copy of that one for the
baseline (CREATE DATABASE ... TEMPLATE, so both start from the same data).
Then, each step in its own process under `python -O` as in production:

- Kefu: the billing run of November 2026, Compute then Post, without a
  worker: as for a click in the web client, the batches are queued tasks
  that trytond runs in the same process after the click's transaction, one
  transaction each (billing batches of --batch-size units, posting batches
  of --posting-batch-size bills);
- the baseline: the same bills (one per payer, the same lines, tax
  included amounts turned into net amounts with Tryton's own 6% tax on the
  lines) made with Invoice.save in batches of --batch-size bills, then
  posted with Invoice.post in batches of --posting-batch-size, each batch
  its own transaction.  Neither renders the bills (Kefu skips the
  rendering of a run's bills; the baseline's print tasks are not run).

Prints bills a second for both, their ratio and the growth of Kefu's time
with the size, writes the figures as JSON and drops the databases.  A
benchmark, not a test: it checks the totals and counts it prints, nothing
else; the targets are printed next to the figures."""
import argparse
import datetime as dt
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tests.fee_setup import (  # noqa: E402
    INVOICE_DATE, VAT_RATE, company_context, gross_amounts, payer, plan,
    round_half_up, transact)

BENCH = os.path.join(ROOT, 'var', 'bench')
SETUP = os.path.join(ROOT, 'tests', 'fee_setup.py')
PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)
TARGET_RATIO = 0.8    # Kefu's bills a second / the baseline's, at least
TARGET_GROWTH = 5.5   # Kefu's time at the largest size / at the smallest


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('units', type=int, nargs='*', default=[10000, 50000])
    parser.add_argument('--batch-size', type=int, default=200)
    parser.add_argument('--posting-batch-size', type=int, default=100)
    parser.add_argument(
        '--uri', default=os.environ.get(
            'KEFU_BENCH_URI', 'postgresql://postgres@127.0.0.1:5432/'))
    parser.add_argument(
        '--json', default=os.path.join(BENCH, 'bench_billing.json'))
    parser.add_argument(
        '--template', help="a database where kefu_fee is activated (and "
        "nothing else done): copied instead of activating kefu_fee")
    parser.add_argument(
        '--baseline-at', type=int, nargs='*', metavar='UNITS',
        help="the sizes at which the baseline runs too (default: all): "
        "the baseline of 50,000 units takes about 7 hours on 2 cores")
    parser.add_argument('--baseline', help=argparse.SUPPRESS)
    parser.add_argument('--config', help=argparse.SUPPRESS)
    return parser.parse_args()


# The databases

def write_config(uri):
    os.makedirs(BENCH, exist_ok=True)
    path = os.path.join(BENCH, 'trytond_billing.conf')
    with open(path, 'w') as f:
        f.write('[database]\nuri = %s\n' % uri)
    return path


def admin_sql(uri, sql):
    import psycopg
    with psycopg.connect(
            uri.rstrip('/') + '/postgres', autocommit=True) as conn:
        conn.execute(sql)


def sql(uri, name, query):
    import psycopg
    with psycopg.connect(uri.rstrip('/') + '/' + name,
            autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else None


def env(uri):
    env = dict(os.environ)
    env.pop('TRYTOND_DATABASE_URI', None)
    env.pop('TRYTOND_CONFIG', None)
    env['TRYTOND_DATABASE__URI'] = uri
    return env


def run(uri, *args):
    "Run a command; return the JSON of its last line, if any"
    result = subprocess.run(args, cwd=ROOT, env=env(uri), check=True,
        stdout=subprocess.PIPE, text=True)
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def activate(uri, config, name):
    pass_file = os.path.join(BENCH, 'adminpass.%s' % os.getpid())
    with open(pass_file, 'w') as f:
        f.write(secrets.token_urlsafe(12) + '\n')
    admin_sql(uri, 'CREATE DATABASE "%s" ENCODING \'UTF8\' '
        'TEMPLATE template0' % name)
    start = time.perf_counter()
    try:
        subprocess.run([os.path.join(BIN, 'trytond-admin'), '-c', config,
                '-d', name, '-u', 'kefu_fee', '--activate-dependencies',
                '--email', 'admin@example.com'], cwd=ROOT, check=True,
            env={**env(uri), 'TRYTONPASSFILE': pass_file},
            stdout=subprocess.DEVNULL)
    finally:
        os.remove(pass_file)
    return time.perf_counter() - start


def copy_database(uri, template, name):
    admin_sql(uri, 'CREATE DATABASE "%s" TEMPLATE "%s"' % (name, template))


def drop_database(uri, name):
    admin_sql(uri, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


# The baseline, in its own process (--baseline DATABASE)

def baseline(config, database, units, batch_size, posting_batch_size):
    """Make and post the run's bills with account.invoice's API; return
    the seconds of each phase"""
    from trytond import config as tryton_config
    tryton_config.update_etc(config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(database, 0, readonly=True):
        Pool(database).init()
    bills = OrderedDict()
    for unit in plan(units):
        bills.setdefault(payer(unit), []).extend(
            ('%s %s' % (fee, unit.code), gross)
            for fee, gross in zip(['物业服务费', '生活垃圾清运费'],
                gross_amounts(unit)))
    names = list(bills)
    ids = []
    context = transact(database, company_context)
    start = time.perf_counter()
    for index in range(0, len(names), batch_size):
        ids.extend(transact(database, lambda: save_bills(
                    bills, names[index:index + batch_size]), **context))
    saved = time.perf_counter()
    context['_skip_warnings'] = True
    for index in range(0, len(ids), posting_batch_size):
        transact(database, lambda: post_bills(
                ids[index:index + posting_batch_size]), **context)
    posted = time.perf_counter()
    return {'save': saved - start, 'post': posted - saved,
        'bills': len(ids)}


def post_bills(ids):
    "Post the bills the standard way (each batch a transaction of its own)"
    from trytond.pool import Pool
    Invoice = Pool().get('account.invoice')
    Invoice.post(Invoice.browse(ids))


def save_bills(bills, names):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Account = pool.get('account.account')
    Company = pool.get('company.company')
    Configuration = pool.get('kefu.configuration')
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.invoice.line')
    Party = pool.get('party.party')
    Tax = pool.get('account.tax')
    configuration = Configuration(1)
    company = Company(Transaction().context['company'])
    revenue, = Account.search([
            ('company', '=', company.id), ('type.revenue', '=', True),
            ('closed', '!=', True)], limit=1)
    vat, = Tax.search([('company', '=', company.id)], limit=1)
    parties = {p.name: p for p in Party.search([('name', 'in', names)])}
    invoices = []
    for name in names:
        party = parties[name]
        invoice = Invoice(company=company, type='out', party=party,
            invoice_date=INVOICE_DATE, currency=company.currency,
            journal=configuration.get_multivalue(
                'fee_journal', company=company.id),
            payment_term=configuration.get_multivalue(
                'payment_term', company=company.id),
            invoice_address=party.address_get(type='invoice'),
            account=party.account_receivable_used)
        invoice.lines = [Line(type='line', company=company,
                currency=company.currency, invoice_type='out', party=party,
                account=revenue, description=description, quantity=1,
                unit_price=round_half_up(gross / (1 + VAT_RATE)),
                taxes=[vat])
            for description, gross in bills[name]]
        invoices.append(invoice)
    Invoice.save(invoices)
    return [i.id for i in invoices]


# The measures

def check_kefu(uri, name):
    "Counts and totals of the run's charges and bills"
    (charges, charged), = sql(uri, name,
        'SELECT count(*), sum(amount) FROM kefu_fee_charge')
    (bills, posted, total), = sql(uri, name, '''
        SELECT count(*), count(*) FILTER (WHERE state = 'posted'),
            sum(total_amount_cache) FROM account_invoice''')
    return {'charges': charges, 'charged': str(charged), 'bills': bills,
        'posted': posted, 'total': str(total)}


def check_baseline(uri, name):
    (bills, posted, total), = sql(uri, name, '''
        SELECT count(*), count(*) FILTER (WHERE state = 'posted'),
            sum(total_amount_cache) FROM account_invoice''')
    return {'bills': bills, 'posted': posted, 'total': str(total)}


def measure(uri, config, template, units, args):
    kefu_db = '%s_%s' % (template, units)
    base_db = '%s_%s_tryton' % (template, units)
    result = {'units': units,
        'expected': str(sum(sum(gross_amounts(u)) for u in plan(units)))}
    copy_database(uri, template, kefu_db)
    try:
        result['fill_s'] = run(uri, PYTHON, SETUP, '-c', config,
            '-d', kefu_db, 'fill', '--units', str(units),
            '--batch-size', str(args.batch_size),
            '--posting-batch-size', str(args.posting_batch_size),
            '--fast')['seconds']
        sql(uri, kefu_db, 'VACUUM ANALYZE')
        baseline = args.baseline_at is None or units in args.baseline_at
        if baseline:
            copy_database(uri, kefu_db, base_db)
        print("%d units: filled in %.0f s" % (units, result['fill_s']),
            flush=True)
        result['load_start'] = os.getloadavg()[0]
        compute = run(uri, PYTHON, '-O', SETUP, '-c', config,
            '-d', kefu_db, 'compute')
        post = run(uri, PYTHON, '-O', SETUP, '-c', config,
            '-d', kefu_db, 'post', '--run', str(compute['run']))
        result['kefu'] = dict(check_kefu(uri, kefu_db),
            compute_s=compute['seconds'], post_s=post['seconds'],
            tasks=compute['tasks'] + post['tasks'])
        print("%d units: Kefu %s" % (units, result['kefu']), flush=True)
        result['load_end'] = os.getloadavg()[0]
        if not baseline:
            return result
        result['baseline'] = run(uri, PYTHON, '-O', __file__,
            '--config', config, '--baseline', base_db, str(units),
            '--batch-size', str(args.batch_size),
            '--posting-batch-size', str(args.posting_batch_size))
        result['baseline'].update(check_baseline(uri, base_db))
        print("%d units: baseline %s" % (units, result['baseline']),
            flush=True)
        result['load_end'] = os.getloadavg()[0]
    finally:
        drop_database(uri, kefu_db)
        drop_database(uri, base_db)
    return result


def report(results, total):
    print('%7s %7s %9s %9s %9s %7s %9s %9s %9s %7s %6s' % (
            'units', 'bills', 'compute', 'post', 'Kefu', 'bills/s',
            'save', 'post', 'Tryton', 'bills/s', 'ratio'))
    for r in results:
        kefu = r['kefu']
        r['kefu_s'] = kefu['compute_s'] + kefu['post_s']
        r['kefu_rate'] = kefu['bills'] / r['kefu_s']
        base = r.get('baseline')
        if not base:
            print('%7d %7d %9.1f %9.1f %9.1f %7.1f %9s %9s %9s %7s %6s' % (
                    r['units'], kefu['bills'], kefu['compute_s'],
                    kefu['post_s'], r['kefu_s'], r['kefu_rate'],
                    '-', '-', '-', '-', '-'))
            continue
        r['baseline_s'] = base['save'] + base['post']
        r['baseline_rate'] = base['bills'] / r['baseline_s']
        r['ratio'] = r['kefu_rate'] / r['baseline_rate']
        print('%7d %7d %9.1f %9.1f %9.1f %7.1f %9.1f %9.1f %9.1f %7.1f '
            '%6.2f' % (r['units'], kefu['bills'], kefu['compute_s'],
                kefu['post_s'], r['kefu_s'], r['kefu_rate'], base['save'],
                base['post'], r['baseline_s'], r['baseline_rate'],
                r['ratio']))
    print("(seconds; bills/s: bills made and posted a second)")
    for r in results:
        print("%d units: charged %s (expected %s), Kefu's bills %s, "
            "Tryton's bills %s; load %.1f to %.1f" % (
                r['units'], r['kefu']['charged'], r['expected'],
                r['kefu']['total'],
                r.get('baseline', {}).get('total', '(not run)'),
                r['load_start'], r['load_end']))
    first, last = results[0], results[-1]
    compared = [r for r in results if 'ratio' in r] or [{}]
    last_compared = compared[-1]
    targets = {
        'ratio': last_compared.get('ratio'), 'ratio_target': TARGET_RATIO,
        'growth': last['kefu_s'] / first['kefu_s'],
        'size_growth': last['units'] / first['units'],
        'growth_target': TARGET_GROWTH,
        }
    if 'ratio' in last_compared:
        print("target: Kefu / Tryton bills a second at %d units = %.2f "
            "(>= %.1f)" % (last_compared['units'], last_compared['ratio'],
                TARGET_RATIO))
    print("target: Kefu's time at %d / at %d units = %.2f for %.1f times "
        "the units (<= %.1f at 5 times)" % (
            last['units'], first['units'], targets['growth'],
            targets['size_growth'], TARGET_GROWTH))
    print("total %.0f s" % total)
    return targets


def main():
    args = parse_args()
    if args.baseline:
        result = baseline(args.config, args.baseline, args.units[0],
            args.batch_size, args.posting_batch_size)
        print(json.dumps(result), flush=True)
        return
    config = write_config(args.uri)
    template = 'bench_kefu_billing_%s' % os.getpid()
    print("Kefu billing benchmark on PostgreSQL, database %s" % template,
        flush=True)
    start = time.perf_counter()
    results = []
    try:
        if args.template:
            copy_database(args.uri, args.template, template)
        else:
            print("kefu_fee activated in %.0f s"
                % activate(args.uri, config, template), flush=True)
        for units in args.units:
            results.append(measure(args.uri, config, template, units, args))
            # What is measured is kept if a later size is cut short
            save(args, results, None)
        targets = report(results, time.perf_counter() - start)
    finally:
        drop_database(args.uri, template)
    save(args, results, targets)
    print("figures written to %s" % os.path.relpath(args.json, ROOT))


def save(args, results, targets):
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, 'w') as f:
        json.dump({
                'date': dt.date.today().isoformat(),
                'host': '%s, %s CPUs, Python %s' % (
                    platform.platform(), os.cpu_count(),
                    platform.python_version()),
                'batch_size': args.batch_size,
                'posting_batch_size': args.posting_batch_size,
                'results': results,
                'targets': targets,
                }, f, indent=2, default=str)


if __name__ == '__main__':
    main()
