# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class KefuFeeTestCase(ModuleTestCase):
    "Test kefu_fee module"
    module = 'kefu_fee'
    extras = ['kefu_ticket']


del ModuleTestCase
