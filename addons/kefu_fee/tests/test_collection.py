# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The collection rate (收缴率) and the arrears by age, with figures counted
by hand.

The charges are written as billing and the desk would leave them (states,
amounts paid and dates of payment): the reports only read them.  Units
1-101 and 1-102 are in building 1, unit 2-101 in building 2."""
import datetime as dt
from decimal import Decimal

from trytond.modules.account.tests import create_chart
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_base.tests.tools import FreshDatabaseTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import TestCase, with_transaction
from trytond.transaction import Transaction

D = dt.date
FIGURES = ['billed', 'collected', 'open_amount', 'rate', 'arrears_collected']


def money(*values):
    return tuple(None if v is None else Decimal(v) for v in values)


class CollectionTestCase(FreshDatabaseTestCase):
    "Test the collection rate and the arrears report"
    module = 'kefu_fee'

    def setup_estate(self, company):
        "Two buildings, three units, two payers and a service fee"
        pool = Pool()
        Account = pool.get('account.account')
        Building = pool.get('kefu.building')
        Estate = pool.get('kefu.estate')
        FeeType = pool.get('kefu.fee.type')
        Party = pool.get('party.party')
        Unit = pool.get('kefu.unit')
        create_chart(company)
        revenue, = Account.search([
                ('company', '=', company.id),
                ('type.revenue', '=', True),
                ('closed', '!=', True),
                ], limit=1)
        estate = Estate(name="Garden", code='G', company=company)
        estate.save()
        b1, b2 = Building.create([
                {'estate': estate.id, 'code': '1', 'floors': 10},
                {'estate': estate.id, 'code': '2', 'floors': 10},
                ])
        units = Unit.create([{
                    'estate': estate.id, 'building': b.id, 'code': code,
                    'building_area': Decimal(100),
                    } for b, code in [
                    (b1, '1-101'), (b1, '1-102'), (b2, '2-101')]])
        fee = FeeType(company=company, name="Service", code='SVC',
            rate=Decimal(1), account=revenue, custody_rate=Decimal(70))
        fee.save()
        payers = Party.create([{'name': "Wang"}, {'name': "Li"}])
        return estate, (b1, b2), units, fee, payers

    def create_charges(self, company, estate, units, fee, payers, rows):
        """Charges of fee for rows of (unit index, period start, amount,
        state, paid, paid date); the payer of unit i is payers[i % 2]"""
        Charge = Pool().get('kefu.fee.charge')
        return Charge.create([{
                    'company': company.id,
                    'estate': estate.id,
                    'building': units[u].building.id,
                    'unit': units[u].id,
                    'fee_type': fee.id,
                    'payer': payers[u % 2].id,
                    'period_start': start,
                    'period_end': start.replace(day=28),
                    'rate': Decimal(1),
                    'quantity': Decimal(amount),
                    'amount': Decimal(amount),
                    'description': "Service %s" % start,
                    'state': state,
                    'paid_amount': Decimal(paid),
                    'paid_date': paid_date,
                    } for u, start, amount, state, paid, paid_date in rows])

    def fixture(self):
        company = create_company()
        estate, buildings, units, fee, payers = self.setup_estate(company)
        self.create_charges(company, estate, units, fee, payers, [
                (0, D(2025, 12, 1), 100, 'paid', 100, D(2026, 3, 2)),
                (0, D(2026, 1, 1), 100, 'paid', 100, D(2026, 1, 10)),
                (1, D(2026, 1, 1), 200, 'posted', 0, None),
                (2, D(2026, 1, 1), 150, 'paid', 150, D(2026, 3, 5)),
                (0, D(2026, 2, 1), 100, 'posted', 40, D(2026, 2, 15)),
                (1, D(2026, 2, 1), 200, 'cancelled', 0, None),
                (1, D(2026, 2, 1), 180, 'posted', 0, None),
                (2, D(2026, 2, 1), 150, 'paid', 150, D(2026, 2, 20)),
                (0, D(2026, 3, 1), 100, 'paid', 100, D(2026, 3, 31)),
                (0, D(2026, 5, 1), 100, 'posted', 0, None),
                (2, D(2025, 1, 1), 120, 'posted', 20, D(2025, 2, 10)),
                (2, D(2025, 6, 1), 90, 'posted', 0, None),
                ])
        return company, estate, buildings, units, payers

    @with_transaction()
    def test_collection_by_building(self):
        "Billed, collected, rate and arrears collected per building, month"
        Rate = Pool().get('kefu.fee.collection')
        company, estate, (b1, b2), _, _ = self.fixture()
        with set_company(company):
            rows = Rate.search([('company', '=', company.id)])
        figures = {(r.building, r.month): money(
                    *(getattr(r, f) for f in FIGURES)) for r in rows}
        self.assertEqual(figures, {
                (b1, D(2025, 12, 1)): money(100, 100, 0, '100.00', 0),
                (b1, D(2026, 1, 1)): money(300, 100, 200, '33.33', 0),
                (b1, D(2026, 2, 1)): money(280, 40, 240, '14.29', 0),
                (b1, D(2026, 3, 1)): money(100, 100, 0, '100.00', 100),
                (b1, D(2026, 5, 1)): money(100, 0, 100, '0.00', 0),
                (b2, D(2025, 1, 1)): money(120, 20, 100, '16.67', 0),
                (b2, D(2025, 2, 1)): money(0, 0, 0, None, 20),
                (b2, D(2025, 6, 1)): money(90, 0, 90, '0.00', 0),
                (b2, D(2026, 1, 1)): money(150, 150, 0, '100.00', 0),
                (b2, D(2026, 2, 1)): money(150, 150, 0, '100.00', 0),
                (b2, D(2026, 3, 1)): money(0, 0, 0, None, 150),
                })
        self.assertTrue(all(r.estate == estate for r in rows))
        self.assertEqual(len({r.id for r in rows}), len(rows))

    @with_transaction()
    def test_collection_by_month(self):
        "A month's rate is computed over the estate, not summed"
        Month = Pool().get('kefu.fee.collection.month')
        company, estate, _, _, _ = self.fixture()
        with set_company(company), Transaction().set_context(
                estate=estate.id):
            rows = Month.search([
                    ('month', '>=', D(2026, 1, 1)),
                    ('month', '<=', D(2026, 3, 1)),
                    ])
        self.assertEqual(
            [(r.month,) + money(*(getattr(r, f) for f in FIGURES))
                for r in rows], [
                (D(2026, 3, 1),) + money(100, 100, 0, '100.00', 250),
                (D(2026, 2, 1),) + money(430, 190, 240, '44.19', 0),
                (D(2026, 1, 1),) + money(450, 250, 200, '55.56', 0),
                ])

    @with_transaction()
    def test_collection_by_month_other_company(self):
        "The months of another company show nothing"
        Month = Pool().get('kefu.fee.collection.month')
        company, _, _, _, _ = self.fixture()
        other = create_company(name="Other")
        with set_company(other):
            self.assertEqual(Month.search([]), [])
        with set_company(company):
            self.assertEqual(len(Month.search([])), 8)

    def arrears(self, company, date):
        Arrears = Pool().get('kefu.fee.arrears')
        with set_company(company), Transaction().set_context(date=date):
            rows = Arrears.search([('company', '=', company.id)])
        return {(r.building.code, r.unit.code, r.payer.name): money(
                    r.open_0_3, r.open_3_6, r.open_6_12, r.open_12,
                    r.total) for r in rows}

    @with_transaction()
    def test_arrears_buckets(self):
        "Open amounts of posted charges by age on 15 April 2026"
        company, _, _, _, _ = self.fixture()
        self.assertEqual(self.arrears(company, D(2026, 4, 15)), {
                # Feb partly paid (60 open); May not due yet
                ('1', '1-101', "Wang"): money(60, 0, 0, 0, 60),
                # Feb 180 (the cancelled 200 left out), Jan 200
                ('1', '1-102', "Li"): money(180, 200, 0, 0, 380),
                # Jun 2025 90, Jan 2025 120 less 20 paid
                ('2', '2-101', "Wang"): money(0, 0, 90, 100, 190),
                })

    @with_transaction()
    def test_arrears_bucket_limits(self):
        "A period started three months ago to the day is 3–6 months old"
        company, _, _, _, _ = self.fixture()
        before = self.arrears(company, D(2026, 3, 31))
        self.assertEqual(before[('1', '1-102', "Li")],
            money(380, 0, 0, 0, 380))
        on = self.arrears(company, D(2026, 4, 1))
        self.assertEqual(on[('1', '1-102', "Li")],
            money(180, 200, 0, 0, 380))
        # 1 January 2025 is 12 months old on 1 January 2026
        year = self.arrears(company, D(2026, 1, 1))
        self.assertEqual(year[('2', '2-101', "Wang")],
            money(0, 0, 90, 100, 190))

    @with_transaction()
    def test_arrears_search_unit_payer(self):
        "The arrears are found by unit code and by payer name"
        Arrears = Pool().get('kefu.fee.arrears')
        company, _, _, _, _ = self.fixture()
        with set_company(company), Transaction().set_context(
                date=D(2026, 4, 15)):
            by_unit, = Arrears.search([('unit.code', '=', '1-102')])
            by_payer = Arrears.search([('payer.rec_name', 'ilike', '%wang%')])
        self.assertEqual(by_unit.total, Decimal(380))
        self.assertEqual(sorted(r.total for r in by_payer),
            [Decimal(60), Decimal(190)])


del TestCase
