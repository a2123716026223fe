# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
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


del ModuleTestCase
