# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The deposit's papers and the accountants' check: 1,000 received in
cash, 100 kept for a lost pass, 900 requested for refund; the receipt (a
reprint marked 副本), the refund statement with its figures in Chinese
capitals, and the ledger against the held account, to the cent, until a
hand-made entry on the account shows as a difference of exactly its
amount."""
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_fee.exceptions import DepositError
from trytond.modules.kefu_fee.tests.test_deposit import (
    new_deposit, setup_deposit_books)
from trytond.modules.kefu_fee.tests.test_payment import (
    DAY, report_text, setup_books, setup_estate)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


class DepositReportTestCase(FreshDatabaseTestCase):
    "Test the deposit receipt, the refund statement and the account check"
    module = 'kefu_fee'

    @contextmanager
    def setup(self):
        """The books, the estate and a deposit of the owner: 1,000 received
        in cash by the clerk, 100 kept for a lost pass, 900 requested"""
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            setup_deposit_books(company, books)
            site = setup_estate(company, books)
            clerk = create_user(
                'clerk', company, site.estate, 'group_front_desk')
            deposit = new_deposit(site, description="Renovation of 101")
            with as_user(clerk):
                receipt = Deposit.receive(deposit, Decimal('1000.00'),
                    date=DAY, method=site.desk.method('cash'))
            deduction = Deposit.deduct(
                deposit, Decimal('100.00'), books.lost_pass, date=DAY,
                description="Pass No. 7")
            with as_user(clerk):
                refund = Deposit.request_refund(deposit, date=DAY)
            yield SimpleNamespace(
                company=company, books=books, site=site, clerk=clerk,
                deposit=Deposit(deposit.id), receipt=receipt,
                deduction=deduction, refund=refund)

    def render(self, report, records, action):
        "Print records with the report of action; return its text"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Report = pool.get(report, type='report')
        oext, content, _, _ = Report.execute(
            [r.id for r in records],
            {'action_id': ModelData.get_id('kefu_fee', action)})
        self.assertEqual(oext, 'pdf')
        return report_text(oext, content)

    @with_transaction()
    def test_receipt(self):
        "The receipt in figures and capitals; a reprint is a copy (副本)"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            receipt, deposit = env.receipt, env.deposit
            number = deposit.number + '-1'
            self.assertEqual(receipt.receipt_number, number)
            with as_user(env.clerk):
                first = self.render('kefu.deposit.receipt', [receipt],
                    'report_deposit_receipt')
                second = self.render('kefu.deposit.receipt', [receipt],
                    'report_deposit_receipt')
                with self.assertRaises(DepositError):
                    self.render('kefu.deposit.receipt', [env.deduction],
                        'report_deposit_receipt')
            self.assertEqual(Line(receipt.id).printed, 2)
            for text in [first, second]:
                self.assertEqual(text.count('\f'), 1)
                self.assertIn('押金收据', ''.join(text.split()))
                self.assertIn(number, text)
                self.assertIn('¥ 1,000.00', text)
                self.assertIn('壹仟元整', text)
                self.assertIn('Zhang Wei', text)
                self.assertIn('1-1-101', text)
                self.assertIn('Renovation of 101', text)
                self.assertIn('Desk A', text)
                self.assertIn('Cash', text)
                self.assertIn('Clerk', text)
                self.assertIn('出示本收据', text)
                self.assertNotIn('100.00', text)
            self.assertNotIn('副本', first)
            self.assertIn('副本', second)

            # From the deposit's form: each receipt on its page, a copy
            # only where it was printed before
            with as_user(env.clerk):
                more = Deposit.receive(deposit, Decimal('500.00'), date=DAY,
                    method=env.site.desk.method('wechat'))
                pages = self.render('kefu.deposit.receipt.all', [deposit],
                    'report_deposit_receipts').split('\f')
            self.assertEqual(len(pages), 3)  # and what follows the last
            self.assertEqual(
                [Line(receipt.id).printed, Line(more.id).printed], [3, 1])
            self.assertIn(number, pages[0])
            self.assertIn('壹仟元整', pages[0])
            self.assertIn('副本', pages[0])
            self.assertIn(deposit.number + '-2', pages[1])
            self.assertIn('伍佰元整', pages[1])
            self.assertIn('WeChat', pages[1])
            self.assertNotIn('副本', pages[1])

    @with_transaction()
    def test_refund_statement(self):
        "The statement lists each line and the refund in capitals"
        with self.setup() as env:
            with as_user(env.clerk):
                text = self.render('kefu.deposit.refund_statement',
                    [env.deposit], 'report_deposit_refund_statement')
            self.assertIn('押金退款确认单', text)
            self.assertIn(env.deposit.number, text)
            self.assertIn('Lost worker pass', text)
            self.assertIn('Pass No. 7', text)
            self.assertIn('Requested', text)
            self.assertIn('Posted', text)
            for label, amount in [
                    ('已收押金合计', '1,000.00'), ('扣除合计', '100.00'),
                    ('已退款', '0.00'), ('退款审批中', '900.00'),
                    ('退款金额（小写）', '900.00')]:
                line, = [l for l in text.splitlines() if label in l]
                self.assertEqual(line.split()[-1], amount, msg=label)
            self.assertIn('玖佰元整', text)
            self.assertNotIn('壹仟元整', text)
            for label in ['申请人', '财务审批', '领款人签字', '日期']:
                self.assertIn(label, text)

    def check(self, model, key):
        "The rows of the check, by key: (deposits, held, balance, difference)"
        Model = Pool().get(model)
        return {key(r): (r.deposits, r.held, r.balance, r.difference,
                r.balanced) for r in Model.search([])}

    @with_transaction()
    def test_balance(self):
        """The ledger equals its accounts through receipt, deduction,
        refund, guarantee, reversal; a manual entry is the difference"""
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Journal = pool.get('account.journal')
        Line = pool.get('kefu.deposit.line')
        Move = pool.get('account.move')
        Party = pool.get('party.party')
        Payment = pool.get('account.payment')
        Period = pool.get('account.period')
        D = Decimal
        with self.setup() as env:
            books, site = env.books, env.site
            bank = Party(name="ICBC Green Garden Branch")
            bank.save()
            guarantee = new_deposit(site, kind='mortgage_guarantee',
                party=bank, reference='GD-2025-001')
            Deposit.receive(guarantee, D('60000.00'), date=DAY)
            by_direction = lambda r: r.direction  # noqa: E731
            by_kind = lambda r: r.kind.code  # noqa: E731
            self.assertEqual(
                self.check('kefu.deposit.balance', by_direction), {
                    'held_by_us': (1, D('900.00'), D('900.00'), D(0), True),
                    'held_by_bank': (
                        1, D('60000.00'), D('60000.00'), D(0), True),
                    })
            self.assertEqual(
                self.check('kefu.deposit.balance.kind', by_kind), {
                    'renovation_owner': (
                        1, D('900.00'), D('900.00'), D(0), True),
                    'mortgage_guarantee': (
                        1, D('60000.00'), D('60000.00'), D(0), True),
                    })
            row, = pool.get('kefu.deposit.balance').search(
                [('direction', '=', 'held_by_us')])
            self.assertEqual(row.account, books.held)
            self.assertEqual(row.currency, env.company.currency)

            # The refund paid and cleared, a second deposit received and
            # reversed, a third one held
            Line.approve([env.refund])
            Line.pay([env.refund])
            with Transaction().set_context(clearing_date=DAY):
                Payment.succeed([Line(env.refund.id).payment])
            self.assertEqual(Deposit(env.deposit.id).state, 'closed')
            second = new_deposit(site)
            wrong = Deposit.receive(second, D('200.00'), date=DAY,
                method=site.desk.method('cash'))
            Line.reverse([wrong])
            key = new_deposit(site, kind='key')
            Deposit.receive(key, D('300.00'), date=DAY,
                method=site.desk.method('wechat'))
            self.assertEqual(
                self.check('kefu.deposit.balance', by_direction)[
                    'held_by_us'],
                (2, D('300.00'), D('300.00'), D(0), True))
            self.assertEqual(
                self.check('kefu.deposit.balance.kind', by_kind), {
                    'renovation_owner': (1, D(0), D(0), D(0), True),
                    'key': (1, D('300.00'), D('300.00'), D(0), True),
                    'mortgage_guarantee': (
                        1, D('60000.00'), D('60000.00'), D(0), True),
                    })

            # Somebody credits the held account by hand
            journal, = Journal.search([('type', '=', 'general')], limit=1)
            move = Move(journal=journal, date=DAY,
                period=Period.find(env.company, date=DAY),
                company=env.company, lines=[{
                        'account': books.held.id, 'party': site.owner.id,
                        'debit': D(0), 'credit': D('45.60'),
                        }, {
                        'account': books.cash.id,
                        'debit': D('45.60'), 'credit': D(0),
                        }])
            move.save()
            # A draft is not on the books yet
            self.assertTrue(self.check('kefu.deposit.balance', by_direction)[
                    'held_by_us'][-1])
            Move.post([move])
            self.assertEqual(
                self.check('kefu.deposit.balance', by_direction), {
                    'held_by_us': (
                        2, D('300.00'), D('345.60'), D('45.60'), False),
                    'held_by_bank': (
                        1, D('60000.00'), D('60000.00'), D(0), True),
                    })
            # No kind's ledger moves changed: the entry is outside the ledger
            self.assertTrue(all(balanced for *_, balanced in self.check(
                        'kefu.deposit.balance.kind', by_kind).values()))
