# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Payments at the desk, their receipts and the daily cash close: bills
paid oldest first and reconciled, an overpayment refused or kept as
prepayment, receipt numbers without gaps per desk, a counted day refusing
payments, a cancelled receipt reversing everything, a close whose
difference must be explained and approved by somebody else, and the moves
it posts, to the cent."""
import datetime as dt
from contextlib import contextmanager
import io
import subprocess
import zipfile
from decimal import Decimal
from types import SimpleNamespace
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, click, create_user)
from trytond.modules.kefu_fee.exceptions import (
    CashCloseError, PaymentError, PostingBusyError, ReceiptCancelError)
from trytond.modules.kefu_fee.payment import open_invoices, take_payment
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

DAY = dt.date(2025, 3, 10)


def setup_books(company):
    """The company's chart, fiscal year 2025 with its invoice sequences,
    the accounts of a desk and the fee settings of the daily close"""
    pool = Pool()
    Account = pool.get('account.account')
    Configuration = pool.get('kefu.configuration')
    FiscalYear = pool.get('account.fiscalyear')
    Journal = pool.get('account.journal')
    PaymentMethod = pool.get('account.invoice.payment.method')
    create_chart(company)
    fiscalyear = set_invoice_sequences(get_fiscalyear(company, today=DAY))
    fiscalyear.save()
    FiscalYear.create_period([fiscalyear])
    books = SimpleNamespace()
    books.receivable, = Account.search([
            ('type.receivable', '=', True), ('party_required', '=', True),
            ('company', '=', company.id)], limit=1)
    books.revenue, = Account.search([
            ('type.revenue', '=', True), ('closed', '!=', True),
            ('company', '=', company.id)], limit=1)
    books.cash, = Account.search([
            ('code', '=', '1.1.1'), ('company', '=', company.id)])
    payable, = Account.search([
            ('type.payable', '=', True), ('party_required', '=', True),
            ('company', '=', company.id)], limit=1)
    books.advance, = Account.copy([payable], default={
            'code': None, 'name': "Fees Received in Advance"})
    books.wechat, books.suspense, books.transit = Account.copy(
        [books.cash] * 3, default={'code': None})
    for account, name in [(books.wechat, "WeChat Clearing"),
            (books.suspense, "Cash Differences"),
            (books.transit, "Cash in Transit")]:
        account.name = name
    Account.save([books.wechat, books.suspense, books.transit])
    books.journal_cash, = Journal.search([('type', '=', 'cash')], limit=1)
    books.journal_revenue, = Journal.search(
        [('type', '=', 'revenue')], limit=1)
    books.methods = {}
    for kind, account in [('cash', books.cash), ('wechat', books.wechat)]:
        books.methods[kind] = PaymentMethod(
            company=company, name=kind.title(), journal=books.journal_cash,
            debit_account=account, credit_account=account)
    PaymentMethod.save(list(books.methods.values()))
    config = Configuration(1)
    config.cash_journal = books.journal_cash
    config.cash_difference_account = books.suspense
    config.cash_in_transit_account = books.transit
    config.prepayment_account = books.advance
    config.fee_journal = books.journal_revenue
    config.save()
    return books


def setup_estate(company, books):
    "An estate, its unit 1-1-101 owned by Zhang Wei, a fee type and a desk"
    pool = Pool()
    Building = pool.get('kefu.building')
    Estate = pool.get('kefu.estate')
    FeeType = pool.get('kefu.fee.type')
    Ownership = pool.get('kefu.unit.ownership')
    Party = pool.get('party.party')
    Unit = pool.get('kefu.unit')
    estate = Estate(name="Green Garden", code='GG', company=company)
    estate.save()
    building = Building(estate=estate, code='1', name="Building 1")
    building.save()
    unit = Unit(
        estate=estate, building=building, code='1-1-101',
        usage='residential', building_area=Decimal('88.50'),
        delivery_state='handed_over', occupancy='occupied')
    unit.save()
    owner = Party(name="Zhang Wei", addresses=[{}])
    owner.save()
    Ownership(unit=unit, party=owner, share=Decimal(100),
        date_from=dt.date(2020, 1, 1)).save()
    fee_type = FeeType(
        company=company, name="Property Service", code='PS',
        kind='service', method='per_area', rate=Decimal('2.5000'),
        periodicity='monthly', account=books.revenue,
        custody_rate=Decimal(70))
    fee_type.save()
    return SimpleNamespace(
        estate=estate, building=building, unit=unit, owner=owner,
        fee_type=fee_type, desk=create_desk(company, estate, books, 'A'))


def create_desk(company, estate, books, code):
    Desk = Pool().get('kefu.fee.desk')
    desk = Desk(
        name="Desk %s" % code, code=code, company=company, estate=estate,
        methods=[{'kind': k, 'payment_method': m.id}
            for k, m in books.methods.items()])
    desk.save()
    return desk


def bill(company, books, site, amount, month):
    """Post a bill of amount to the owner for the unit's fee of month, with
    its charge (billed, then posted with the bill)"""
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    Invoice = pool.get('account.invoice')
    start = dt.date(2025, month, 1)
    end = (start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(1)
    invoice = Invoice(
        company=company, type='out', party=site.owner,
        invoice_address=site.owner.addresses[0], currency=company.currency,
        journal=books.journal_revenue, account=books.receivable,
        invoice_date=end, payment_term_date=end, lines=[{
                'type': 'line', 'account': books.revenue.id,
                'quantity': 1, 'unit_price': amount,
                'description': "Property service %s" % start,
                }])
    invoice.save()
    Charge(
        company=company, unit=site.unit, estate=site.estate,
        building=site.building, fee_type=site.fee_type, period_start=start,
        period_end=end, payer=site.owner, rate=Decimal('2.5'),
        custody_share=Decimal(1), quantity=Decimal(1), amount=amount,
        description="Property service %s" % start, invoice=invoice,
        state='billed').save()
    # Due on its date, in the past of the real today
    with Transaction().set_context(_skip_warnings=True):
        Invoice.post([invoice])
    return Invoice(invoice.id)


def pay(site, amount, kind='cash', keep_excess=False, date=DAY, desk=None):
    company = site.estate.company
    return take_payment(
        desk or site.desk, date, site.unit, site.owner, kind,
        Decimal(amount), open_invoices(company, site.unit, site.owner),
        keep_excess=keep_excess)


def balance(account, party=None):
    "Return debit − credit of the account's posted lines"
    Line = Pool().get('account.move.line')
    domain = [('account', '=', account.id), ('move.state', '=', 'posted')]
    if party:
        domain.append(('party', '=', party.id))
    return sum((l.debit - l.credit for l in Line.search(domain)), Decimal(0))


def report_text(oext, content):
    "The text of a rendered receipt, PDF or ODT"
    if oext == 'pdf':
        return subprocess.run(
            ['pdftotext', '-layout', '-', '-'], input=bytes(content),
            capture_output=True, check=True).stdout.decode('utf-8')
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as odt:
        return odt.read('content.xml').decode('utf-8')


class PaymentTestCase(FreshDatabaseTestCase):
    "Test payments at the desk, receipts and the daily cash close"
    module = 'kefu_fee'

    @contextmanager
    def setup(self):
        "A company with its books and estate, set in the context"
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            yield company, books, setup_estate(company, books)

    @with_transaction()
    def test_pay_oldest_first(self):
        "A payment pays the oldest bill in full, then part of the next"
        Line = Pool().get('account.move.line')
        with self.setup() as (company, books, site):
            january = bill(company, books, site, Decimal('100.00'), 1)
            february = bill(company, books, site, Decimal('121.25'), 2)

            receipt = pay(site, '150.00')

            self.assertEqual(receipt.number, 'A-000001')
            self.assertEqual(receipt.amount, Decimal('150.00'))
            self.assertEqual(receipt.amount_in_words, '壹佰伍拾元整')
            self.assertEqual(receipt.prepayment, Decimal(0))
            self.assertEqual(
                [(l.invoice, l.amount) for l in receipt.lines],
                [(january, Decimal('100.00')), (february, Decimal('50.00'))])
            self.assertIn('Property Service 2025-01-01~2025-01-31',
                receipt.lines[0].description)
            self.assertEqual(january.amount_to_pay, Decimal(0))
            self.assertTrue(
                all(l.reconciliation for l in january.lines_to_pay))
            self.assertEqual(february.amount_to_pay, Decimal('71.25'))
            self.assertFalse(
                any(l.reconciliation for l in february.lines_to_pay))
            self.assertEqual(len(receipt.moves), 2)
            self.assertTrue(all(m.state == 'posted' for m in receipt.moves))
            cash_lines = Line.search([
                    ('move', 'in', [m.id for m in receipt.moves]),
                    ('account', '=', books.cash.id)])
            self.assertEqual(sorted(l.debit for l in cash_lines),
                [Decimal('50.00'), Decimal('100.00')])
            self.assertEqual(balance(books.cash), Decimal('150.00'))
            self.assertEqual(
                balance(books.receivable, site.owner), Decimal('71.25'))
            charges = {c.period_start.month: c for c in Pool().get(
                        'kefu.fee.charge').search([])}
            self.assertEqual(charges[1].state, 'paid')
            self.assertEqual(charges[1].paid_amount, Decimal('100.00'))
            self.assertEqual(charges[2].state, 'posted')
            self.assertEqual(charges[2].paid_amount, Decimal('50.00'))
            self.assertEqual(charges[2].paid_date, DAY)

    @with_transaction()
    def test_overpay_refused_or_kept(self):
        "Paying more than owed needs the excess kept as a prepayment"
        Receipt = Pool().get('kefu.fee.receipt')
        with self.setup() as (company, books, site):
            invoice = bill(company, books, site, Decimal('100.00'), 1)

            with self.assertRaisesRegex(PaymentError, r'120\.00.*100\.00'):
                pay(site, '120.00', kind='wechat')
            self.assertEqual(Receipt.search([]), [])
            for amount in ['0', '-5']:
                with self.assertRaises(PaymentError):
                    pay(site, amount)

            receipt = pay(site, '120.00', kind='wechat', keep_excess=True)

            self.assertEqual(receipt.number, 'A-000001')
            self.assertEqual(receipt.prepayment, Decimal('20.00'))
            self.assertEqual(invoice.amount_to_pay, Decimal(0))
            prepayment, = [m for m in receipt.moves if m.origin == receipt]
            self.assertEqual(prepayment.state, 'posted')
            self.assertEqual(
                sorted((l.account, l.debit, l.credit, l.party)
                    for l in prepayment.lines),
                sorted([
                        (books.wechat, Decimal('20.00'), Decimal(0), None),
                        (books.advance, Decimal(0), Decimal('20.00'),
                            site.owner),
                        ]))
            self.assertFalse(any(l.reconciliation for l in prepayment.lines))
            self.assertEqual(balance(books.wechat), Decimal('120.00'))
            self.assertEqual(
                balance(books.receivable, site.owner), Decimal(0))
            self.assertEqual(
                balance(books.advance, site.owner), Decimal('-20.00'))

            # With nothing owed, the whole amount is paid in advance
            receipt = pay(site, '30.00', keep_excess=True)
            self.assertEqual(receipt.prepayment, Decimal('30.00'))
            self.assertEqual(list(receipt.lines), [])

    @with_transaction()
    def test_books_busy(self):
        """Move numbers held past [kefu] lock_wait by a billing run's
        posting: the cashier is asked to try again"""
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('100.00'), 1)
            with patch('trytond.modules.kefu_fee.move.wait_unlocked',
                    return_value=False) as wait, \
                    self.assertRaisesRegex(PostingBusyError,
                        r'billing run after 15 seconds'):
                pay(site, '100.00')
            (Sequence, sequences), _ = wait.call_args
            period = Pool().get('account.period').find(company, date=DAY)
            self.assertEqual(Sequence.__name__, 'ir.sequence.strict')
            self.assertEqual(sequences, [period.move_sequence_used])

    @with_transaction()
    def test_prepayment_pays_later_bills(self):
        "What was paid in advance pays the next bills when they are posted"
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Receipt = pool.get('kefu.fee.receipt')
        with self.setup() as (company, books, site):
            # Three months of 100.00 paid in advance, nothing owed yet
            receipt = pay(site, '300.00', kind='wechat', keep_excess=True)
            self.assertEqual(receipt.prepayment, Decimal('300.00'))
            self.assertEqual(
                balance(books.advance, site.owner), Decimal('-300.00'))

            january = bill(company, books, site, Decimal('100.00'), 1)
            # Paid and reconciled (the state follows in a queued task)
            self.assertEqual(january.amount_to_pay, Decimal(0))
            self.assertTrue(
                all(l.reconciliation for l in january.lines_to_pay))
            charge, = Charge.search([('invoice', '=', january.id)])
            self.assertEqual(charge.state, 'paid')
            self.assertEqual(charge.paid_amount, Decimal('100.00'))
            self.assertEqual(
                balance(books.advance, site.owner), Decimal('-200.00'))
            self.assertEqual(
                balance(books.receivable, site.owner), Decimal(0))

            # Taken back now, the advance would be missing from January
            with self.assertRaisesRegex(ReceiptCancelError, r'200\.00'):
                Receipt.cancel([receipt])

            # February and a larger March: the rest pays February and part
            # of March, which stays open for the desk
            february = bill(company, books, site, Decimal('100.00'), 2)
            march = bill(company, books, site, Decimal('150.00'), 3)
            self.assertEqual(february.amount_to_pay, Decimal(0))
            self.assertEqual(march.amount_to_pay, Decimal('50.00'))
            self.assertFalse(
                any(l.reconciliation for l in march.lines_to_pay))
            charge, = Charge.search([('invoice', '=', march.id)])
            self.assertEqual(
                (charge.state, charge.paid_amount, charge.open_amount),
                ('posted', Decimal('100.00'), Decimal('50.00')))
            self.assertEqual(balance(books.advance, site.owner), Decimal(0))
            self.assertEqual(
                balance(books.receivable, site.owner), Decimal('50.00'))
            # The advance is used up: its lines are reconciled together
            Line = pool.get('account.move.line')
            lines = Line.search([('account', '=', books.advance.id)])
            self.assertEqual(len(lines), 4)
            self.assertEqual(len({l.reconciliation for l in lines}), 1)
            self.assertIsNotNone(lines[0].reconciliation)
            # The desk sees the 50.00 still owed
            self.assertEqual(
                open_invoices(company, site.unit, site.owner), [march])

    @with_transaction()
    def test_overdue_and_search(self):
        "Overdue charges, and charges and receipts found by unit or payer"
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Date = pool.get('ir.date')
        Receipt = pool.get('kefu.fee.receipt')
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('100.00'), 1)
            bill(company, books, site, Decimal('121.25'), 2)
            receipt = pay(site, '100.00')

            def overdue(day):
                with patch.object(Date, 'today', lambda *a, **k: day):
                    return [(c.period_start.month, c.overdue)
                        for c in Charge.search(
                            [('overdue', '=', True)],
                            order=[('period_start', 'ASC')])]
            # January is paid; February fell due on its bill's date
            self.assertEqual(overdue(DAY), [(2, True)])
            self.assertEqual(overdue(dt.date(2025, 2, 27)), [])
            with patch.object(Date, 'today', lambda *a, **k: DAY):
                self.assertEqual(
                    [c.period_start.month for c in Charge.search(
                            [('overdue', '=', False)],
                            order=[('period_start', 'ASC')])], [1])

            for text in ['1-1-101', 'Zhang']:
                self.assertEqual(len(Charge.search(
                            [('rec_name', 'ilike', '%%%s%%' % text)])), 2)
                self.assertEqual(Receipt.search(
                        [('rec_name', 'ilike', '%%%s%%' % text)]), [receipt])
            self.assertEqual(Receipt.search(
                    [('rec_name', 'ilike', receipt.number)]), [receipt])

    @with_transaction()
    def test_receipt_numbers_per_desk(self):
        "Each desk numbers its receipts without gaps, refusals use none"
        pool = Pool()
        Desk = pool.get('kefu.fee.desk')
        with self.setup() as (company, books, site):
            other = create_desk(company, site.estate, books, 'B')
            bill(company, books, site, Decimal('500.00'), 1)
            self.assertNotEqual(
                site.desk.receipt_sequence, other.receipt_sequence)

            numbers = [pay(site, '10.00').number]
            with self.assertRaises(PaymentError):
                pay(site, '1000.00')
            numbers.append(pay(site, '10.00', desk=other).number)
            numbers.append(pay(site, '10.00', kind='wechat').number)
            numbers.append(pay(site, '10.00').number)

            self.assertEqual(
                numbers, ['A-000001', 'B-000001', 'A-000002', 'A-000003'])
            self.assertEqual(Desk(other.id).rec_name, "Desk B (B)")

            # The tab 今天 asks the server's today
            Date = pool.get('ir.date')
            Receipt = pool.get('kefu.fee.receipt')
            with patch.object(Date, 'today', lambda *a, **k: DAY):
                self.assertEqual(
                    len(Receipt.search([('taken_today', '=', True)])), 4)
            tomorrow = DAY + dt.timedelta(days=1)
            with patch.object(Date, 'today', lambda *a, **k: tomorrow):
                self.assertEqual(
                    Receipt.search([('taken_today', '=', True)]), [])
                self.assertEqual(
                    len(Receipt.search([('taken_today', '=', False)])), 4)

    @with_transaction()
    def test_counted_day_refuses_payments(self):
        "Once the day is counted, the desk takes no payment for it"
        CashClose = Pool().get('kefu.cash.close')
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('100.00'), 1)
            pay(site, '10.00')
            close = CashClose(desk=site.desk, date=DAY, cashier=None)
            close.cashier = self.employee(company)
            close.save()
            close.lines[0].counted = Decimal('10.00')
            close.lines[0].save()
            CashClose.count([close])

            with self.assertRaisesRegex(PaymentError, r'2025-03-10'):
                pay(site, '10.00')
            receipt = pay(site, '10.00', date=DAY + dt.timedelta(days=1))
            self.assertEqual(receipt.number, 'A-000002')

            # Reopened by a recount, the day takes payments again
            CashClose.draft([close])
            self.assertEqual(pay(site, '10.00').number, 'A-000003')

    def employee(self, company):
        Employee = Pool().get('company.employee')
        Party = Pool().get('party.party')
        party = Party(name="Li Na")
        party.save()
        employee = Employee(party=party, company=company)
        employee.save()
        return employee

    @with_transaction()
    def test_cash_close(self):
        """A close with a difference: counted by the desk, explained,
        approved by somebody else, closed with its move to the cent"""
        pool = Pool()
        CashClose = pool.get('kefu.cash.close')
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('500.00'), 1)
            pay(site, '221.25')
            pay(site, '100.00')
            pay(site, '50.00', kind='wechat')
            pay(site, '5.00', date=DAY + dt.timedelta(days=1))
            clerk = create_user('clerk', company, site.estate)
            boss = create_user(
                'boss', company, site.estate, 'group_supervisor')
            accountant = create_user(
                'accountant', company, site.estate, 'group_finance')

            with as_user(clerk):
                close = CashClose(desk=site.desk, date=DAY)
                close.on_change_desk()
                close.save()
                close = CashClose(close.id)
                self.assertEqual(close.cashier, clerk.employee)
                lines = {l.kind: l for l in close.lines}
                self.assertEqual(lines['cash'].expected, Decimal('321.25'))
                self.assertEqual(lines['wechat'].expected, Decimal('50.00'))
                with self.assertRaisesRegex(CashCloseError, 'cash counted'):
                    click(CashClose, 'count', [close])
                lines['cash'].counted = Decimal('320.25')
                lines['cash'].banked = Decimal('300.00')
                lines['cash'].save()
                click(CashClose, 'count', [close])
                close = CashClose(close.id)
                self.assertEqual(close.state, 'counted')
                self.assertEqual(close.counted_by, clerk)
                lines = {l.kind: l for l in close.lines}
                self.assertEqual(lines['wechat'].counted, Decimal('50.00'))
                self.assertEqual(lines['cash'].difference, Decimal('-1.00'))
                self.assertEqual(close.difference, Decimal('-1.00'))
                with self.assertRaises(AccessButtonError):
                    click(CashClose, 'approve', [close])
                with self.assertRaises(CashCloseError):
                    CashClose.write([close], {'date': DAY})

            with as_user(boss):
                with self.assertRaisesRegex(CashCloseError, 'explanation'):
                    click(CashClose, 'approve', [close])
            with as_user(clerk):
                CashClose.write([close], {
                        'explanation': "One yuan too much given in change",
                        })

            with as_user(accountant):
                click(CashClose, 'approve', [close])
                click(CashClose, 'close', [close])
            close = CashClose(close.id)
            self.assertEqual(close.state, 'closed')
            self.assertEqual(close.approved_by, accountant)
            self.assertEqual(close.move.state, 'posted')
            self.assertEqual(close.move.origin, close)
            self.assertEqual(close.move.journal, books.journal_cash)
            self.assertEqual(close.move.date, DAY)
            self.assertEqual(
                sorted((l.account.name, l.debit, l.credit)
                    for l in close.move.lines),
                sorted([
                        (books.cash.name, Decimal(0), Decimal('1.00')),
                        (books.suspense.name, Decimal('1.00'), Decimal(0)),
                        (books.transit.name, Decimal('300.00'), Decimal(0)),
                        (books.cash.name, Decimal(0), Decimal('300.00')),
                        ]))
            self.assertEqual(balance(books.cash), Decimal('25.25'))
            self.assertEqual(balance(books.suspense), Decimal('1.00'))
            self.assertEqual(balance(books.transit), Decimal('300.00'))

    @with_transaction()
    def test_cash_close_approved_by_another(self):
        "Who counted a day never approves it, even from finance"
        CashClose = Pool().get('kefu.cash.close')
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('500.00'), 1)
            pay(site, '20.00')
            accountant = create_user(
                'accountant', company, site.estate, 'group_finance')
            with as_user(accountant):
                close = CashClose(desk=site.desk, date=DAY)
                close.on_change_desk()
                close.save()
                close.lines[0].counted = Decimal('20.00')
                close.lines[0].save()
                click(CashClose, 'count', [close])
                with self.assertRaisesRegex(CashCloseError, 'another'):
                    click(CashClose, 'approve', [close])
            # A second close of the same day is refused
            with self.assertRaises(Exception):
                CashClose(desk=site.desk, date=DAY,
                    cashier=accountant.employee).save()

    @with_transaction()
    def test_cancel_receipt(self):
        "Finance cancels a receipt: its moves are reversed, bills reopen"
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Receipt = pool.get('kefu.fee.receipt')
        with self.setup() as (company, books, site):
            invoice = bill(company, books, site, Decimal('100.00'), 1)
            receipt = pay(site, '120.00', keep_excess=True)
            clerk = create_user('clerk', company, site.estate)
            accountant = create_user(
                'accountant', company, site.estate, 'group_finance')

            with as_user(clerk):
                with self.assertRaises(AccessButtonError):
                    click(Receipt, 'cancel', [receipt])
                with self.assertRaises(AccessError):
                    Receipt.delete([receipt])
            with as_user(accountant):
                click(Receipt, 'cancel', [receipt])

            receipt = Receipt(receipt.id)
            self.assertEqual(receipt.state, 'cancelled')
            invoice = pool.get('account.invoice')(invoice.id)
            self.assertEqual(invoice.state, 'posted')
            self.assertEqual(invoice.amount_to_pay, Decimal('100.00'))
            self.assertEqual(list(invoice.payment_lines), [])
            charge, = Charge.search([])
            self.assertEqual(charge.state, 'posted')
            self.assertEqual(charge.paid_amount, Decimal(0))
            self.assertEqual(balance(books.cash), Decimal(0))
            self.assertEqual(
                balance(books.receivable, site.owner), Decimal('100.00'))
            # Every line of the payment is matched by its reversal
            Line = pool.get('account.move.line')
            reversals = Line.search([
                    ('move.origin', 'in', [str(m) for m in receipt.moves])])
            self.assertEqual(len(reversals), 4)
            self.assertTrue(all(l.move.state == 'posted' for l in reversals))

            # The bill can be paid again
            receipt = pay(site, '100.00')
            self.assertEqual(receipt.number, 'A-000002')

    @with_transaction()
    def test_cancel_refused_on_counted_day(self):
        "A receipt of a counted day is not cancelled"
        pool = Pool()
        CashClose = pool.get('kefu.cash.close')
        Receipt = pool.get('kefu.fee.receipt')
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('100.00'), 1)
            receipt = pay(site, '10.00')
            close = CashClose(desk=site.desk, date=DAY,
                cashier=self.employee(company))
            close.save()
            close.lines[0].counted = Decimal('10.00')
            close.lines[0].save()
            CashClose.count([close])
            with self.assertRaises(ReceiptCancelError):
                Receipt.cancel([receipt])

    @with_transaction()
    def test_unit_owed(self):
        """The unit form shows what the unit owes and its unpaid charges,
        oldest first, as payments come in; engineering sees neither"""
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Unit = pool.get('kefu.unit')
        with self.setup() as (company, books, site):
            january = bill(company, books, site, Decimal('1250.35'), 1)
            february = bill(company, books, site, Decimal('300.10'), 2)
            charges = {c.invoice: c for c in Charge.search([])}
            clerk = create_user('clerk', company, site.estate)
            engineer = create_user(
                'engineer', company, site.estate, 'group_engineering')

            def owed(user=clerk):
                "As the unit form reads them"
                with as_user(user):
                    unit, = Unit.read(
                        [site.unit.id], ['owed', 'unpaid_charges'])
                return unit['owed'], Charge.browse(unit['unpaid_charges'])

            self.assertEqual(owed(), (Decimal('1550.45'),
                    [charges[january], charges[february]]))
            pay(site, '1250.35')
            self.assertEqual(
                owed(), (Decimal('300.10'), [charges[february]]))
            pay(site, '0.10')
            self.assertEqual(
                owed(), (Decimal('300.00'), [charges[february]]))
            pay(site, '300.00')
            self.assertEqual(owed(), (Decimal('0.00'), []))
            self.assertEqual(owed(engineer), (None, []))

    @with_transaction()
    def test_wizard_desk_default(self):
        """收费 opens on the cashier's desk: the only one of their estate;
        beside a home collection desk, the counter until they take money
        at the other one, then the desk of their last receipt"""
        pool = Pool()
        Desk = pool.get('kefu.fee.desk')
        Pay = pool.get('kefu.fee.pay', type='wizard')
        with self.setup() as (company, books, site):
            clerk = create_user('clerk', company, site.estate)
            bill(company, books, site, Decimal('100.00'), 1)

            def preset():
                with as_user(clerk):
                    session_id, _, _ = Pay.create()
                    start = Pay.execute(
                        session_id, {}, 'start')['view']['defaults']
                    Pay.delete(session_id)
                return start['desk']

            self.assertEqual(preset(), site.desk.id)
            home = create_desk(company, site.estate, books, 'H')
            home.kind = 'home'
            home.save()
            self.assertEqual(preset(), site.desk.id)
            with as_user(clerk):
                pay(site, '10.00', desk=home)
            self.assertEqual(preset(), home.id)
            with as_user(clerk):
                pay(site, '10.00')
            self.assertEqual(preset(), site.desk.id)
            # Two counters and no receipt of the cashier's: chosen by hand
            create_desk(company, site.estate, books, 'B')
            other = create_user('other', company, site.estate)
            with as_user(other):
                session_id, _, _ = Pay.create()
                start = Pay.execute(
                    session_id, {}, 'start')['view']['defaults']
                Pay.delete(session_id)
            self.assertIsNone(start['desk'])
            # A desk closed down is not preset
            Desk.write([site.desk, home], {'active': False})
            self.assertEqual(preset(), Desk.search([('code', '=', 'B')])[0].id)

    @with_transaction()
    def test_front_desk_wizard_and_print(self):
        """The front desk takes a WeChat payment with the wizard from the
        unit, prints the receipt and a copy, but cannot write moves"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Move = pool.get('account.move')
        Pay = pool.get('kefu.fee.pay', type='wizard')
        Receipt = pool.get('kefu.fee.receipt')
        ReceiptReport = pool.get('kefu.fee.receipt', type='report')
        with self.setup() as (company, books, site):
            bill(company, books, site, Decimal('221.25'), 1)
            clerk = create_user('clerk', company, site.estate)

            with as_user(clerk), Transaction().set_context(
                    active_model='kefu.unit', active_id=site.unit.id,
                    active_ids=[site.unit.id],
                    action_id=ModelData.get_id('kefu_fee', 'wizard_pay_unit')):
                session_id, _, _ = Pay.create()
                start = Pay.execute(
                    session_id, {}, 'start')['view']['defaults']
                self.assertEqual(start['unit'], site.unit.id)
                self.assertEqual(start['desk'], site.desk.id)
                self.assertEqual(start['payer'], site.owner.id)
                self.assertEqual(start['owed'], Decimal('221.25'))
                # The client sends the values, not the names shown
                start = {k: v for k, v in start.items() if '.' not in k}
                start.update(method_kind='wechat', amount=Decimal('221.25'),
                    keep_excess=False, date=DAY)
                result = Pay.execute(session_id, {'start': start}, 'pay')
                Pay.delete(session_id)
                (action, data), = result['actions']
                self.assertEqual(action['report_name'], 'kefu.fee.receipt')
                receipt = Receipt(data['id'])
                self.assertEqual(receipt.method_kind, 'wechat')
                self.assertEqual(receipt.cashier, clerk.employee)

                oext, content, _, name = ReceiptReport.execute(
                    [receipt.id], {'action_id': action['id']})
                first = report_text(oext, content)
                oext, content, _, _ = ReceiptReport.execute(
                    [receipt.id], {'action_id': action['id']})
                second = report_text(oext, content)
                with self.assertRaises(AccessError):
                    Move.create([{
                                'journal': books.journal_cash.id,
                                'date': DAY,
                                }])

            self.assertEqual(balance(books.wechat), Decimal('221.25'))
            self.assertEqual(Receipt(receipt.id).printed, 2)
            for text in [first, second]:
                self.assertIn(receipt.number, text)
                self.assertIn('221.25', text)
                self.assertIn('贰佰贰拾壹元贰角伍分', text)
                self.assertIn('Zhang Wei', text)
            self.assertNotIn('副本', first)
            self.assertIn('副本', second)
