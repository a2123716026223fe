# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo-data generator of kefu_base builds a consistent register;
kefu_fee's gives deposits of every kind and state whose totals are on the
accounts to the cent, last month's bank statement posted and the bank's
file of today that the statement rules match."""
import datetime as dt
import glob
import io
import os
import secrets
import tempfile
import unittest
from collections import Counter, defaultdict
from contextlib import redirect_stdout
from decimal import Decimal
from unittest.mock import patch

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

TODAY = dt.date(2026, 11, 23)
UNITS = 200
PASSWORD = secrets.token_urlsafe(12)


class DemoTestCase(unittest.TestCase):
    "kefu_base demo data"

    @classmethod
    def setUpClass(cls):
        activate_module('kefu_base')

    def options(self, **kwargs):
        from trytond.modules.kefu_base.demo import Options
        values = dict(units=UNITS, seed=1, password=PASSWORD, today=TODAY)
        values.update(kwargs)
        return Options(**values)

    def populate(self):
        from trytond.modules.kefu_base import demo
        return demo.populate(self.options())

    # Run as root, like tools/kefu_demo.py
    @with_transaction(user=0)
    def test_register(self):
        "Units, estates, buildings and the area balance"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        Balance = pool.get('kefu.building.area_balance')

        self.assertTrue(self.populate())

        self.assertEqual(Unit.search_count([]), UNITS)
        self.assertEqual(
            [(e.code, e.company.currency.code, e.company.timezone)
                for e in Estate.search([])],
            [('CH', 'CNY', 'Asia/Shanghai'), ('JX', 'CNY', 'Asia/Shanghai')])
        for estate in Estate.search([]):
            self.assertTrue(estate.manager)
            self.assertTrue(Unit.search([('estate', '=', estate.id)]))
        usages = {u.usage for u in Unit.search([])}
        self.assertEqual(usages, {'residential', 'commercial', 'parking'})
        states = Counter(
            (u.delivery_state, u.occupancy) for u in Unit.search([]))
        handed_over = sum(
            n for (d, _), n in states.items() if d == 'handed_over')
        self.assertEqual(set(states), {
                ('unsold', None), ('sold', None), ('handed_over', 'occupied'),
                ('handed_over', 'vacant'), ('handed_over', 'in_custody')})
        self.assertGreater(
            states['handed_over', 'occupied'], handed_over * 3 // 5)
        self.assertGreater(handed_over, UNITS * 3 // 4)
        self.assertTrue(all(
                b.name for b in Building.search([]) if b.code != 'P'))
        for unit in Unit.search([]):
            self.assertTrue(
                Decimal('0.75') * unit.building_area - Decimal('0.01')
                <= unit.inner_area
                <= Decimal('0.85') * unit.building_area + Decimal('0.01'))
        # SQLite sums the areas as floats
        differences = [b.difference.quantize(Decimal('0.01'))
            for b in Balance.search([]) if not b.balanced]
        self.assertEqual(
            sorted(-d for d in differences),
            [Decimal('-0.62'), Decimal('1.37')])

    @with_transaction(user=0)
    def test_owners(self):
        "Every sold unit has owners whose shares sum to 100"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Ownership = pool.get('kefu.unit.ownership')

        self.populate()

        with Transaction().set_context(date=TODAY):
            current = Ownership.search(Ownership.current_domain(
                    [u.id for u in Unit.search([])], date=TODAY))
        shares = defaultdict(Decimal)
        for ownership in current:
            shares[ownership.unit] += ownership.share
        sold = Unit.search([('delivery_state', '!=', 'unsold')])
        self.assertEqual(set(shares), set(sold))
        self.assertEqual(set(shares.values()), {Decimal(100)})
        self.assertTrue(any(len(
                    [o for o in current if o.unit == u]) == 2 for u in sold))
        self.assertTrue(Ownership.search([('date_to', '!=', None)]))
        for ownership in Ownership.search([]):
            self.assertLessEqual(ownership.date_from, TODAY)
            mobiles = [c.value for c in ownership.party.contact_mechanisms
                if c.type == 'mobile']
            self.assertRegex(mobiles[0], r'^(\+86)?1[358]\d{9}$')

    @with_transaction(user=0)
    def test_users(self):
        "One user per group, the front desk in the first estate only"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')

        self.populate()

        def group(name):
            return ModelData.get_id('kefu_base', name)
        expected = {
            'frontdesk': 'group_front_desk',
            'specialist': 'group_specialist',
            'supervisor': 'group_supervisor',
            'manager': 'group_office_manager',
            'engineer': 'group_engineering',
            'security': 'group_security',
            'finance': 'group_finance',
            'titledeed': 'group_title_deed',
            }
        for login, name in expected.items():
            user, = User.search([('login', '=', login)])
            self.assertIn(group(name), [g.id for g in user.groups])
            self.assertEqual(user.company.party.name, '客服物业管理有限公司')
            self.assertTrue(user.employee)
            self.assertEqual(
                [e.code for e in user.kefu_estates],
                ['CH'] if login == 'frontdesk' else ['CH', 'JX'])
            self.assertEqual(
                User.get_login(login, {'password': PASSWORD}), user.id)
        admin, = User.search([('login', '=', 'admin')])
        self.assertTrue({group(n) for n in expected.values()}
            | {group('group_admin')} <= {g.id for g in admin.groups})

    @with_transaction(user=0)
    def test_front_desk(self):
        "Duty logs handed over shift by shift, visitors, registered mail"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Log = pool.get('kefu.duty.log')
        Entry = pool.get('kefu.duty.log.entry')
        Slip = pool.get('kefu.visitor.slip')
        Mail = pool.get('kefu.mail')

        self.populate()

        for estate in Estate.search([]):
            logs = Log.search([('estate', '=', estate.id)],
                order=[('date', 'ASC'), ('shift', 'ASC')])
            # 3 days of day and night shifts, then today's open day shift
            self.assertEqual(len(logs), 7)
            self.assertEqual([l.state for l in logs],
                ['handed_over'] * 6 + ['open'])
            self.assertEqual(logs[-1].date, TODAY)
            for log, following in zip(logs, logs[1:]):
                self.assertEqual(log.next_log, following)
                self.assertEqual(log.receiving_user, following.user)
                self.assertTrue(log.received_by and log.handed_over_by)
                self.assertEqual({e.state for e in log.entries}, {'done'})
            self.assertEqual({e.state for e in logs[-1].entries}, {'open'})
            self.assertTrue(all(
                    e.result for e in Entry.search([('state', '=', 'done')])))
            slips = Slip.search([('estate', '=', estate.id)])
            self.assertEqual(
                Counter(s.state for s in slips), {'left': 11, 'in': 1})
            self.assertTrue(all(
                    s.left_at > s.arrived_at for s in slips if s.left_at))
            mails = Mail.search([('estate', '=', estate.id)])
            self.assertEqual(Counter(m.state for m in mails),
                {'handed_out': 5, 'received': 2, 'returned': 1})
            self.assertTrue(all(m.number for m in mails))

    @with_transaction(user=0)
    def test_keys(self):
        "Owner's keys of the units held, spares, lendings out and overdue"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Key = pool.get('kefu.key')
        Lending = pool.get('kefu.key.lending')

        self.populate()

        held = Unit.search([('occupancy', 'in', ['vacant', 'in_custody'])])
        owner_keys = Key.search([
                ('unit', '!=', None), ('is_spare', '=', False)])
        self.assertEqual(len(owner_keys), 5 * len(held))
        self.assertEqual({k.unit for k in owner_keys}, set(held))
        self.assertTrue(Key.search([('kind', '=', 'public_door')]))
        self.assertEqual(
            Key.search_count([('kind', '=', 'equipment_room'),
                    ('is_spare', '=', False)]), 16)
        without_spare = Key.search_count([
                ('is_spare', '=', False), ('has_spare', '=', False)])
        self.assertGreater(without_spare, 0)
        self.assertLess(without_spare, Key.search_count([]) // 20)
        out = Lending.search([('state', '=', 'lent')])
        self.assertGreaterEqual(len(out), 4)
        self.assertEqual(len({l.key for l in out}), len(out))
        self.assertGreaterEqual(
            Lending.search_count([('overdue', '=', True)]), len(out) // 4)
        self.assertTrue(Lending.search([('state', '=', 'returned')]))
        self.assertFalse(any(l.key.is_spare for l in Lending.search([])))

    @with_transaction(user=0)
    def test_short_password(self):
        "A password Tryton would refuse stops the generator before any work"
        from trytond.exceptions import UserError
        from trytond.modules.kefu_base import demo
        Estate = Pool().get('kefu.estate')

        with self.assertRaises(UserError):
            demo.populate(self.options(password='demo'))
        self.assertEqual(Estate.search_count([]), 0)

    @with_transaction(user=0)
    def test_second_run(self):
        "A second run finds the data and creates nothing"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Party = pool.get('party.party')

        self.assertTrue(self.populate())
        units, parties = Unit.search_count([]), Party.search_count([])

        self.assertFalse(self.populate())
        self.assertEqual(
            (Unit.search_count([]), Party.search_count([])), (units, parties))

    def test_deterministic(self):
        "The same seed draws the same register, another seed another"
        from trytond.modules.kefu_base.demo import RegisterBuilder

        def plan(seed):
            builder = RegisterBuilder(self.options(seed=seed))
            units = builder.plan_units(builder.plan_buildings())
            return [(u['code'], u['delivery_state'], u['occupancy'],
                    u['building_area'],
                    u['ownerships'], u['residents']) for u in units], [
                p['name'] for p in builder.people]
        self.assertEqual(plan(1), plan(1))
        self.assertNotEqual(plan(1), plan(2))


# Both estates have homes from about 70 units on
FEE_UNITS = 100
# The pilot billed the whole year: a few units keep the test short
FEE_PILOT_UNITS = 4
# The deposits of the demo's story: (kind, state): how many
DEPOSITS = {
    ('renovation_owner', 'open'): 8,
    ('renovation_owner', 'closed'): 1,
    ('renovation_owner', 'cancelled'): 1,
    ('renovation_contractor', 'open'): 6,
    ('renovation_contractor', 'closed'): 1,
    ('worker_pass', 'open'): 7,
    ('worker_pass', 'closed'): 3,
    ('key', 'open'): 2,
    ('key', 'closed'): 1,
    ('other', 'open'): 1,
    ('mortgage_guarantee', 'open'): 3,
    ('mortgage_guarantee', 'closed'): 1,
    }
# Their lines: (kind, state): how many
DEPOSIT_LINES = {
    ('receive', 'posted'): 34,
    ('receive', 'reversed'): 1,
    ('deduct', 'posted'): 8,
    ('refund', 'requested'): 4,
    ('refund', 'approved'): 2,
    ('refund', 'processing'): 5,
    ('refund', 'paid'): 6,
    ('refund', 'cancelled'): 1,
    }


def account_balance(code, origin_model=None):
    "debit − credit of the posted lines of the account of code"
    pool = Pool()
    Line = pool.get('account.move.line')
    domain = [('account.code', '=', code), ('move.state', '=', 'posted')]
    if origin_model:
        domain.append(('move.origin', 'like', origin_model + ',%'))
    return sum((l.debit - l.credit for l in Line.search(domain)), Decimal(0))


class FeeDemoTestCase(unittest.TestCase):
    "kefu_fee demo data: the deposit ledger and the bank statements"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('kefu_fee')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def populate(self, folder):
        "The register and the fees of a small demo; return what it printed"
        from trytond.modules.kefu_base import demo as base_demo
        from trytond.modules.kefu_base.demo import Options
        from trytond.modules.kefu_fee import demo as fee_demo
        options = Options(
            units=FEE_UNITS, seed=1, password=PASSWORD, today=TODAY)
        self.assertTrue(base_demo.populate(options))
        output = io.StringIO()
        with Transaction().set_context(
                company=base_demo.demo_company().id), \
                patch.object(fee_demo, 'PILOT_UNITS', FEE_PILOT_UNITS), \
                patch.dict(os.environ, {'KEFU_DEMO_DIR': folder}), \
                redirect_stdout(output):
            self.assertTrue(fee_demo.populate(options))
        return output.getvalue()

    # Run as root, like tools/kefu_demo.py; one demo for both checks
    @with_transaction(user=0)
    def test_deposits_and_statements(self):
        "The deposit ledger's demo and the bank statements'"
        from trytond.modules.kefu_base.demo import demo_company
        with tempfile.TemporaryDirectory() as folder:
            output = self.populate(folder)
            path, = glob.glob(os.path.join(folder, 'bank_statement_*.csv'))
            self.assertIn(path, output)
            with open(path, 'rb') as file:
                data = file.read()
        with Transaction().set_context(company=demo_company().id):
            self.check_statements(data, os.path.basename(path))
            self.check_deposits()

    def check_deposits(self):
        "Deposits of every kind and state, their totals on the accounts"
        pool = Pool()
        Date = pool.get('ir.date')
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')

        with patch.object(Date, 'today', return_value=TODAY):
            deposits = Deposit.search([])
            self.assertEqual(
                Counter((d.kind.code, d.state) for d in deposits), DEPOSITS)
            self.assertEqual(
                Counter((l.kind, l.state) for l in Line.search([])),
                DEPOSIT_LINES)
            ours = [d for d in deposits if d.direction == 'held_by_us']
            banks = [d for d in deposits if d.direction == 'held_by_bank']

            def total(name, deposits):
                return sum(getattr(d, name) for d in deposits)
            self.assertEqual(
                [total(n, ours) for n in [
                        'received', 'deducted', 'refunded', 'held',
                        'refund_pending']],
                [Decimal('17300.00'), Decimal('2620.00'),
                    Decimal('1440.00'), Decimal('13240.00'),
                    Decimal('4680.00')])
            # What is held is what the books owe, to the cent
            self.assertEqual(account_balance('224101'), -total('held', ours))
            self.assertEqual(account_balance('122101'), total('held', banks))
            self.assertEqual(total('held', banks), Decimal('186000.00'))
            self.assertEqual(total('refunded', banks), Decimal('42500.00'))
            # The refunds paid were cleared by last month's statement
            self.assertEqual(account_balance('101204'), Decimal(0))
            # Fines without VAT, the repairs of damage with 6% VAT
            self.assertEqual(
                account_balance('6301', 'kefu.deposit.line'),
                Decimal('-1220.00'))
            self.assertEqual(
                account_balance('6051', 'kefu.deposit.line'),
                Decimal('-1320.76'))
            self.assertEqual(
                account_balance('222101', 'kefu.deposit.line'),
                Decimal('-79.24'))
            for deposit in deposits:
                if deposit.state == 'closed':
                    self.assertTrue(all(l.reconciliation
                            for l in deposit.account_lines()), deposit)
            self.assertEqual(
                Deposit.search([('refund_late', '=', True)], count=True), 8)
            self.assertEqual(Deposit.search([
                        ('refund_due', '=', TODAY), ('state', '=', 'open'),
                        ], count=True), 2)
            # Today's counters are the cashiers' own
            self.assertFalse(Line.search([('date', '=', TODAY)]))

            # The front desk asked, finance approves in the web client
            requested = Line.search([('state', '=', 'requested')])
            self.assertEqual(
                {(l.deposit.estate.code, l.requested_by.login)
                    for l in requested}, {('CH', 'frontdesk')})
            finance, = User.search([('login', '=', 'finance')])
            for group in ['account_payment.group_payment',
                    'account_payment.group_payment_approval',
                    'account_statement.group_statement']:
                self.assertIn(ModelData.get_id(*group.split('.')),
                    [g.id for g in finance.groups])
            with Transaction().set_user(finance.id), \
                    Transaction().set_context(_check_access=True):
                Line.read([l.id for l in requested],
                    ['payment.rec_name', 'move.rec_name', 'bank_reconciled'])
                Line.approve(requested[:1])
            self.assertEqual(Line(requested[0].id).state, 'approved')

    def check_statements(self, data, file_name):
        """Last month's statement posted; the bank's file left to import
        matches the refunds being paid and the residents' transfers"""
        pool = Pool()
        Statement = pool.get('account.statement')
        Payment = pool.get('account.payment')
        Invoice = pool.get('account.invoice')

        text = data.decode('gbk')
        self.assertTrue(text.startswith('中国工商银行账户历史明细\r\n'))
        self.assertIn('交易日期,交易流水号,摘要,借方发生额,贷方发生额,余额,'
            '对方单位名称,对方账号,用途\r\n', text)

        previous, = Statement.search([])
        self.assertEqual(previous.state, 'posted')
        self.assertEqual(previous.start_balance, Decimal('1286450.36'))
        self.assertEqual(len(previous.lines), 5)
        self.assertEqual({l.related_to.state for l in previous.lines},
            {'succeeded'})
        self.assertTrue(all(
                l.related_to.clearing_reconciled for l in previous.lines))

        company = previous.company
        Import = pool.get('account.statement.import', type='wizard')
        session_id, _, _ = Import.create()
        Import.execute(session_id, {'start': {
                    'company': company.id,
                    'file_': data,
                    'file_format': 'kefu_cn_bank',
                    'kefu_journal': previous.journal.id,
                    'kefu_file_name': file_name,
                    }}, 'import_')
        Import.delete(session_id)
        statement, = Statement.search([('id', '!=', previous.id)])
        self.assertEqual(statement.start_balance, previous.end_balance)
        self.assertEqual(len(statement.origins), 8)
        refunds = {l.related_to for l in statement.lines if l.amount < 0}
        self.assertEqual(refunds, set(Payment.search([
                        ('state', '=', 'processing')])))
        self.assertEqual(len(refunds), 5)
        transfers = [l for l in statement.lines if l.amount > 0]
        self.assertEqual(len(transfers), 2)
        for line in transfers:
            self.assertIsInstance(line.related_to, Invoice)
            self.assertEqual(line.amount, line.related_to.amount_to_pay)
        unmatched, = [o for o in statement.origins if not o.lines]
        self.assertEqual(
            (unmatched.amount, unmatched.information['kefu_party_name']),
            (Decimal('1350.00'), '陈晓东'))
