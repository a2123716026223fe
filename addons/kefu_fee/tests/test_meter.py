# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Meters and readings: a reading below the previous one refused (in
Chinese too), a reading inserted or deleted between others, readings a
bill used frozen; the Subscribe Units wizard; who may change fees, rates
and readings."""
import datetime as dt
import os

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_fee.exceptions import (
    MeterReadingBilledError, MeterReadingError)
from trytond.modules.kefu_fee.tests.test_fee_type import (
    JAN, D, Estate, consumptions, create_fee_type, read, subscribe, undone)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.modules.account.tests import create_chart


def day(month, day):
    return dt.date(2025, month, day)


def create_meter(unit, kind='water', number='W1'):
    Meter = Pool().get('kefu.meter')
    meter, = Meter.create([{
                'unit': unit.id, 'kind': kind, 'number': number}])
    return meter


class MeterTestCase(FreshDatabaseTestCase):
    "Test the meters, their readings and the subscription of units"
    module = 'kefu_fee'

    def setup_company(self):
        company = create_company()
        with set_company(company):
            create_chart(company)
        return company

    @with_transaction()
    def test_reading_below_previous(self):
        "A reading below the previous one is refused, in the user's language"
        pool = Pool()
        Translation = pool.get('ir.translation')
        Reading = pool.get('kefu.meter.reading')
        Translation.translation_import(
            'zh_CN', 'kefu_fee',
            os.path.join(os.path.dirname(__file__), '..', 'locale',
                'zh_CN.po'))
        company = self.setup_company()
        with set_company(company):
            meter = create_meter(Estate(company).unit('1-101'))
            read(meter, day(1, 31), '120.50')
            with undone(), self.assertRaisesRegex(
                    MeterReadingError,
                    r'^The reading 118.00 of the meter "Green Garden 1-101 '
                    r'W1" on 2025-02-28 is below the previous one \(120.50 '
                    r'on 2025-01-31\): check the figure, or tick "Meter '
                    r'Replaced"'):
                read(meter, day(2, 28), '118.00')
            with Transaction().set_context(language='zh_CN'), undone(), \
                    self.assertRaisesRegex(
                        MeterReadingError,
                        r'^表具“Green Garden 1-101 W1”在 2025-02-28 的读数 '
                        r'118.00 小于上次读数（2025-01-31 的 120.50）：'
                        r'请核对读数；如已换表，请勾选“已换表”'):
                read(meter, day(2, 28), '118.00')
            # recorded as a replacement it is accepted: 9.50 + 18.00
            reading = read(meter, day(2, 28), '18.00', replaced=True,
                old_value=D('130.00'), new_start=D('0'))
            self.assertEqual(reading.previous_value, D('120.50'))
            self.assertEqual(reading.consumption, D('27.50'))
            # but not when the old meter's last reading is below
            with undone(), self.assertRaises(MeterReadingError):
                read(meter, day(3, 31), '20', replaced=True,
                    old_value=D('10'), new_start=D('0'))
            self.assertEqual(len(Reading.search([])), 2)

    @with_transaction()
    def test_reading_inserted_and_deleted(self):
        "A reading between two others splits the later one's consumption"
        Reading = Pool().get('kefu.meter.reading')
        company = self.setup_company()
        with set_company(company):
            meter = create_meter(Estate(company).unit('1-101'))
            read(meter, day(1, 31), '100')
            march = read(meter, day(3, 31), '160')
            self.assertEqual(consumptions(meter), {
                    day(1, 31): 0, day(3, 31): D('60')})

            february = read(meter, day(2, 28), '130')
            self.assertEqual(consumptions(meter), {
                    day(1, 31): 0, day(2, 28): D('30'),
                    day(3, 31): D('30')})
            self.assertEqual(Reading(march.id).previous_value, D('130'))
            self.assertEqual(meter.consumption(day(3, 1), day(3, 31)), 30)

            # corrected, the next one follows
            Reading.write([february], {'value': D('145')})
            self.assertEqual(consumptions(meter), {
                    day(1, 31): 0, day(2, 28): D('45'),
                    day(3, 31): D('15')})
            # above the next one: refused for the next one's sake
            with undone(), self.assertRaisesRegex(
                    MeterReadingError, r'reading 160 .* on 2025-03-31 is '
                    r'below the previous one \(170 on 2025-03-15\)'):
                read(meter, day(3, 15), '170')
            with undone(), self.assertRaises(MeterReadingError):
                Reading.write([february], {'value': D('161')})

            # moved after March, both neighbours follow
            Reading.write([february], {'date': day(4, 30), 'value': D('170')})
            self.assertEqual(consumptions(meter), {
                    day(1, 31): 0, day(3, 31): D('60'),
                    day(4, 30): D('10')})

            Reading.delete([march])
            self.assertEqual(consumptions(meter), {
                    day(1, 31): 0, day(4, 30): D('70')})
            self.assertEqual(meter.consumption(day(1, 1), day(4, 30)), 70)

    @with_transaction()
    def test_billed_reading_frozen(self):
        "The readings of a billed period cannot be added, changed, deleted"
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Reading = pool.get('kefu.meter.reading')
        company = self.setup_company()
        with set_company(company):
            unit = Estate(company).unit('1-101')
            meter = create_meter(unit)
            water = create_fee_type(
                company, 'S', '3.50', kind='on_behalf', method='metered',
                meter_kind='water')
            fee = subscribe(unit, water, meter=meter.id)
            read(meter, day(1, 1), '100')
            january = read(meter, day(1, 31), '112.40')
            charge, = Charge.create([fee.compute(*JAN)])
            # 12.40 × 3.50
            self.assertEqual(charge.amount, D('43.40'))

            message = r'billed up to 2025-01-31'
            with self.assertRaisesRegex(MeterReadingBilledError, message):
                Reading.delete([january])
            with self.assertRaisesRegex(MeterReadingBilledError, message):
                Reading.write([january], {'value': D('113')})
            february = read(meter, day(2, 28), '120')
            with self.assertRaisesRegex(MeterReadingBilledError, message):
                Reading.write([february], {'date': day(1, 30)})
            Reading.write([february], {'value': D('121')})
            self.assertEqual(Reading(february.id).consumption, D('8.60'))

            # a cancelled bill frees them
            Charge.cancel([charge])
            Reading.delete([february])
            Reading.write([january], {'value': D('113')})
            self.assertEqual(consumptions(meter), {
                    day(1, 1): 0, day(1, 31): D('13')})

            # billed again: no reading can slip into the period
            Charge.create([fee.compute(*JAN)])
            with undone(), self.assertRaisesRegex(
                    MeterReadingBilledError, message):
                read(meter, day(1, 20), '105')
            self.assertEqual(consumptions(meter), {
                    day(1, 1): 0, day(1, 31): D('13')})

    @with_transaction()
    def test_subscribe_units(self):
        "The units handed over of the buildings chosen start paying a fee"
        pool = Pool()
        Building = pool.get('kefu.building')
        UnitFee = pool.get('kefu.unit.fee')
        Subscribe = pool.get('kefu.unit.fee.subscribe', type='wizard')
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            other, = Building.create([{
                        'estate': estate.estate.id, 'code': '2'}])
            a = estate.unit('1-101')
            b = estate.unit('1-102', occupancy='in_custody')
            estate.unit('1-103', delivery='sold', owners=[])
            c = estate.unit('1-104')
            d = estate.unit('2-101', building=other)
            service = create_fee_type(company, 'WY', '2.50')
            water = create_fee_type(
                company, 'S', '3.50', kind='on_behalf', method='metered',
                meter_kind='water')
            subscribe(c, service, date_from=day(6, 1))
            create_meter(a, kind='electricity', number='E1')
            meter_b = create_meter(b)

            def run(fee_type, buildings=()):
                session_id, _, _ = Subscribe.create()
                result = Subscribe.execute(session_id, {'start': {
                            'company': company.id,
                            'fee_type': fee_type.id,
                            'estate': estate.estate.id,
                            'buildings': [x.id for x in buildings],
                            'date_from': day(1, 1),
                            }}, 'subscribe')
                Subscribe.delete(session_id)
                return result['view']['defaults']

            self.assertEqual(run(service, [estate.building]), {
                    'created': 2, 'already': 1, 'no_meter': 0})
            self.assertEqual(
                {(f.unit, f.date_from) for f in UnitFee.search(
                        [('fee_type', '=', service.id)])},
                {(a, day(1, 1)), (b, day(1, 1)), (c, day(6, 1))})
            # every building: only the one left
            self.assertEqual(run(service), {
                    'created': 1, 'already': 3, 'no_meter': 0})
            self.assertEqual(
                len(UnitFee.search([('unit', '=', d.id)])), 1)

            # metered: the unit's water meter, the others skipped
            self.assertEqual(run(water, [estate.building]), {
                    'created': 1, 'already': 0, 'no_meter': 2})
            fee, = UnitFee.search([('fee_type', '=', water.id)])
            self.assertEqual((fee.unit, fee.meter), (b, meter_b))

    @with_transaction()
    def test_access(self):
        "The desk reads rates and records readings; finance sets rates"
        pool = Pool()
        FeeType = pool.get('kefu.fee.type')
        UnitFee = pool.get('kefu.unit.fee')
        Reading = pool.get('kefu.meter.reading')
        company = self.setup_company()
        with set_company(company):
            estate = Estate(company)
            unit = estate.unit('1-101')
            service = create_fee_type(company, 'WY', '2.50')
            meter = create_meter(unit)
            desk = create_user('desk', company, estate.estate)
            engineer = create_user(
                'engineer', company, estate.estate, 'group_engineering')
            finance = create_user(
                'finance', company, estate.estate, 'group_finance')
            manager = create_user(
                'manager', company, estate.estate, 'group_office_manager')

        with as_user(desk):
            self.assertEqual(FeeType(service.id).rate, D('2.50'))
            with self.assertRaises(AccessError):
                FeeType.write([FeeType(service.id)], {'rate': D('3')})
            with self.assertRaises(AccessError):
                subscribe(unit, service)
            read(meter, day(1, 31), '10')
        with as_user(engineer):
            read(meter, day(2, 28), '15')
        with as_user(finance):
            FeeType.write([FeeType(service.id)], {'rate': D('2.60')})
            fee = subscribe(unit, service)
            self.assertEqual(len(Reading.search([])), 2)
            with self.assertRaises(AccessError):
                read(meter, day(3, 31), '20')
        with as_user(manager):
            UnitFee.write([UnitFee(fee.id)], {'date_to': day(12, 31)})
            FeeType.write([FeeType(service.id)], {'rate': D('2.50')})
        with as_user(desk):
            self.assertEqual(
                UnitFee(fee.id).compute(*JAN)['amount'], D('221.25'))
