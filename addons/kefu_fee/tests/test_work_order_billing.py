# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Paid repairs billed (kefu_ticket activated too): a paid work order
checked by a specialist becomes a charge, on a bill of its own or on the
payer's bill of the next billing run."""
import datetime as dt
from decimal import Decimal

from trytond.modules.account.tests.test_module import get_fiscalyear
from trytond.modules.account_invoice.tests.test_module import (
    set_invoice_sequences)
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_fee.tests.tools import create_kefu_chart, kefu_taxes
from trytond.modules.kefu_ticket.tests.test_work_order import (
    create_estate, done_order, minutes, open_ticket, run)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, with_transaction)


class WorkOrderBillingTestCase(TestCase):
    "Test paid repairs billed"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['kefu_fee', 'kefu_ticket'])

    def setup_company(self, company, billing):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        FeeType = pool.get('kefu.fee.type')
        Journal = pool.get('account.journal')
        accounts = create_kefu_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company))
        fiscalyear.save()
        fiscalyear.create_period([fiscalyear])
        repair = FeeType(
            company=company, name="有偿维修", code='YC', kind='paid_service',
            method='fixed', rate=Decimal(1), account=accounts['6051'],
            tax=kefu_taxes(company)['vat_6'])
        repair.save()
        configuration = Configuration(1)
        configuration.fee_journal, = Journal.search([('type', '=', 'revenue')])
        configuration.repair_fee_type = repair
        configuration.repair_billing = billing
        configuration.save()
        return accounts

    def owned_unit(self, estate):
        pool = Pool()
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        Party = pool.get('party.party')
        owner = Party(name="张伟")
        owner.save()
        building = Building(estate=estate, code='1', floors=6)
        building.save()
        unit = Unit(estate=estate, building=building, code='1-101', floor=1,
            building_area=Decimal('88.50'), delivery_state='handed_over',
            occupancy='occupied', ownerships=[{
                    'party': owner.id, 'share': Decimal(100),
                    'date_from': dt.date(2024, 1, 1)}])
        unit.save()
        return unit, owner

    def paid_order(self, estate, unit):
        ticket = open_ticket(estate)
        ticket.unit = unit
        ticket.save()
        order = done_order(ticket, warranty='paid', price=Decimal('80.00'))
        return run(order, ('check', minutes(45)))

    @with_transaction()
    def test_own_bill(self):
        "A paid repair checked is posted at once on a bill of its own"
        company = create_company()
        with set_company(company):
            self._test_own_bill(company)

    def _test_own_bill(self, company):
        accounts = self.setup_company(company, 'own_bill')
        estate = create_estate(company)
        unit, owner = self.owned_unit(estate)
        order = self.paid_order(estate, unit)

        charge = order.fee_charge
        self.assertEqual(
            (charge.unit, charge.payer, charge.amount, charge.tax_amount,
                charge.state),
            (unit, owner, Decimal('80.00'), Decimal('4.53'), 'posted'))
        invoice = charge.invoice
        self.assertEqual(invoice.state, 'posted')
        self.assertEqual(
            (invoice.untaxed_amount, invoice.tax_amount,
                invoice.total_amount),
            (Decimal('75.47'), Decimal('4.53'), Decimal('80.00')))
        self.assertEqual(accounts['6051'].credit, Decimal('75.47'))

    @with_transaction()
    def test_next_bill(self):
        "A paid repair waits for the payer's bill of the next billing run"
        company = create_company()
        with set_company(company):
            self._test_next_bill(company)

    def _test_next_bill(self, company):
        accounts = self.setup_company(company, 'next_bill')
        pool = Pool()
        Run = pool.get('kefu.billing.run')
        FeeType = pool.get('kefu.fee.type')
        UnitFee = pool.get('kefu.unit.fee')
        estate = create_estate(company)
        unit, owner = self.owned_unit(estate)
        order = self.paid_order(estate, unit)
        charge = order.fee_charge
        self.assertEqual((charge.state, charge.invoice), ('billed', None))

        service = FeeType(
            company=company, name="物业服务费", code='WY', kind='service',
            method='per_area', rate=Decimal('2.50'),
            account=accounts['600101'], tax=kefu_taxes(company)['vat_6'])
        service.save()
        UnitFee(company=company, unit=unit, fee_type=service,
            date_from=dt.date(2024, 1, 1)).save()
        today = pool.get('ir.date').today()
        billing = Run(company=company, month=today.replace(day=1),
            invoice_date=today, estates=[estate])
        billing.save()
        Run.compute([billing])
        Run.bill_batch([billing], [unit.id])

        charge = order.fee_charge
        invoice = charge.invoice
        self.assertEqual(invoice.kefu_billing_run, billing)
        self.assertEqual(
            sorted(l.origin.amount for l in invoice.lines),
            [Decimal('80.00'), Decimal('221.25')])
        # VAT on the whole bill: 301.25 × 6% / 1.06 = 17.05
        self.assertEqual(invoice.tax_amount, Decimal('17.05'))
        self.assertEqual(invoice.total_amount, Decimal('301.25'))
