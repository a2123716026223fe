#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The books and the register of a billing run on a database where
kefu_fee is activated, shared by tests/test_billing_fault.py and
bench/bench_billing.py, and the steps they run in their own processes.

    python tests/fee_setup.py -c CONF -d DB fill --units 300 --batch-size 15
    python tests/fee_setup.py -c CONF -d DB compute [--run ID]
    python tests/fee_setup.py -c CONF -d DB post --run ID
    python tests/fee_setup.py -c CONF -d DB desk
    python tests/fee_setup.py -c CONF -d DB pay --run ID --desk ID

fill makes the company (CNY), Tryton's minimal chart (account's test
tools), the fiscal year 2026 with its periods and invoice sequences, a 6%
VAT, a 30-day payment term, the fee settings (bill journal, batch sizes),
two monthly fees with 6% VAT included — the property service at 2.50 a
m² (70% for a unit in custody) and garbage removal at 15.00 a unit — and
an estate of UNITS units handed over, 100 a building, each paying both
fees from 2026-01-01.  The units follow plan(): one co-owned (40/60),
every ninth in custody, every 25th owned by the owner of a unit 13 places
earlier (one bill with four lines, often across two billing batches).

compute creates the billing run of November 2026 (or takes --run) and
clicks Compute; post clicks Post.  With `[queue] worker = True` in CONF the
batches are only queued (ir.queue rows) for trytond-worker; without it
they run here after the commit, one transaction each, as trytond runs the
tasks of a request.  Each step prints one line of JSON.

desk opens a cash desk (前台) at the estate with a cash payment method, the
settings of the daily close and its journal's period of November.  pay is
a cashier at that desk: it loads the pool, reads the run's first bill and
its unit's open bills (as the cashier's screen has them), prints
{"ready": true} and waits for a line on its input, then
takes in cash what the first posted bill of the run owes (the bill's unit
and payer) in one transaction and prints the receipt, the bill and the
seconds the payment took."""
import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

MONTH = dt.date(2026, 11, 1)
PERIOD_END = dt.date(2026, 11, 30)
INVOICE_DATE = dt.date(2026, 11, 5)
PAYMENT_DATE = dt.date(2026, 11, 20)
SERVICE_RATE = Decimal('2.50')     # a m² and a month, VAT included
GARBAGE_RATE = Decimal('15.00')    # a unit and a month, VAT included
VAT_RATE = Decimal('0.06')
CUSTODY_SHARE = Decimal('0.70')   # of the property service fee
UNITS_PER_BUILDING = 100
SLICE = 1000  # records created at once
# The singletons and tables the books lock: taken first, the step does not
# restart once for each
BOOKS_LOCKS = ['account_configuration', 'account_fiscalyear',
    'account_period', 'kefu_configuration']

UnitPlan = namedtuple('UnitPlan', 'code building area custody owners')


def round_half_up(amount):
    return amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)


def owner_name(index):
    return '业主%06d' % index


def plan(units):
    """The units: code, building number, area (m², 50.00 to 149.99),
    in custody or not, and their owners [(owner name, share)]"""
    result = []
    for i in range(units):
        building, room = divmod(i, UNITS_PER_BUILDING)
        owners = [(owner_name(i), Decimal(100))]
        if i == 1:
            owners = [(owner_name(i), Decimal(40)),
                (owner_name(units + 1), Decimal(60))]
        elif i % 25 == 24:
            owners = [(owner_name(i - 13), Decimal(100))]
        result.append(UnitPlan(
                code='%d-%d%02d' % (building + 1, room // 4 + 1, room % 4 + 1),
                building=building + 1,
                area=Decimal(5000 + (i * 7919) % 10000) / 100,
                custody=i % 9 == 4, owners=owners))
    return result


def payer(unit_plan):
    "The owner with the largest share (the first one on a tie)"
    return max(unit_plan.owners, key=lambda o: o[1])[0]


def gross_amounts(unit_plan):
    """The published arithmetic of the month's two fees of a unit, tax
    included, each rounded half up to the cent (四舍五入)"""
    service = unit_plan.area * SERVICE_RATE
    if unit_plan.custody:
        service *= CUSTODY_SHARE
    return [round_half_up(service), round_half_up(GARBAGE_RATE)]


# Inside a transaction of the database (trytond is imported late: its
# backend is chosen from the configuration when first imported)

def create_books(batch_size, posting_batch_size):
    "The company, its chart, fiscal year, tax, term and fee settings"
    from trytond.modules.account.tests import create_chart, get_fiscalyear
    from trytond.modules.account_invoice.tests import set_invoice_sequences
    from trytond.modules.company.tests import create_company
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Account = pool.get('account.account')
    Configuration = pool.get('kefu.configuration')
    Currency = pool.get('currency.currency')
    FiscalYear = pool.get('account.fiscalyear')
    Journal = pool.get('account.journal')
    PaymentTerm = pool.get('account.invoice.payment_term')
    Tax = pool.get('account.tax')
    User = pool.get('res.user')

    currency = Currency(name="Yuan Renminbi", code='CNY', symbol='¥',
        numeric_code='156', digits=2, rounding=Decimal('0.01'))
    currency.save()
    company = create_company('客服物业管理有限公司', currency)
    User.write([User(Transaction().user)], {
            'companies': [('add', [company.id])], 'company': company.id})
    with Transaction().set_context(
            User.get_preferences(context_only=True)):
        create_chart(company)
        fiscalyear = set_invoice_sequences(
            get_fiscalyear(company, today=dt.date(2026, 1, 1)))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        tax_account, = Account.search([
                ('company', '=', company.id), ('code', '=', '6.3.6')])
        vat = Tax(name="增值税 6%", description="增值税 6%",
            company=company, type='percentage', rate=VAT_RATE,
            invoice_account=tax_account, credit_note_account=tax_account)
        vat.save()
        term = PaymentTerm(name="30天", lines=[{
                    'type': 'remainder',
                    'relativedeltas': [{'days': 30}]}])
        term.save()
        configuration = Configuration(1)
        configuration.fee_journal, = Journal.search(
            [('type', '=', 'revenue')], limit=1)
        configuration.payment_term = term
        configuration.billing_batch_size = batch_size
        configuration.posting_batch_size = posting_batch_size
        configuration.save()
    return company, vat


def create_fees(company, vat):
    from trytond.pool import Pool
    pool = Pool()
    Account = pool.get('account.account')
    FeeType = pool.get('kefu.fee.type')
    revenue, = Account.search([
            ('company', '=', company.id), ('type.revenue', '=', True),
            ('closed', '!=', True)], limit=1)
    service = FeeType(company=company, name="物业服务费", code='WY',
        kind='service', method='per_area', rate=SERVICE_RATE,
        periodicity='monthly', account=revenue, tax=vat,
        custody_rate=CUSTODY_SHARE * 100)
    garbage = FeeType(company=company, name="生活垃圾清运费", code='LJ',
        kind='garbage', method='fixed', rate=GARBAGE_RATE,
        periodicity='monthly', account=revenue, tax=vat)
    FeeType.save([service, garbage])
    return [service, garbage]


def create_register(company, fee_types, units):
    """The estate, its buildings, the owners, the units with their
    ownerships and their unit fees, in slices; return {code: unit id}"""
    from trytond.pool import Pool
    pool = Pool()
    Building = pool.get('kefu.building')
    Estate = pool.get('kefu.estate')
    Party = pool.get('party.party')
    Unit = pool.get('kefu.unit')
    UnitFee = pool.get('kefu.unit.fee')
    units = plan(units)
    estate = Estate(name="湖畔花园", code='HP', company=company)
    estate.save()
    buildings = Building.create([
            {'estate': estate.id, 'code': str(b),
                'name': '%d号楼' % b}
            for b in sorted({u.building for u in units})])
    buildings = {int(b.code): b.id for b in buildings}
    names = sorted({o for u in units for o, _ in u.owners})
    parties = {}
    for start in range(0, len(names), SLICE):
        for party in Party.create([
                    {'name': n, 'addresses': [('create', [{}])]}
                    for n in names[start:start + SLICE]]):
            parties[party.name] = party.id
    ids = {}
    for start in range(0, len(units), SLICE):
        created = Unit.create([{
                    'estate': estate.id, 'building': buildings[u.building],
                    'code': u.code, 'usage': 'residential',
                    'building_area': u.area, 'delivery_state': 'handed_over',
                    'occupancy': 'in_custody' if u.custody else 'occupied',
                    'ownerships': [('create', [{
                                    'party': parties[o], 'share': s,
                                    'date_from': dt.date(2024, 3, 1)}
                                for o, s in u.owners])],
                    } for u in units[start:start + SLICE]])
        UnitFee.create([{
                    'company': company.id, 'unit': unit.id,
                    'fee_type': fee_type.id,
                    'date_from': dt.date(2026, 1, 1)}
                for unit in created for fee_type in fee_types])
        ids.update((u.code, u.id) for u in created)
    return estate, ids


def insert_register(company, fee_types, units):
    """The rows of create_register written with a few INSERT ... SELECT
    FROM unnest(...), for the benchmark's tens of thousands of units
    (the ORM creates about 25 units a second with their validations)"""
    from trytond.modules.kefu_base.unit import natural_key
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Building = pool.get('kefu.building')
    Estate = pool.get('kefu.estate')
    cursor = Transaction().connection.cursor()
    units = plan(units)
    estate = Estate(name="湖畔花园", code='HP', company=company)
    estate.save()
    buildings = Building.create([
            {'estate': estate.id, 'code': str(b), 'name': '%d号楼' % b}
            for b in sorted({u.building for u in units})])
    buildings = {int(b.code): b.id for b in buildings}
    names = sorted({o for u in units for o, _ in u.owners})
    cursor.execute("""
        INSERT INTO party_party (id, active, code, name, create_uid,
            create_date)
        SELECT nextval('party_party_id_seq'), true, 'KF' || n, name, 0,
            now()
        FROM unnest(%s::text[]) WITH ORDINALITY AS t (name, n)
        RETURNING id, name""", (names,))
    parties = {name: id_ for id_, name in cursor}
    cursor.execute("""
        INSERT INTO party_address (id, active, party, invoice, create_uid,
            create_date)
        SELECT nextval('party_address_id_seq'), true, party, false, 0,
            now()
        FROM unnest(%s::int[]) AS t (party)""", (list(parties.values()),))
    cursor.execute("""
        INSERT INTO kefu_unit (id, active, estate, building, code,
            code_sort, usage, building_area, delivery_state, occupancy,
            create_uid, create_date)
        SELECT nextval('kefu_unit_id_seq'), true, %s, building, code,
            code_sort, 'residential', area, 'handed_over', occupancy, 0,
            now()
        FROM unnest(%s::int[], %s::text[], %s::text[], %s::numeric[],
            %s::text[]) AS t (building, code, code_sort, area, occupancy)
        RETURNING id, code""", (
            estate.id, [buildings[u.building] for u in units],
            [u.code for u in units], [natural_key(u.code) for u in units],
            [u.area for u in units],
            ['in_custody' if u.custody else 'occupied' for u in units]))
    ids = dict((code, id_) for id_, code in cursor)
    owned = [(ids[u.code], parties[o], share)
        for u in units for o, share in u.owners]
    cursor.execute("""
        INSERT INTO kefu_unit_ownership (id, unit, party, share, date_from,
            create_uid, create_date)
        SELECT nextval('kefu_unit_ownership_id_seq'), unit, party, share,
            %s, 0, now()
        FROM unnest(%s::int[], %s::int[], %s::numeric[])
            AS t (unit, party, share)""", (
            dt.date(2024, 3, 1), [o[0] for o in owned],
            [o[1] for o in owned], [o[2] for o in owned]))
    for fee_type in fee_types:
        cursor.execute("""
            INSERT INTO kefu_unit_fee (id, company, unit, fee_type,
                date_from, create_uid, create_date)
            SELECT nextval('kefu_unit_fee_id_seq'), %s, unit, %s, %s, 0,
                now()
            FROM unnest(%s::int[]) AS t (unit)""", (
                company.id, fee_type.id, dt.date(2026, 1, 1),
                list(ids.values())))
    cursor.execute('ANALYZE')
    return estate, ids


def fill(database, units, batch_size, posting_batch_size, fast=False):
    """The books, then the fees and the register, each step committed;
    fast: the register's rows inserted in bulk (PostgreSQL)"""
    company, vat = transact(database,
        lambda: [r.id for r in create_books(batch_size, posting_batch_size)],
        lock_tables=BOOKS_LOCKS)

    def register():
        from trytond.pool import Pool
        pool = Pool()
        company_ = pool.get('company.company')(company)
        fee_types = create_fees(company_, pool.get('account.tax')(vat))
        make = insert_register if fast else create_register
        return make(company_, fee_types, units)[0].id
    estate = transact(database, register, company=company)
    return {'company': company, 'estate': estate, 'tax': vat,
        'units': units}


def transact(database, func, lock_tables=(), **context):
    """Return func() run in a transaction of database as root, committed;
    a lock asked for on the way restarts it with the lock taken first, as
    trytond's dispatcher and worker do (Model.lock in 8.0): lock_tables are
    taken at once"""
    from trytond.transaction import Transaction, TransactionError
    extras = {'_lock_tables': list(lock_tables)} if lock_tables else {}
    while True:
        with Transaction().start(database, 0, **extras) as transaction:
            try:
                with transaction.set_context(context):
                    return func()
            except TransactionError as error:
                transaction.rollback()
                transaction.tasks.clear()
                error.fix(extras)


def create_desk():
    "A cash desk at the estate, its payment method and the close settings"
    from trytond.pool import Pool
    pool = Pool()
    Account = pool.get('account.account')
    Configuration = pool.get('kefu.configuration')
    Desk = pool.get('kefu.fee.desk')
    Estate = pool.get('kefu.estate')
    Journal = pool.get('account.journal')
    JournalPeriod = pool.get('account.journal.period')
    PaymentMethod = pool.get('account.invoice.payment.method')
    Period = pool.get('account.period')
    estate, = Estate.search([('code', '=', 'HP')])
    company = estate.company
    cash, = Account.search([
            ('company', '=', company.id), ('code', '=', '1.1.1')])
    suspense, transit = Account.copy([cash] * 2, default={'code': None})
    suspense.name, transit.name = "现金盘盈盘亏", "在途资金"
    Account.save([suspense, transit])
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    method = PaymentMethod(company=company, name="现金", journal=journal,
        debit_account=cash, credit_account=cash)
    method.save()
    configuration = Configuration(1)
    configuration.cash_journal = journal
    configuration.cash_difference_account = suspense
    configuration.cash_in_transit_account = transit
    configuration.save()
    desk = Desk(name="前台", code='A', company=company, estate=estate,
        methods=[{'kind': 'cash', 'payment_method': method.id}])
    desk.save()
    # Not the month's first move of the journal (that one locks the table
    # of journal periods, once)
    JournalPeriod(journal=journal,
        period=Period.find(company, date=PAYMENT_DATE)).save()
    return {'desk': desk.id}


def first_bill(run_id):
    "The run's first bill, whichever state"
    from trytond.pool import Pool
    Invoice = Pool().get('account.invoice')
    return Invoice.search([('kefu_billing_run', '=', run_id)],
        order=[('id', 'ASC')], limit=1)[0]


def warm_up(run_id, desk_id):
    "Read what a payment reads, as a cashier's screen has it read"
    from trytond.modules.kefu_fee.payment import open_invoices
    from trytond.pool import Pool
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    bill = first_bill(run_id)
    charge = Charge.search([('invoice', '=', bill.id)], limit=1)[0]
    open_invoices(bill.company, charge.unit, bill.party)
    pool.get('kefu.fee.desk')(desk_id).method('cash')


def pay_first_bill(run_id, desk_id, date):
    """Take in cash at the desk what the run's first posted bill owes;
    return the receipt, the bill and the amount"""
    from trytond.modules.kefu_fee.payment import open_invoices, take_payment
    from trytond.pool import Pool
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    Desk = pool.get('kefu.fee.desk')
    Invoice = pool.get('account.invoice')
    bill, = Invoice.search([
            ('kefu_billing_run', '=', run_id),
            ('state', '=', 'posted'),
            ], order=[('id', 'ASC')], limit=1)
    charge = Charge.search([('invoice', '=', bill.id)], limit=1)[0]
    invoices = open_invoices(bill.company, charge.unit, bill.party)
    amount = sum(i.amount_to_pay for i in invoices)
    receipt = take_payment(Desk(desk_id), date, charge.unit, bill.party,
        'cash', amount, invoices)
    return {'receipt': receipt.id, 'bills': [i.id for i in invoices],
        'amount': str(amount)}


def new_run():
    from trytond.pool import Pool
    pool = Pool()
    Estate = pool.get('kefu.estate')
    Run = pool.get('kefu.billing.run')
    estate, = Estate.search([('code', '=', 'HP')])
    run = Run(company=estate.company, month=MONTH,
        invoice_date=INVOICE_DATE, estates=[estate])
    run.save()
    return run


# The command line

def company_context():
    "The context of the company's user (root), as a request would have"
    from trytond.pool import Pool
    User = Pool().get('res.user')
    return User.get_preferences(context_only=True)


def run_step(database, step, run_id):
    """Run step in one transaction, then the tasks it queued (when trytond
    runs them in-process); return the result and the seconds"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.worker import run_task

    def click():
        with Transaction().set_context(company_context()):
            Run = Pool().get('kefu.billing.run')
            run = Run(run_id) if run_id else new_run()
            getattr(Run, step)([run])
            return {'run': run.id}
    start = time.perf_counter()
    result = transact(database, click)
    queue = Transaction().tasks  # of the thread, filled by the commit
    tasks = len(queue)
    while queue:
        run_task(Pool(database), queue.pop(0))
    result.update(seconds=time.perf_counter() - start, tasks=tasks)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    subparsers = parser.add_subparsers(dest='action', required=True)
    fill_parser = subparsers.add_parser('fill')
    fill_parser.add_argument('--units', type=int, default=300)
    fill_parser.add_argument('--batch-size', type=int, default=15)
    fill_parser.add_argument('--posting-batch-size', type=int, default=20)
    fill_parser.add_argument('--fast', action='store_true',
        help="insert the register in bulk, without the ORM (PostgreSQL)")
    for name in ['compute', 'post']:
        sub = subparsers.add_parser(name)
        sub.add_argument('--run', type=int, required=name == 'post')
    subparsers.add_parser('desk')
    pay_parser = subparsers.add_parser('pay')
    pay_parser.add_argument('--run', type=int, required=True)
    pay_parser.add_argument('--desk', type=int, required=True)
    args = parser.parse_args()

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(args.database, 0, readonly=True):
        Pool(args.database).init()
    if args.action == 'desk':
        def desk():
            with Transaction().set_context(company_context()):
                return create_desk()
        result = transact(args.database, desk)
    elif args.action == 'pay':
        # A cashier's client has the unit's bills on screen before paying
        with Transaction().start(args.database, 0, readonly=True):
            with Transaction().set_context(company_context()):
                warm_up(args.run, args.desk)
        print(json.dumps({'ready': True}), flush=True)
        sys.stdin.readline()
        start = time.perf_counter()

        def pay():
            with Transaction().set_context(company_context()):
                return pay_first_bill(args.run, args.desk, PAYMENT_DATE)
        result = transact(args.database, pay)
        result['seconds'] = time.perf_counter() - start
    elif args.action == 'fill':
        start = time.perf_counter()
        result = fill(args.database, args.units, args.batch_size,
            args.posting_batch_size, fast=args.fast)
        result['seconds'] = time.perf_counter() - start
    else:
        result = run_step(args.database, args.action, args.run)
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
    main()
