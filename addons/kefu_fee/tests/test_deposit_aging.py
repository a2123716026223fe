# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The deposit aging (押金账龄): the open deposits holding money counted
and summed by estate and kind in the buckets of the arrears report, on
15 January 2026 and on 30 November 2025, to the cent (a deduction and a
requested refund in, a refunded and a released deposit and one never
received out, the bucket limits to the day); a row opening its deposits;
who may read it; the deposits' age in days and the tab of the deposits
held over a year, with the server's today."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_fee.tests.test_deposit import (
    new_deposit, setup_deposit_books)
from trytond.modules.kefu_fee.tests.test_payment import (
    setup_books, setup_estate)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import TestCase, with_transaction
from trytond.transaction import Transaction

D = dt.date
AS_OF = D(2026, 1, 15)
FIGURES = ['count_0_3', 'held_0_3', 'count_3_6', 'held_3_6',
    'count_6_12', 'held_6_12', 'count_12', 'held_12', 'deposits', 'held']


def figures(*values):
    """(count, held) per bucket, then the total count and held, as the
    report gives them"""
    return tuple(Decimal(v) if isinstance(v, str) else v for v in values)


class DepositAgingTestCase(FreshDatabaseTestCase):
    "Test the deposit aging"
    module = 'kefu_fee'

    @contextmanager
    def setup(self):
        """Deposits of Green Garden (renovation, worker passes) and of Lake
        View (the banks' mortgage guarantees), received in 2025"""
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Estate = pool.get('kefu.estate')
        Kind = pool.get('kefu.deposit.kind')
        Party = pool.get('party.party')
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            setup_deposit_books(company, books)
            site = setup_estate(company, books)
            method = site.desk.method('cash')
            clerk = create_user('clerk', company, site.estate)
            env = SimpleNamespace(
                company=company, books=books, site=site, clerk=clerk)

            def received(kind, date, amount):
                deposit = new_deposit(site, kind)
                Deposit.receive(
                    deposit, Decimal(amount), date=date, method=method)
                return deposit

            def guarantee(date, amount):
                deposit = Deposit(estate=env.lake, party=bank,
                    kind=Kind.get('mortgage_guarantee'))
                deposit.save()
                Deposit.receive(deposit, Decimal(amount), date=date)
                return deposit
            # Renovation, Green Garden
            env.d1 = received('renovation_owner', D(2025, 12, 1), '1000.00')
            # 3 months to the day before 15 January: 3–6 months
            env.d2 = received('renovation_owner', D(2025, 10, 15), '2000.00')
            Deposit.deduct(env.d2, Decimal('150.50'), books.lost_pass,
                date=D(2025, 11, 3))
            # A refund requested and not paid: the money is still held
            env.d3 = received('renovation_owner', D(2025, 3, 10), '3000.00')
            with as_user(clerk):
                Deposit.request_refund(
                    env.d3, Decimal('1000.00'), date=D(2025, 12, 20))
            # 12 months to the day: over 12 months
            env.d4 = received('renovation_owner', D(2025, 1, 15), '500.00')
            # Refunded and closed: not held any more
            env.d5 = received('renovation_owner', D(2025, 1, 10), '800.00')
            self.refund(env, env.d5, D(2025, 6, 2))
            # Never received
            env.d6 = new_deposit(site)
            # Worker passes, Green Garden
            env.w1 = received('worker_pass', D(2025, 11, 20), '200.00')
            env.w2 = received('worker_pass', D(2025, 6, 30), '200.00')
            # A day younger than 6 months: 3–6 months
            env.w3 = received('worker_pass', D(2025, 7, 16), '200.00')
            # Mortgage guarantees, Lake View
            env.lake = Estate(name="Lake View", code='LV', company=company)
            env.lake.save()
            bank = Party(name="ICBC Lake View Branch")
            bank.save()
            env.g1 = guarantee(D(2025, 2, 20), '60000.00')
            env.g2 = guarantee(D(2025, 4, 1), '30000.00')
            Deposit.release(env.g2, D(2025, 9, 1), Decimal('30000.00'))
            self.assertEqual(
                [Deposit(d.id).state for d in [env.d5, env.g2, env.d6]],
                ['closed', 'closed', 'open'])
            yield env

    def refund(self, env, deposit, date):
        "Request, approve, pay and clear the refund of all of deposit"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        Payment = pool.get('account.payment')
        with as_user(env.clerk):
            line = Deposit.request_refund(deposit, date=date)
        Line.approve([line])
        Line.pay([line])
        with Transaction().set_context(clearing_date=date):
            Payment.succeed([line.payment])

    def aging(self, env, date, domain=None):
        Aging = Pool().get('kefu.deposit.aging')
        with Transaction().set_context(date=date):
            rows = Aging.search(
                [('company', '=', env.company.id)] + (domain or []))
            return {(r.estate.code, r.kind.code):
                tuple(getattr(r, f) for f in FIGURES) for r in rows}

    @with_transaction()
    def test_buckets(self):
        "Counts and money held by estate, kind and age on 15 January 2026"
        Aging = Pool().get('kefu.deposit.aging')
        with self.setup() as env:
            rows = self.aging(env, AS_OF)
            self.assertEqual(rows, {
                    ('GG', 'renovation_owner'): figures(
                        1, '1000.00', 1, '1849.50', 1, '3000.00',
                        1, '500.00', 4, '6349.50'),
                    ('GG', 'worker_pass'): figures(
                        1, '200.00', 1, '200.00', 1, '200.00',
                        0, '0.00', 3, '600.00'),
                    ('LV', 'mortgage_guarantee'): figures(
                        0, '0.00', 0, '0.00', 1, '60000.00',
                        0, '0.00', 1, '60000.00'),
                    })
            self.assertEqual(
                sum(r[-2] for r in rows.values()), 8)
            self.assertEqual(
                sum(r[-1] for r in rows.values()), Decimal('66949.50'))
            with Transaction().set_context(date=AS_OF):
                row, = Aging.search([
                        ('kind.code', '=', 'renovation_owner')])
                self.assertEqual(row.oldest_date, D(2025, 1, 15))
                self.assertEqual(row.direction, 'held_by_us')
                self.assertEqual(row.company, env.company)
                lake, = Aging.search([('estate', '=', env.lake.id)])
                self.assertEqual(lake.direction, 'held_by_bank')

    @with_transaction()
    def test_earlier_date(self):
        """On 30 November 2025 the deposit of December is left out and the
        others are younger"""
        with self.setup() as env:
            rows = self.aging(env, D(2025, 11, 30))
            self.assertEqual(rows[('GG', 'renovation_owner')], figures(
                    1, '1849.50', 0, '0.00', 2, '3500.00', 0, '0.00',
                    3, '5349.50'))
            self.assertEqual(rows[('GG', 'worker_pass')], figures(
                    1, '200.00', 2, '400.00', 0, '0.00', 0, '0.00',
                    3, '600.00'))

    @with_transaction()
    def test_today_by_default(self):
        "Without a date the report ages at ir.date's today"
        Date = Pool().get('ir.date')
        with self.setup() as env:
            with patch.object(Date, 'today', return_value=AS_OF):
                self.assertEqual(
                    self.aging(env, None), self.aging(env, AS_OF))
                Context = Pool().get('kefu.deposit.aging.context')
                self.assertEqual(Context.default_date(), AS_OF)

    @with_transaction()
    def test_open_row(self):
        "A row opens the deposits it counts"
        pool = Pool()
        Aging = pool.get('kefu.deposit.aging')
        Deposit = pool.get('kefu.deposit')
        Open = pool.get('kefu.deposit.aging.open', type='wizard')
        with self.setup() as env:
            with Transaction().set_context(date=AS_OF):
                row, = Aging.search([
                        ('kind.code', '=', 'renovation_owner')])
            session_id, _, _ = Open.create()
            with Transaction().set_context(date=AS_OF,
                    active_model=Aging.__name__, active_id=row.id,
                    active_ids=[row.id]):
                result = Open.execute(session_id, {}, 'open_')
            Open.delete(session_id)
            (action, _), = result['actions']
            self.assertEqual(action['res_model'], 'kefu.deposit')
            self.assertIn("Green Garden", action['name'])
            domain = PYSONDecoder().decode(action['pyson_domain'])
            self.assertEqual(
                sorted(d.id for d in Deposit.search(domain)),
                sorted(d.id for d in [env.d1, env.d2, env.d3, env.d4]))

    @with_transaction()
    def test_access(self):
        "Finance reads the aging; the front desk does not"
        Aging = Pool().get('kefu.deposit.aging')
        with self.setup() as env:
            accountant = create_user('accountant', env.company,
                env.site.estate, 'group_finance')
            with as_user(accountant), Transaction().set_context(
                    date=AS_OF):
                self.assertEqual(len(Aging.search([])), 3)
            with as_user(env.clerk):
                with self.assertRaises(AccessError):
                    Aging.search([])

    @with_transaction()
    def test_age_and_held_over_year(self):
        """The age in days and the 持有超过一年 tab, at the server's today:
        a year to the day is over a year; closed and never received have
        no age"""
        pool = Pool()
        ActionDomain = pool.get('ir.action.act_window.domain')
        Date = pool.get('ir.date')
        Deposit = pool.get('kefu.deposit')
        ModelData = pool.get('ir.model.data')
        tab = ActionDomain(ModelData.get_id(
                'kefu_fee', 'act_deposit_form_domain_over_year'))
        tab_domain = PYSONDecoder().decode(tab.domain)
        with self.setup() as env:
            everything = Deposit.search([])
            self.assertEqual(len(everything), 11)
            with patch.object(Date, 'today', return_value=AS_OF):
                ages = {d.id: d.age for d in Deposit.browse(everything)}
                self.assertEqual(ages[env.d4.id], 365)
                self.assertEqual(ages[env.d3.id], 311)
                self.assertEqual(ages[env.d1.id], 45)
                for deposit in [env.d5, env.d6, env.g2]:
                    self.assertIsNone(ages[deposit.id])
                self.assertEqual(Deposit.search(tab_domain), [env.d4])
                self.assertEqual(Deposit.search_count(tab_domain), 1)
                self.assertEqual(
                    {d for d in Deposit.browse(everything)
                        if d.held_over_year}, {env.d4})
                self.assertEqual(
                    len(Deposit.search([('held_over_year', '=', False)])),
                    10)
                self.assertEqual(
                    set(Deposit.search([('age', '<', 60)])),
                    {env.d1, env.w1})
                self.assertEqual(
                    Deposit.search([('age', '>=', 365)]), [env.d4])
                self.assertEqual(
                    set(Deposit.search([('age', '=', None)])),
                    {env.d5, env.d6, env.g2})
                self.assertEqual(
                    Deposit.search([('age', 'in', [45, 311])], order=[
                            ('date', 'ASC')]), [env.d3, env.d1])
                # w2 is 199 days old
                self.assertEqual(
                    set(Deposit.search([('age', '>', 199)])),
                    {env.d3, env.d4, env.g1})
                self.assertEqual(
                    set(Deposit.search([('age', '>=', 199)])),
                    {env.d3, env.d4, env.g1, env.w2})
                self.assertEqual(
                    len(Deposit.search([('age', '!=', 199)])), 7)
            with patch.object(Date, 'today', return_value=AS_OF
                    - dt.timedelta(1)):
                self.assertEqual(Deposit.search(tab_domain), [])
                self.assertEqual(Deposit(env.d4.id).age, 364)


del TestCase
