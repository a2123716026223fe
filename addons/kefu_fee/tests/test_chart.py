# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Kefu chart of accounts (企业会计准则, property company) created by
Tryton's own Create Chart wizard: accounts, types and their flags, the
default receivable and payable, the VAT taxes with their tax codes, and
customer bill lines on accounts collected on behalf of others."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.model.exceptions import DomainValidationError
from trytond.modules.account.tests import get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import add_currency_rate, create_currency
from trytond.modules.kefu_fee.tests.tools import create_kefu_chart, kefu_taxes
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

CODES = {
    '1001', '100101', '1002', '100201', '1012', '101201', '101202', '101203',
    '101204', '101299', '1122', '1123', '1221', '122101', '1231', '1901',
    '2202', '2203', '2211', '2221', '222101', '222102', '222103', '222104',
    '2241', '224101', '224102', '224103', '224104', '224105', '224106',
    '4001', '4103', '4104',
    '6001', '600101', '600102', '600103', '6051', '6301', '6401', '6403',
    '6602', '6603', '660301', '6711',
    }
ON_BEHALF = {'224102', '224103', '224104', '224105', '224106'}
VIEWS = {'1001', '1002', '1012', '2221', '2241', '6001', '6603'}


def create_cny_company():
    cny = create_currency('CNY')
    add_currency_rate(cny, 1)
    return create_company(name="客服物业服务有限公司", currency=cny)


class ChartTestCase(unittest.TestCase):
    "The chart, its taxes and the on-behalf accounts on customer bills"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kefu_fee')

    def chart(self):
        company = create_cny_company()
        with set_company(company):
            return company, create_kefu_chart(company)

    @with_transaction()
    def test_accounts(self):
        "Every account of the chart, with its type and flags"
        _, accounts = self.chart()
        self.assertEqual(set(accounts), CODES)
        for code, account in accounts.items():
            with self.subTest(code=code):
                self.assertEqual(account.type is None, code in VIEWS)
                self.assertEqual(
                    bool(account.type and account.type.kefu_on_behalf),
                    code in ON_BEHALF)
                if code in ON_BEHALF:
                    self.assertTrue(account.party_required)
                    self.assertTrue(account.reconcile)
                    self.assertEqual(account.parent, accounts['2241'])
        receivable, payable = accounts['1122'], accounts['2202']
        self.assertTrue(receivable.type.receivable)
        self.assertTrue(receivable.party_required and receivable.reconcile)
        self.assertTrue(payable.type.payable)
        self.assertTrue(payable.party_required and payable.reconcile)
        self.assertTrue(accounts['101299'].reconcile)
        self.assertEqual(accounts['101299'].parent, accounts['1012'])
        self.assertTrue(accounts['600101'].type.revenue)
        self.assertTrue(accounts['660301'].type.expense)
        self.assertEqual(accounts['1901'].type.statement, 'balance')
        self.assertEqual(accounts['224102'].name, "其他应付款-代收水费")

    @with_transaction()
    def test_type_follows_template(self):
        "The on-behalf flag comes from the type template, and follows it"
        pool = Pool()
        TypeTemplate = pool.get('account.account.type.template')
        _, accounts = self.chart()
        type_ = accounts['224102'].type
        self.assertTrue(type_.template.kefu_on_behalf)
        self.assertEqual(
            type_.template._get_type_value(type_), {})
        template = TypeTemplate(type_.template.id)
        template.kefu_on_behalf = False
        self.assertEqual(
            template._get_type_value(type_), {'kefu_on_behalf': False})

    @with_transaction()
    def test_default_receivable_payable(self):
        "The wizard itself proposes 1122 and 2202 as the defaults"
        Configuration = Pool().get('account.configuration')
        company, accounts = self.chart()
        with Transaction().set_context(company=company.id):
            config = Configuration(1)
            self.assertEqual(
                config.default_account_receivable, accounts['1122'])
            self.assertEqual(config.default_account_payable, accounts['2202'])

    @with_transaction()
    def test_taxes(self):
        "VAT taxes with their rates, accounts and sale group"
        company, accounts = self.chart()
        taxes = kefu_taxes(company)
        self.assertEqual(
            {name: tax.rate for name, tax in taxes.items()}, {
                'vat_6': Decimal('0.06'),
                'vat_9': Decimal('0.09'),
                'vat_simple_5': Decimal('0.05'),
                'vat_simple_3': Decimal('0.03'),
                'vat_small_3': Decimal('0.03'),
                'vat_small_1': Decimal('0.01'),
                })
        for name, tax in taxes.items():
            with self.subTest(tax=name):
                code = '222101' if name in {'vat_6', 'vat_9'} else '222102'
                self.assertEqual(tax.type, 'percentage')
                self.assertEqual(tax.invoice_account, accounts[code])
                self.assertEqual(tax.credit_note_account, accounts[code])
                self.assertEqual(tax.group.kind, 'sale')
                self.assertEqual(tax.company, company)

    def invoice(self, company, account, type_='out', tax=None):
        pool = Pool()
        Party = pool.get('party.party')
        Address = pool.get('party.address')
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        Journal = pool.get('account.journal')
        party = Party(name="张三", addresses=[Address()])
        party.save()
        journal, = Journal.search([
                ('type', '=', 'revenue' if type_ == 'out' else 'expense'),
                ], limit=1)
        invoice = Invoice(
            company=company, type=type_, party=party,
            invoice_address=party.address_get(), currency=company.currency,
            journal=journal, invoice_date=dt.date(2026, 3, 1),
            account=party.account_receivable_used if type_ == 'out'
            else party.account_payable_used)
        invoice.lines = [Line(
                type='line', account=account, quantity=1,
                unit_price=Decimal('100.00'), description="三月",
                taxes=[tax] if tax else [])]
        invoice.save()
        return invoice

    @with_transaction()
    def test_invoice_line_accounts(self):
        "A customer bill line takes an on-behalf account, not other ones"
        company, accounts = self.chart()
        with set_company(company):
            invoice = self.invoice(company, accounts['224102'])
            self.assertEqual(invoice.lines[0].account, accounts['224102'])
            self.invoice(company, accounts['600101'])
            for code in ['1901', '224101', '2203', '100101']:
                with self.subTest(code=code), \
                        self.assertRaises(DomainValidationError):
                    self.invoice(company, accounts[code])
            # Supplier invoices keep the core rule: expenses only
            with self.assertRaises(DomainValidationError):
                self.invoice(company, accounts['224102'], type_='in')
            self.invoice(company, accounts['6602'], type_='in')

    @with_transaction()
    def test_posted_taxes(self):
        "A posted bill shows its base and VAT in the moves and tax codes"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        FiscalYear = pool.get('account.fiscalyear')
        TaxCode = pool.get('account.tax.code')
        company, accounts = self.chart()
        with set_company(company):
            fiscalyear = set_invoice_sequences(get_fiscalyear(
                    company, today=dt.date(2026, 3, 1)))
            fiscalyear.save()
            FiscalYear.create_period([fiscalyear])
            tax = kefu_taxes(company)['vat_6']
            invoice = self.invoice(company, accounts['600101'], tax=tax)
            Invoice.post([invoice])
            self.assertEqual(invoice.total_amount, Decimal('106.00'))
            balances = {
                line.account.code: line.debit - line.credit
                for line in invoice.move.lines}
            self.assertEqual(balances, {
                    '1122': Decimal('106.00'),
                    '600101': Decimal('-100.00'),
                    '222101': Decimal('-6.00'),
                    })
            with Transaction().set_context(
                    periods=[p.id for p in fiscalyear.periods]):
                codes = {c.code: c.amount for c in TaxCode.search([
                            ('company', '=', company.id)])}
        self.assertEqual(codes['VAT-G-6-BASE'], Decimal('100.00'))
        self.assertEqual(codes['VAT-G-6-TAX'], Decimal('6.00'))
        self.assertEqual(codes['VAT-BASE'], Decimal('100.00'))
        self.assertEqual(codes['VAT-TAX'], Decimal('6.00'))
        self.assertEqual(codes['VAT-S-3-TAX'], Decimal('0'))
