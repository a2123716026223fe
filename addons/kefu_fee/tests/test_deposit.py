# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The deposit ledger: a deposit received at the desk, a deduction with its
reason, a refund requested, approved by somebody else, paid and cleared,
the deposit closed and its lines reconciled, to the cent; refunds above
what is held (counting the requested ones) refused; reversal; the daily
close counting the deposits; mortgage guarantees found and released; due
refunds requested by the scheduled action."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from unittest.mock import patch

from trytond.model.exceptions import AccessError, SQLConstraintError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_fee.exceptions import DepositError
from trytond.modules.kefu_fee.tests.test_payment import (
    DAY, balance, setup_books, setup_estate)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


def setup_deposit_books(company, books):
    """The accounts and journals of the deposits: held (224101-like),
    guarantee (122101-like), the bank, a refund payment journal with a
    clearing account, and a reason for a lost pass"""
    pool = Pool()
    Account = pool.get('account.account')
    Configuration = pool.get('kefu.configuration')
    Journal = pool.get('account.journal')
    PaymentJournal = pool.get('account.payment.journal')
    Reason = pool.get('kefu.deposit.reason')
    receivable = books.receivable
    payable, = Account.search([
            ('type.payable', '=', True), ('party_required', '=', True),
            ('company', '=', company.id)], limit=1)
    books.held, = Account.copy([payable], default={
            'code': None, 'name': "Deposits Held"})
    books.guarantee, = Account.copy([receivable], default={
            'code': None, 'name': "Mortgage Guarantee Deposits"})
    books.bank, books.clearing = Account.copy(
        [books.cash] * 2, default={'code': None})
    books.bank.name, books.clearing.name = "Bank", "Payment Clearing"
    books.clearing.reconcile = True
    Account.save([books.bank, books.clearing])
    books.journal_general, = Journal.search(
        [('type', '=', 'general')], limit=1)
    books.payment_journal = PaymentJournal(
        name="Deposit Refunds", company=company, currency=company.currency,
        process_method='manual', clearing_account=books.clearing,
        clearing_journal=books.journal_cash)
    books.payment_journal.save()
    books.lost_pass = Reason(
        name="Lost worker pass", company=company, account=books.revenue,
        amount=Decimal('100.00'))
    books.lost_pass.save()
    config = Configuration(1)
    config.deposit_account = books.held
    config.guarantee_account = books.guarantee
    config.guarantee_bank_account = books.bank
    config.deposit_journal = books.journal_general
    config.deposit_payment_journal = books.payment_journal
    config.save()
    return books


def new_deposit(site, kind='renovation_owner', party=None, **values):
    pool = Pool()
    Deposit = pool.get('kefu.deposit')
    Kind = pool.get('kefu.deposit.kind')
    deposit = Deposit(
        estate=site.estate, unit=site.unit, party=party or site.owner,
        kind=Kind.get(kind), **values)
    deposit.save()
    return deposit


class DepositTestCase(FreshDatabaseTestCase):
    "Test the deposit ledger"
    module = 'kefu_fee'

    @contextmanager
    def setup(self):
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            setup_deposit_books(company, books)
            site = setup_estate(company, books)
            site.method = site.desk.method('cash')
            clerk = create_user(
                'clerk', company, site.estate, 'group_front_desk')
            yield SimpleNamespace(
                company=company, books=books, site=site, clerk=clerk)

    def refund(self, env, deposit, amount):
        "Request, approve, pay and clear a refund; return its line"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        Payment = pool.get('account.payment')
        with as_user(env.clerk):
            line = Deposit.request_refund(
                deposit, Decimal(amount), date=DAY)
        Line.approve([line])
        Line.pay([line])
        with Transaction().set_context(clearing_date=DAY):
            Payment.succeed([line.payment])
        return Line(line.id)

    @with_transaction()
    def test_receive_deduct_refund_close(self):
        "1,000 received, 100 deducted, 900 refunded: closed, reconciled"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        with self.setup() as env:
            books, site = env.books, env.site
            deposit = new_deposit(site)
            self.assertTrue(deposit.number.startswith('YJ'))
            Deposit.receive(
                deposit, Decimal('1000.00'), date=DAY, method=site.method)
            deposit = Deposit(deposit.id)
            self.assertEqual(
                (deposit.received, deposit.held, deposit.date),
                (Decimal('1000.00'), Decimal('1000.00'), DAY))
            self.assertEqual(balance(books.cash), Decimal('1000.00'))
            self.assertEqual(
                balance(books.held, site.owner), Decimal('-1000.00'))

            line = Deposit.deduct(
                deposit, Decimal('100.00'), books.lost_pass, date=DAY,
                description="Pass No. 7")
            self.assertEqual(line.state, 'posted')
            self.assertEqual(balance(books.revenue), Decimal('-100.00'))

            with as_user(env.clerk):
                refund = Deposit.request_refund(deposit, date=DAY)
            deposit = Deposit(deposit.id)
            self.assertEqual(refund.requested_by, env.clerk)
            self.assertEqual(refund.amount, Decimal('900.00'))
            self.assertEqual(refund.state, 'requested')
            self.assertEqual(refund.payment.state, 'submitted')
            self.assertEqual(
                (deposit.held, deposit.refund_pending, deposit.available),
                (Decimal('900.00'), Decimal('900.00'), Decimal('0.00')))
            # Requested is taken: nothing more can leave the deposit
            with self.assertRaises(DepositError) as cm:
                Deposit.request_refund(deposit, Decimal('0.01'), date=DAY)
            self.assertIn('900.00', str(cm.exception))
            with self.assertRaises(DepositError):
                Deposit.deduct(deposit, Decimal('1'), books.lost_pass)

            Line = pool.get('kefu.deposit.line')
            Payment = pool.get('account.payment')
            Line.approve([refund])
            self.assertEqual(Line(refund.id).state, 'approved')
            Line.pay([refund])
            self.assertEqual(Line(refund.id).state, 'processing')
            with Transaction().set_context(clearing_date=DAY):
                Payment.succeed([refund.payment])
            refund = Line(refund.id)
            deposit = Deposit(deposit.id)
            self.assertEqual(refund.state, 'paid')
            self.assertEqual(
                (deposit.received, deposit.deducted, deposit.refunded,
                    deposit.held, deposit.refund_pending, deposit.state),
                (Decimal('1000.00'), Decimal('100.00'), Decimal('900.00'),
                    Decimal('0.00'), Decimal('0.00'), 'closed'))
            self.assertEqual(balance(books.held, site.owner), Decimal(0))
            self.assertEqual(balance(books.clearing), Decimal('-900.00'))
            self.assertTrue(all(
                    l.reconciliation for l in deposit.account_lines()))
            self.assertEqual(len(deposit.account_lines()), 3)
            self.assertFalse(refund.bank_reconciled)
            with self.assertRaises(DepositError):
                Deposit.request_refund(deposit, Decimal('1'))

    @with_transaction()
    def test_taxable_deduction(self):
        "A deduction for a service splits its VAT the Chinese way"
        pool = Pool()
        Account = pool.get('account.account')
        Deposit = pool.get('kefu.deposit')
        Reason = pool.get('kefu.deposit.reason')
        Tax = pool.get('account.tax')
        with self.setup() as env:
            books, site = env.books, env.site
            vat_account, = Account.copy([books.held], default={
                    'code': None, 'name': "VAT Payable",
                    'party_required': False})
            tax = Tax(name="VAT 6%", description="VAT 6%",
                company=env.company, type='percentage',
                rate=Decimal('0.06'), invoice_account=vat_account,
                credit_note_account=vat_account)
            tax.save()
            cleaning = Reason(name="Cleaning of the staircase",
                company=env.company, account=books.revenue, tax=tax)
            cleaning.save()
            deposit = new_deposit(site)
            Deposit.receive(deposit, Decimal('1000.00'), date=DAY,
                method=site.method)
            line = Deposit.deduct(deposit, Decimal('106.00'), cleaning,
                date=DAY, description="Paint on the walls")
            self.assertEqual(balance(books.revenue), Decimal('-100.00'))
            self.assertEqual(balance(vat_account), Decimal('-6.00'))
            self.assertEqual(balance(books.held, site.owner),
                Decimal('-894.00'))
            tax_lines = [t for l in line.move.lines for t in l.tax_lines]
            self.assertEqual(sorted((t.type, t.amount) for t in tax_lines),
                [('base', Decimal('100.00')), ('tax', Decimal('6.00'))])
            self.assertEqual(Deposit(deposit.id).held, Decimal('894.00'))

    @with_transaction()
    def test_refused_input(self):
        "Bad amounts, a deduction without reason, deletions are refused"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            site = env.site
            deposit = new_deposit(site)
            for amount in [Decimal(0), Decimal('-5')]:
                with self.assertRaises(DepositError):
                    Deposit.receive(deposit, amount, method=site.method)
            with self.assertRaises(DepositError):
                Deposit.receive(deposit, Decimal(10))  # no desk method
            Deposit.receive(deposit, Decimal(300), date=DAY,
                method=site.method)
            with self.assertRaises(DepositError):
                Deposit.deduct(deposit, Decimal(10), None)
            with self.assertRaises(DepositError):
                Deposit.request_refund(deposit, Decimal('300.01'))
            with self.assertRaises(AccessError):
                Line.delete(Deposit(deposit.id).lines)
            with self.assertRaises(AccessError):
                Deposit.delete([deposit])
            with self.assertRaises(DepositError):
                Deposit.cancel([deposit])
            self.assertEqual(Deposit(deposit.id).held, Decimal(300))

    @with_transaction()
    def test_database_checks(self):
        "The database refuses unbalanced totals and negative held"
        Deposit = Pool().get('kefu.deposit')
        with self.setup() as env:
            deposit = new_deposit(env.site)
            for values in [
                    {'received': Decimal(10)},
                    {'received': Decimal(10), 'held': Decimal(11),
                        'deducted': Decimal(-1)},
                    {'held': Decimal(5), 'received': Decimal(5),
                        'refund_pending': Decimal(6)},
                    ]:
                cursor = Transaction().connection.cursor()
                cursor.execute('SAVEPOINT check_totals')
                with self.assertRaises(SQLConstraintError):
                    Deposit.write([Deposit(deposit.id)], values)
                cursor.execute('ROLLBACK TO SAVEPOINT check_totals')

    @with_transaction()
    def test_approve_own_request_refused(self):
        "Finance cannot approve a refund they requested themselves"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            site = env.site
            user = create_user('accountant', env.company, site.estate,
                'group_finance')
            deposit = new_deposit(site)
            Deposit.receive(deposit, Decimal(500), date=DAY,
                method=site.method)
            with as_user(user):
                line = Deposit.request_refund(deposit, date=DAY)
                with self.assertRaises(DepositError) as cm:
                    Line.approve([Line(line.id)])
                self.assertIn(line.rec_name, str(cm.exception))
            Line.approve([line])
            self.assertEqual(Line(line.id).state, 'approved')

    @with_transaction()
    def test_cancel_refund_and_reverse(self):
        "A cancelled refund frees the money; a reversed receipt empties it"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            books, site = env.books, env.site
            deposit = new_deposit(site)
            received = Deposit.receive(deposit, Decimal(200), date=DAY,
                method=site.method)
            refund = Deposit.request_refund(deposit, date=DAY)
            with self.assertRaises(DepositError):
                Line.reverse([received])
            Line.cancel([refund])
            refund = Line(refund.id)
            self.assertEqual(refund.state, 'cancelled')
            self.assertEqual(refund.payment.state, 'failed')
            deposit = Deposit(deposit.id)
            self.assertEqual(
                (deposit.held, deposit.available), (Decimal(200),) * 2)
            Line.reverse([received])
            deposit = Deposit(deposit.id)
            self.assertEqual(
                (deposit.received, deposit.held, deposit.state),
                (Decimal(0), Decimal(0), 'open'))
            self.assertEqual(balance(books.cash), Decimal(0))
            self.assertEqual(balance(books.held, site.owner), Decimal(0))
            self.assertEqual(Line(received.id).state, 'reversed')

    @with_transaction()
    def test_cash_close_counts_deposits(self):
        "A deposit taken in cash is expected in the desk's daily close"
        pool = Pool()
        CashClose = pool.get('kefu.cash.close')
        Deposit = pool.get('kefu.deposit')
        with self.setup() as env:
            site = env.site
            deposit = new_deposit(site)
            Deposit.receive(deposit, Decimal('1000.00'), date=DAY,
                method=site.method)
            self.assertEqual(CashClose.expected_amounts(site.desk, DAY),
                {'cash': Decimal('1000.00')})

    @with_transaction()
    def test_guarantee_find_and_release(self):
        "A bank's guarantee: placed, found by bank and reference, released"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Party = pool.get('party.party')
        with self.setup() as env:
            books, site = env.books, env.site
            bank = Party(name="ICBC Green Garden Branch")
            bank.save()
            deposit = new_deposit(site, kind='mortgage_guarantee',
                party=bank, reference='GD-2025-001')
            self.assertEqual(deposit.direction, 'held_by_bank')
            Deposit.receive(deposit, Decimal('60000.00'), date=DAY)
            self.assertEqual(balance(books.guarantee, bank),
                Decimal('60000.00'))
            self.assertEqual(balance(books.bank), Decimal('-60000.00'))
            self.assertEqual(
                Deposit.find_guarantee(bank, 'GD-2025-001'), deposit)
            self.assertIsNone(Deposit.find_guarantee(bank, 'GD-2025-002'))
            line = Deposit.release(deposit, DAY, Decimal('60000.00'))
            self.assertEqual(line.state, 'paid')
            deposit = Deposit(deposit.id)
            self.assertEqual((deposit.refunded, deposit.held, deposit.state),
                (Decimal('60000.00'), Decimal(0), 'closed'))
            self.assertEqual(balance(books.guarantee, bank), Decimal(0))
            self.assertEqual(balance(books.bank), Decimal(0))
            other = new_deposit(site)
            with self.assertRaises(DepositError):
                Deposit.release(other, DAY, Decimal(1))

    @with_transaction()
    def test_refund_due(self):
        "The scheduled action requests the refunds that came due"
        pool = Pool()
        Date = pool.get('ir.date')
        Deposit = pool.get('kefu.deposit')
        with self.setup() as env:
            site = env.site
            due = new_deposit(site, refund_due=DAY)
            later = new_deposit(site, refund_due=DAY + dt.timedelta(7))
            for deposit in [due, later]:
                Deposit.receive(deposit, Decimal(1000), date=DAY,
                    method=site.method)
            with patch.object(Date, 'today', return_value=DAY
                    + dt.timedelta(1)):
                self.assertEqual(
                    Deposit.search([('refund_late', '=', True)]), [due])
                self.assertEqual(Deposit.prepare_due_refunds(), [due])
                # Late until the money has left
                self.assertEqual(
                    Deposit.search([('refund_late', '=', True)]), [due])
                self.assertEqual(Deposit.prepare_due_refunds(), [])
            due = Deposit(due.id)
            self.assertEqual(due.refund_pending, Decimal(1000))
            self.assertEqual(Deposit(later.id).refund_pending, Decimal(0))

