# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class KefuTicketTestCase(CompanyTestMixin, ModuleTestCase):
    "Test the kefu_ticket module"
    module = 'kefu_ticket'
    extras = ['inbound_email']


del ModuleTestCase
