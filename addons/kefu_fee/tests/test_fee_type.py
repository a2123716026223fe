# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fee types and unit fees: what a unit owes for a period (per m², custody,
quarterly periods, proration, tiered metered prices), who pays it, and
what can no longer change once it was billed."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from trytond.model.exceptions import (
    DomainValidationError, RequiredValidationError, SQLConstraintError)
from trytond.modules.account.tests import create_chart
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_fee.exceptions import (
    ChargeError, FeeTypeTierError, UnitFeeBilledError, UnitFeeError)
from trytond.modules.kefu_base.tests.tools import FreshDatabaseTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

JAN = (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
LONG_AGO = dt.date(2020, 1, 1)


def D(text):
    return Decimal(text)


@contextmanager
def undone():
    """Undo what the block wrote, even when it failed: a refused change may
    have written rows before it was refused (the request's transaction is
    rolled back in real use), and on PostgreSQL a refused insert aborts the
    transaction until rolled back to a savepoint"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT kefu_refused')
    try:
        yield
    finally:
        cursor.execute('ROLLBACK TO SAVEPOINT kefu_refused')
        cursor.execute('RELEASE SAVEPOINT kefu_refused')
        transaction.cache.clear()


class Estate:
    "An estate of company with one building, and units built in it"

    def __init__(self, company):
        pool = Pool()
        self.company = company
        self.estate, = pool.get('kefu.estate').create([{
                    'name': "Green Garden", 'code': 'GG',
                    'company': company.id}])
        self.building, = pool.get('kefu.building').create([{
                    'estate': self.estate.id, 'code': '1'}])
        self.owner, = pool.get('party.party').create([{'name': "Wang"}])

    def unit(self, code, area='88.50', occupancy='occupied',
            delivery='handed_over', owners=None, building=None):
        """A unit of area m², owned by owners, a list of (party, share,
        date_from, date_to), by default self.owner alone since 2020"""
        Unit = Pool().get('kefu.unit')
        if owners is None:
            owners = [(self.owner, '100', LONG_AGO, None)]
        unit, = Unit.create([{
                    'estate': self.estate.id,
                    'building': (building or self.building).id,
                    'code': code,
                    'building_area': D(area),
                    'delivery_state': delivery,
                    'occupancy': (
                        occupancy if delivery == 'handed_over' else None),
                    'ownerships': [('create', [{
                                    'party': p.id, 'share': D(s),
                                    'date_from': f, 'date_to': t}
                                for p, s, f, t in owners])],
                    }])
        return unit


def revenue_account(company):
    Account = Pool().get('account.account')
    account, = Account.search([
            ('type.revenue', '=', True),
            ('closed', '!=', True),
            ('company', '=', company.id),
            ], order=[('code', 'ASC')], limit=1)
    return account


def create_fee_type(company, code, rate, **values):
    FeeType = Pool().get('kefu.fee.type')
    values.setdefault('name', code)
    fee_type, = FeeType.create([{
                'company': company.id,
                'code': code,
                'rate': D(rate),
                'account': revenue_account(company).id,
                **values}])
    return fee_type


def subscribe(unit, fee_type, date_from=LONG_AGO, **values):
    UnitFee = Pool().get('kefu.unit.fee')
    unit_fee, = UnitFee.create([{
                'company': fee_type.company.id,
                'unit': unit.id,
                'fee_type': fee_type.id,
                'date_from': date_from,
                **values}])
    return unit_fee


def read(meter, date, value, **values):
    Reading = Pool().get('kefu.meter.reading')
    reading, = Reading.create([{
                'meter': meter.id, 'date': date, 'value': D(value),
                **values}])
    return reading


def consumptions(meter):
    "The consumption of each reading of meter, by date"
    Reading = Pool().get('kefu.meter.reading')
    return {r.date: r.consumption
        for r in Reading.search([('meter', '=', meter.id)])}


class FeeTypeTestCase(FreshDatabaseTestCase):
    "Test the fee types and what a unit owes"
    module = 'kefu_fee'

    def setup_company(self):
        company = create_company()
        with set_company(company):
            create_chart(company)
        return company

    @with_transaction()
    def test_per_area(self):
        "88.50 m² at 2.50 a month: 221.25, billed to the owner"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            unit = estate.unit('1-101')
            service = create_fee_type(company, 'WY', '2.50')
            values = subscribe(unit, service).compute(*JAN)

            self.assertEqual(values['amount'], D('221.25'))
            self.assertEqual(values['area'], D('88.50'))
            self.assertEqual(values['quantity'], D('88.5000'))
            self.assertEqual(values['rate'], D('2.50'))
            self.assertEqual(values['custody_share'], 1)
            self.assertEqual(values['payer'], estate.owner.id)
            self.assertEqual(values['unit'], unit.id)
            self.assertEqual(values['estate'], estate.estate.id)
            self.assertEqual(values['building'], estate.building.id)
            self.assertEqual(
                (values['period_start'], values['period_end']), JAN)

    @with_transaction()
    def test_custody(self):
        "A unit in custody pays 70% of the service fee, rounded half up"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            service = create_fee_type(company, 'WY', '2.50')
            values = subscribe(
                estate.unit('1-101', occupancy='in_custody'),
                service).compute(*JAN)
            # 221.25 × 0.7 = 154.875: half up
            self.assertEqual(values['amount'], D('154.88'))
            self.assertNotEqual(values['amount'], D('154.87'))
            self.assertEqual(values['custody_share'], D('0.7'))
            # 88.30 × 2.50 × 0.7 = 154.525: half up, not half to even
            values = subscribe(
                estate.unit('1-102', area='88.30', occupancy='in_custody'),
                service).compute(*JAN)
            self.assertEqual(values['amount'], D('154.53'))

    @with_transaction()
    def test_custody_only_service(self):
        "Parking and garbage removal are paid in full by a unit in custody"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            unit = estate.unit('1-101', occupancy='in_custody')
            parking = create_fee_type(
                company, 'CW', '150', kind='parking', method='fixed')
            garbage = create_fee_type(
                company, 'LJ', '0.30', kind='garbage')
            values = subscribe(unit, parking).compute(*JAN)
            self.assertEqual(values['amount'], D('150.00'))
            self.assertEqual(values['custody_share'], 1)
            values = subscribe(unit, garbage).compute(*JAN)
            # 88.50 × 0.30 = 26.55
            self.assertEqual(values['amount'], D('26.55'))
            self.assertEqual(values['custody_share'], 1)

    @with_transaction()
    def test_vacant_pays_in_full(self):
        "A vacant unit pays the whole service fee"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            service = create_fee_type(company, 'WY', '2.50')
            values = subscribe(
                estate.unit('1-101', occupancy='vacant'),
                service).compute(*JAN)
            self.assertEqual(values['amount'], D('221.25'))
            self.assertEqual(values['custody_share'], 1)

    @with_transaction()
    def test_quarterly(self):
        "A quarterly fee's period starts in Jan, Apr, Jul, Oct for 3 months"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            quarterly = create_fee_type(
                company, 'WYQ', '2.50', periodicity='quarterly')
            yearly = create_fee_type(
                company, 'WYY', '2.50', periodicity='yearly')
            periods = {
                m: quarterly.period(dt.date(2025, m, 1)) for m in range(1, 13)}
            self.assertEqual(periods, {
                    1: (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
                    2: None, 3: None,
                    4: (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
                    5: None, 6: None,
                    7: (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
                    8: None, 9: None,
                    10: (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
                    11: None, 12: None,
                    })
            self.assertEqual(
                yearly.period(dt.date(2025, 1, 1)),
                (dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
            self.assertIsNone(yearly.period(dt.date(2025, 7, 1)))

            values = subscribe(estate.unit('1-101'), quarterly).compute(
                *periods[4])
            # 88.50 × 2.50 × 3 months
            self.assertEqual(values['amount'], D('663.75'))
            self.assertEqual(values['quantity'], D('265.5000'))

    @with_transaction()
    def test_proration(self):
        "A fee starting or ending in a period pays its days only"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            service = create_fee_type(company, 'WY', '2.50')
            quarterly = create_fee_type(
                company, 'WYQ', '2.50', periodicity='quarterly')
            unit = estate.unit('1-101')
            # from 17 January: 15 days of 31, 221.25 × 15 / 31 = 107.056…
            values = subscribe(
                unit, service, date_from=dt.date(2025, 1, 17)).compute(*JAN)
            self.assertEqual(values['amount'], D('107.06'))
            self.assertEqual(values['quantity'], D('42.8226'))
            # the payer is the owner on the first day paid for
            self.assertEqual(values['payer'], estate.owner.id)

            # until 10 February of the quarter: 41 days of 90
            values = subscribe(
                unit, quarterly, date_from=LONG_AGO,
                date_to=dt.date(2025, 2, 10)).compute(
                dt.date(2025, 1, 1), dt.date(2025, 3, 31))
            # 663.75 × 41 / 90 = 302.3750: half up
            self.assertEqual(values['amount'], D('302.38'))

            # outside its dates a fee is not owed
            fee = subscribe(
                estate.unit('1-102'), service,
                date_from=dt.date(2025, 2, 1))
            self.assertIsNone(fee.compute(*JAN))

    @with_transaction()
    def test_tiers(self):
        "Tiered water: each slice of the consumption at its own rate"
        FeeType = Pool().get('kefu.fee.type')
        company = self.setup_company()
        with set_company(company):
            water = create_fee_type(
                company, 'S', '3.50', kind='on_behalf', method='metered',
                meter_kind='water')
            self.assertEqual(water.metered_amount(D('30')), D('105.00'))
            FeeType.write([water], {'tiers': [('create', [
                                {'quantity_from': D('25'), 'rate': D('6')},
                                {'quantity_from': D('15'), 'rate': D('4.5')},
                                ])]})
            # up to 15 at 3.50, 15 to 25 at 4.50, above 25 at 6.00
            self.assertEqual(
                [t.quantity_from for t in water.tiers], [D('15'), D('25')])
            self.assertEqual(water.metered_amount(D('12')), D('42.00'))
            self.assertEqual(water.metered_amount(D('15')), D('52.50'))
            self.assertEqual(water.metered_amount(D('20')), D('75.00'))
            # 52.50 + 10 × 4.50 + 5 × 6.00
            self.assertEqual(water.metered_amount(D('30')), D('127.50'))
            self.assertEqual(water.metered_amount(D('0')), 0)

            with undone(), self.assertRaisesRegex(
                    FeeTypeTierError, r'same consumption'):
                FeeType.write([water], {'tiers': [('create', [
                                    {'quantity_from': D('25'),
                                        'rate': D('7')}])]})
            with undone(), self.assertRaisesRegex(
                    SQLConstraintError, r'0 or more'):
                FeeType.write([water], {'tiers': [('create', [
                                    {'quantity_from': D('-1'),
                                        'rate': D('7')}])]})
            with undone(), self.assertRaisesRegex(
                    SQLConstraintError, r'greater than zero'):
                FeeType.write([water], {'tiers': [('create', [
                                    {'quantity_from': D('40'),
                                        'rate': D('0')}])]})
            self.assertEqual(len(FeeType(water.id).tiers), 2)
            with undone(), self.assertRaisesRegex(
                    FeeTypeTierError, r'metered'):
                create_fee_type(company, 'WY', '2.50', tiers=[('create', [
                                {'quantity_from': D('10'),
                                    'rate': D('3')}])])

    @with_transaction()
    def test_metered_with_replacement(self):
        "A meter replaced in January: both meters' consumption billed"
        pool = Pool()
        Meter = pool.get('kefu.meter')
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            unit = estate.unit('1-101', occupancy='in_custody')
            water = create_fee_type(
                company, 'S', '3.50', kind='on_behalf', method='metered',
                meter_kind='water', tiers=[('create', [
                            {'quantity_from': D('15'), 'rate': D('4.5')},
                            {'quantity_from': D('25'), 'rate': D('6')},
                            ])])
            meter, = Meter.create([{
                        'unit': unit.id, 'kind': 'water', 'number': 'W1'}])
            read(meter, dt.date(2024, 12, 31), '100')
            read(meter, dt.date(2025, 1, 31), '12', replaced=True,
                old_value=D('130'), new_start=D('0'))
            self.assertEqual(consumptions(meter), {
                    dt.date(2024, 12, 31): 0,
                    dt.date(2025, 1, 31): D('42')})

            values = subscribe(unit, water, meter=meter.id).compute(*JAN)
            # 30 on the old meter and 12 on the new one:
            # 15 × 3.50 + 10 × 4.50 + 17 × 6.00, no custody share
            self.assertEqual(values['quantity'], D('42.0000'))
            self.assertEqual(values['amount'], D('199.50'))
            self.assertEqual(values['custody_share'], 1)
            self.assertIsNone(values['area'])

    @with_transaction()
    def test_metered_needs_meter(self):
        "A metered unit fee needs a meter of its kind and of its unit"
        Meter = Pool().get('kefu.meter')
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            unit = estate.unit('1-101')
            other = estate.unit('1-102')
            water = create_fee_type(
                company, 'S', '3.50', kind='on_behalf', method='metered',
                meter_kind='water')
            power, other_water = Meter.create([
                    {'unit': unit.id, 'kind': 'electricity', 'number': 'E1'},
                    {'unit': other.id, 'kind': 'water', 'number': 'W2'},
                    ])
            with undone(), self.assertRaisesRegex(
                    RequiredValidationError, r'"Meter"'):
                subscribe(unit, water)
            for meter in [power, other_water]:
                with undone(), self.assertRaisesRegex(
                        DomainValidationError, r'"Meter"'):
                    subscribe(unit, water, meter=meter.id)

    @with_transaction()
    def test_payer(self):
        "The largest share pays, the earliest on a tie; a named payer wins"
        Party = Pool().get('party.party')
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            service = create_fee_type(company, 'WY', '2.50')
            li, zhao, sun, tenant = Party.create([
                    {'name': "Li"}, {'name': "Zhao"}, {'name': "Sun"},
                    {'name': "Tenant Co."}])
            unit = estate.unit('1-101', owners=[
                    (li, '40', LONG_AGO, None),
                    (zhao, '60', LONG_AGO, None)])
            fee = subscribe(unit, service)
            self.assertEqual(fee.get_payer(JAN[0]), zhao)
            self.assertEqual(fee.compute(*JAN)['payer'], zhao.id)

            # on a tie, the owner since the earliest date, even created
            # after the other
            tie = estate.unit('1-102', owners=[
                    (zhao, '50', LONG_AGO, dt.date(2022, 12, 31)),
                    (sun, '50', dt.date(2023, 1, 1), None),
                    (li, '50', LONG_AGO, None)])
            tie_fee = subscribe(tie, service)
            self.assertEqual(tie_fee.get_payer(JAN[0]), li)
            # before 2023 Zhao and Li own it since the same day: the
            # ownership recorded first
            self.assertEqual(tie_fee.get_payer(dt.date(2021, 6, 1)), zhao)

            named = subscribe(
                estate.unit('1-103'), service, payer=tenant.id)
            self.assertEqual(named.compute(*JAN)['payer'], tenant.id)

            nobody = subscribe(estate.unit('1-104', owners=[]), service)
            with self.assertRaisesRegex(
                    ChargeError, r'Green Garden 1-104.*no owner'):
                nobody.compute(*JAN)

    @with_transaction()
    def test_overlap(self):
        "A unit pays a fee once on any day"
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            service = create_fee_type(company, 'WY', '2.50')
            unit = estate.unit('1-101')
            subscribe(unit, service, date_to=dt.date(2024, 12, 31))
            subscribe(unit, service, date_from=dt.date(2025, 1, 1))
            with undone(), self.assertRaisesRegex(
                    UnitFeeError, r'already pays'):
                subscribe(unit, service, date_from=dt.date(2025, 6, 1))

    @with_transaction()
    def test_billed_unit_fee(self):
        "A billed unit fee is ended, never deleted nor moved"
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        UnitFee = pool.get('kefu.unit.fee')
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            service = create_fee_type(company, 'WY', '2.50')
            unit = estate.unit('1-101')
            fee = subscribe(unit, service)
            never_billed = subscribe(estate.unit('1-102'), service)
            Charge.create([fee.compute(*JAN)])

            with self.assertRaisesRegex(
                    UnitFeeBilledError, r'billed and cannot be deleted'):
                UnitFee.delete([fee])
            with self.assertRaisesRegex(
                    UnitFeeBilledError, r'billed up to 2025-01-31'):
                UnitFee.write([fee], {'unit': estate.unit('1-103').id})
            with self.assertRaisesRegex(
                    UnitFeeBilledError, r'cannot end before'):
                UnitFee.write([fee], {'date_to': dt.date(2025, 1, 15)})
            UnitFee.write([fee], {'date_to': dt.date(2025, 1, 31)})
            self.assertIsNone(fee.compute(
                    dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
            UnitFee.delete([never_billed])
            self.assertEqual(UnitFee.search([]), [fee])
