# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may do what with fees: the front desk takes payments and prints
receipts but cannot post moves, change rates, bill or approve a close;
finance (with Tryton's accounting group) can; nobody deletes money."""
from contextlib import contextmanager
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import as_user, click, create_user
from trytond.modules.kefu_fee.tests.test_payment import (
    DAY, bill, pay, setup_books, setup_estate)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, with_transaction)


class FeeAccessTestCase(TestCase):
    "Test the access rights of the fees"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['kefu_fee'])

    @contextmanager
    def setup(self):
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            site = setup_estate(company, books)
            invoice = bill(company, books, site, Decimal('300.00'), 1)
            pay(site, '100.00')
            yield company, books, site, invoice

    def finance_user(self, company, estate):
        ModelData = Pool().get('ir.model.data')
        user = create_user('accountant', company, estate, 'group_finance')
        user.groups += (ModelData.get_id('account', 'group_account'),)
        user.save()
        return user

    def counted_close(self, site, user):
        CashClose = Pool().get('kefu.cash.close')
        with as_user(user):
            close = CashClose(desk=site.desk, date=DAY)
            close.on_change_desk()
            close.save()
            for line in close.lines:
                line.counted = line.expected
                line.save()
            click(CashClose, 'count', [close])
        return close

    @with_transaction()
    def test_front_desk(self):
        "The front desk reads bills and charges, changes no money record"
        pool = Pool()
        FeeType = pool.get('kefu.fee.type')
        Charge = pool.get('kefu.fee.charge')
        Invoice = pool.get('account.invoice')
        Move = pool.get('account.move')
        Receipt = pool.get('kefu.fee.receipt')
        CashClose = pool.get('kefu.cash.close')
        Run = pool.get('kefu.billing.run')
        with self.setup() as (company, books, site, invoice):
            clerk = create_user('clerk', company, site.estate)
            close = self.counted_close(site, clerk)
            with as_user(clerk):
                self.assertEqual(Invoice(invoice.id).total_amount,
                    Decimal('300.00'))
                receipt, = Receipt.search([])
                self.assertEqual(receipt.amount, Decimal('100.00'))
                fee_types = FeeType.search([])
                self.assertTrue(fee_types)
                with self.assertRaises(AccessError):
                    FeeType.write(fee_types, {'rate': Decimal('9')})
                with self.assertRaises(AccessError):
                    Move.create([{'journal': books.journal_cash.id,
                                'date': DAY}])
                with self.assertRaises(AccessError):
                    Move.post(Move.search([]))
                with self.assertRaises(AccessError):
                    Run.create([{'month': DAY.replace(day=1),
                                'invoice_date': DAY,
                                'estates': [('add', [site.estate.id])]}])
                with self.assertRaises(AccessButtonError):
                    click(CashClose, 'approve', [close])
                with self.assertRaises(AccessError):
                    Receipt.delete([receipt])
                with self.assertRaises(AccessError):
                    Charge.delete(Charge.search([]))

    @with_transaction()
    def test_finance(self):
        "Finance changes rates, bills and approves a close it did not count"
        pool = Pool()
        FeeType = pool.get('kefu.fee.type')
        Move = pool.get('account.move')
        CashClose = pool.get('kefu.cash.close')
        Run = pool.get('kefu.billing.run')
        Receipt = pool.get('kefu.fee.receipt')
        with self.setup() as (company, books, site, invoice):
            clerk = create_user('clerk', company, site.estate)
            accountant = self.finance_user(company, site.estate)
            close = self.counted_close(site, clerk)
            with as_user(accountant):
                fee_types = FeeType.search([])
                FeeType.write(fee_types, {'rate': Decimal('2.80')})
                self.assertTrue(Move.search([]))
                run, = Run.create([{'month': DAY.replace(day=1),
                            'invoice_date': DAY,
                            'estates': [('add', [site.estate.id])]}])
                click(CashClose, 'approve', [close])
                self.assertEqual(CashClose(close.id).state, 'approved')
                with self.assertRaises(AccessError):
                    Receipt.delete(Receipt.search([]))
