# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.kefu_base.exceptions import (
    CalendarError, OwnershipError)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class KefuBaseTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Kefu Base module"
    module = 'kefu_base'

    @with_transaction()
    def test_working_days_national_day(self):
        "10 working days across the 2025 National Day holiday"
        Calendar = Pool().get('kefu.calendar')
        # 2025-09-28 (Sunday) is a swapped working day, 10-01..10-08 off.
        self.assertEqual(
            Calendar.add_working_days(dt.date(2025, 9, 26), 3),
            dt.date(2025, 9, 30))
        self.assertEqual(
            Calendar.add_working_days(dt.date(2025, 9, 26), 5),
            dt.date(2025, 10, 10))
        self.assertEqual(
            Calendar.working_days_between(
                dt.date(2025, 9, 26), dt.date(2025, 10, 10)), 5)

        self.assertEqual(
            Calendar.working_days_between(
                dt.date(2025, 10, 10), dt.date(2025, 9, 26)), -5)
        self.assertEqual(
            Calendar.add_working_days(dt.date(2025, 10, 10), -5),
            dt.date(2025, 9, 26))

    @with_transaction()
    def test_working_days_spring_festival(self):
        "Working days across the 2026 Spring Festival and its swapped days"
        Calendar = Pool().get('kefu.calendar')
        # 2026-02-14 (Saturday) works, 02-15..02-23 off.
        self.assertTrue(Calendar.is_working_day(dt.date(2026, 2, 14)))
        self.assertFalse(Calendar.is_working_day(dt.date(2026, 2, 16)))
        self.assertEqual(
            Calendar.add_working_days(dt.date(2026, 2, 12), 3),
            dt.date(2026, 2, 24))
        self.assertEqual(
            Calendar.working_days_between(
                dt.date(2026, 2, 1), dt.date(2026, 2, 28)), 16)
        self.assertEqual(
            Calendar.add_working_days(dt.date(2026, 2, 14), 0),
            dt.date(2026, 2, 14))

    @with_transaction()
    def test_working_days_swapped_sunday(self):
        "A swapped working Sunday counts: 2025-01-26"
        Calendar = Pool().get('kefu.calendar')
        self.assertEqual(dt.date(2025, 1, 26).isoweekday(), 7)
        self.assertEqual(
            Calendar.add_working_days(dt.date(2025, 1, 24), 1),
            dt.date(2025, 1, 26))
        self.assertEqual(
            Calendar.add_working_days(dt.date(2025, 1, 27), 1),
            dt.date(2025, 2, 5))

    @with_transaction()
    def test_working_days_entered_year(self):
        "Days entered by hand extend the calendar to a year it lacks"
        pool = Pool()
        Calendar = pool.get('kefu.calendar')
        Day = pool.get('kefu.calendar.day')
        with self.assertRaises(CalendarError):
            Calendar.add_working_days(dt.date(2026, 12, 31), 1)
        Day.create([
                {'date': dt.date(2027, 1, 1), 'kind': 'holiday',
                    'name': "New Year"},
                {'date': dt.date(2027, 1, 9), 'kind': 'working_day'},
                ])
        self.assertEqual(
            Calendar.add_working_days(dt.date(2026, 12, 31), 1),
            dt.date(2027, 1, 4))
        self.assertEqual(
            Calendar.working_days_between(
                dt.date(2027, 1, 3), dt.date(2027, 1, 10)), 6)
        with self.assertRaises(CalendarError):
            Calendar.is_working_day(dt.date(2028, 3, 1))

    @with_transaction()
    def test_working_day_override(self):
        "An entered day overrides the package"
        pool = Pool()
        Calendar = pool.get('kefu.calendar')
        Day = pool.get('kefu.calendar.day')
        day = dt.date(2026, 3, 2)
        self.assertTrue(Calendar.is_working_day(day))
        Day.create([{'date': day, 'kind': 'holiday'}])
        self.assertFalse(Calendar.is_working_day(day))


    def _unit(self):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        estate, = Estate.create([{'name': "E", 'code': 'E'}])
        building, = Building.create([{'estate': estate.id, 'code': '1'}])
        return Unit, {
            'estate': estate.id, 'building': building.id,
            'building_area': Decimal('90')}

    @with_transaction()
    def test_unit_created_with_owners(self):
        "Shares are checked when a unit is created with its owners"
        Party = Pool().get('party.party')
        a, b = Party.create([{'name': "A"}, {'name': "B"}])
        company = create_company()
        with set_company(company):
            Unit, values = self._unit()

            def owners(*shares):
                return [('create', [{
                                'party': p.id, 'share': Decimal(s),
                                'date_from': dt.date(2025, 1, 1)}
                            for p, s in zip((a, b), shares)])]
            unit, = Unit.create([{**values, 'code': '1',
                        'ownerships': owners('50', '50')}])
            self.assertEqual(len(unit.ownerships), 2)
            with self.assertRaises(OwnershipError):
                Unit.create([{**values, 'code': '2',
                            'ownerships': owners('50', '40')}])

    @with_transaction()
    def test_ownership_created_alone(self):
        "An ownership created on its own is checked against the others"
        pool = Pool()
        Party = pool.get('party.party')
        Ownership = pool.get('kefu.unit.ownership')
        a, b = Party.create([{'name': "A"}, {'name': "B"}])
        company = create_company()
        with set_company(company):
            Unit, values = self._unit()
            unit, = Unit.create([{**values, 'code': '1'}])
            Ownership.create([{
                        'unit': unit.id, 'party': a.id,
                        'share': Decimal(100),
                        'date_from': dt.date(2025, 1, 1),
                        'date_to': dt.date(2025, 12, 31)}])
            Ownership.create([{
                        'unit': unit.id, 'party': b.id,
                        'share': Decimal(100),
                        'date_from': dt.date(2026, 1, 1)}])
            self.assertEqual(unit.owner_names, "B")
            with self.assertRaises(OwnershipError):
                Ownership.create([{
                            'unit': unit.id, 'party': a.id,
                            'share': Decimal(100),
                            'date_from': dt.date(2025, 12, 1)}])


del ModuleTestCase
