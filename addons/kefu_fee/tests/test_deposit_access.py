# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may do what with deposits: the front desk creates deposits, receives
money and requests refunds, through the buttons' wizards as the web client
runs them, but approves, pays, cancels, deducts, reverses, writes lines and
deletes nothing, nor runs a wizard whose button it does not have; finance
approves and pays (not its own request), cancels and reverses; nobody
deletes a deposit or a line, not even finance or the administrators; the
deduction reasons are finance's, the kinds finance's and the office
manager's."""
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import as_user, click, create_user
from trytond.modules.kefu_fee.exceptions import DepositError
from trytond.modules.kefu_fee.tests.test_deposit import (
    new_deposit, setup_deposit_books)
from trytond.modules.kefu_fee.tests.test_payment import (
    DAY, balance, setup_books, setup_estate)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, with_transaction)
from trytond.transaction import Transaction


def run_wizard(wiz_name, record, values, action_id=None):
    """Run the wizard on record as the web client does: create its session,
    open its form, fill values in and press OK ('operate'); return the
    deposit's totals after"""
    Wizard = Pool().get(wiz_name, type='wizard')
    context = {'active_model': record.__name__, 'active_id': record.id,
        'active_ids': [record.id]}
    if action_id:
        context['action_id'] = action_id
    with Transaction().set_context(context):
        session_id, start, _ = Wizard.create()
        defaults = Wizard.execute(session_id, {}, start)['view']['defaults']
        # Without the rec_names ('company.') the client shows beside them
        form = {k: v for k, v in defaults.items() if '.' not in k}
        form.update(values)
        Wizard.execute(session_id, {start: form}, 'operate')
        Wizard.delete(session_id)


def click_wizard(Model, button, record, values):
    "Press a button that opens a wizard and run the wizard it opens"
    Action = Pool().get('ir.action')
    action_id = click(Model, button, [record])
    wiz_name = Action(action_id).get_action_value()['wiz_name']
    run_wizard(wiz_name, record, values, action_id=action_id)


def totals(deposit):
    deposit = Pool().get('kefu.deposit')(deposit.id)
    return (deposit.received, deposit.deducted, deposit.refunded,
        deposit.refund_pending, deposit.held)


class DepositAccessTestCase(TestCase):
    "Test the access rights of the deposits"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['kefu_fee'])

    @contextmanager
    def setup(self):
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            setup_deposit_books(company, books)
            site = setup_estate(company, books)
            method = site.desk.method('cash')

            def user(login, group):
                return create_user(login, company, site.estate, group)
            yield SimpleNamespace(
                company=company, books=books, site=site, method=method,
                clerk=user('clerk', 'group_front_desk'),
                supervisor=user('supervisor', 'group_supervisor'),
                manager=user('manager', 'group_office_manager'),
                boss=user('boss', 'group_admin'),
                accountant=user('accountant', 'group_finance'),
                cashier=user('cashier', 'group_finance'))

    def received(self, env, amount='1000.00'):
        "A deposit of the owner with amount received at the desk"
        Deposit = Pool().get('kefu.deposit')
        deposit = new_deposit(env.site)
        line = Deposit.receive(deposit, Decimal(amount), date=DAY,
            method=env.method)
        return Deposit(deposit.id), line

    @with_transaction()
    def test_front_desk_receives_and_requests(self):
        "The front desk creates, receives and requests through the wizards"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Kind = pool.get('kefu.deposit.kind')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            with as_user(env.clerk):
                deposit, = Deposit.create([{
                            'estate': env.site.estate.id,
                            'unit': env.site.unit.id,
                            'party': env.site.owner.id,
                            'kind': Kind.get('renovation_owner').id,
                            }])
                self.assertTrue(deposit.number.startswith('YJ'))
                click_wizard(Deposit, 'receive_wizard', deposit, {
                        'amount': Decimal('1000.00'), 'date': DAY,
                        'method': env.method.id})
                Deposit.receive(deposit, Decimal('200.00'), date=DAY,
                    method=env.method)
                click_wizard(Deposit, 'refund_wizard', deposit, {
                        'amount': Decimal('300.00'), 'date': DAY})
                Deposit.request_refund(deposit, Decimal('100.00'), date=DAY)
                self.assertEqual(totals(deposit), (
                        Decimal('1200.00'), 0, 0, Decimal('400.00'),
                        Decimal('1200.00')))
                lines = Line.search([('deposit', '=', deposit.id)])
                self.assertEqual(
                    [(l.kind, l.amount, l.state, l.requested_by)
                        for l in lines], [
                        ('receive', Decimal('1000.00'), 'posted', env.clerk),
                        ('receive', Decimal('200.00'), 'posted', env.clerk),
                        ('refund', Decimal('300.00'), 'requested',
                            env.clerk),
                        ('refund', Decimal('100.00'), 'requested',
                            env.clerk),
                        ])
            self.assertEqual(balance(env.books.cash), Decimal('1200.00'))
            self.assertEqual(balance(env.books.held, env.site.owner),
                Decimal('-1200.00'))

    @with_transaction()
    def test_front_desk_refused(self):
        "The front desk approves, pays, deducts, reverses, deletes nothing"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        Party = pool.get('party.party')
        with self.setup() as env:
            deposit, receipt = self.received(env)
            with as_user(env.clerk):
                refund = Deposit.request_refund(
                    deposit, Decimal('300.00'), date=DAY)
            empty = new_deposit(env.site)
            stranger = Party(name="Stranger")
            stranger.save()
            before = totals(deposit)
            with as_user(env.clerk):
                for button, line in [('approve', refund), ('pay', refund),
                        ('cancel', refund), ('reverse', receipt)]:
                    with self.assertRaises(AccessButtonError, msg=button):
                        click(Line, button, [line])
                for button, record in [('deduct_wizard', deposit),
                        ('cancel', empty)]:
                    with self.assertRaises(AccessButtonError, msg=button):
                        click(Deposit, button, [record])
                # Nor by running the wizard without its button
                with self.assertRaises(AccessError):
                    run_wizard('kefu.deposit.deduct', deposit, {
                            'amount': Decimal('100.00'), 'date': DAY,
                            'reason': env.books.lost_pass.id,
                            'description': "Lost pass"})
                with self.assertRaises(AccessError):
                    Line.write([receipt], {'description': "Changed"})
                with self.assertRaises(AccessError):
                    Line.create([{'deposit': deposit.id, 'kind': 'receive',
                                'amount': Decimal(10), 'date': DAY,
                                'state': 'posted'}])
                with self.assertRaises(AccessError):
                    Line.delete([refund])
                with self.assertRaises(AccessError):
                    Deposit.delete([empty])
                # The totals, the state and who is refunded are the
                # ledger's (received and held alike pass the database)
                for values in [
                        {'received': Decimal('9000.00'),
                            'held': Decimal('9000.00')},
                        {'refund_pending': Decimal(0)},
                        {'state': 'closed'},
                        {'party': stranger.id},
                        ]:
                    with self.assertRaises(AccessError, msg=values):
                        Deposit.write([deposit], values)
                with self.assertRaises(AccessError):
                    Deposit.create([{
                                'estate': env.site.estate.id,
                                'party': env.site.owner.id,
                                'kind': deposit.kind.id,
                                'received': Decimal('9000.00'),
                                'held': Decimal('9000.00')}])
                Deposit.write([deposit], {'description': "Renovation"})
            self.assertEqual(totals(deposit), before)
            self.assertEqual(before, (Decimal('1000.00'), 0, 0,
                    Decimal('300.00'), Decimal('1000.00')))
            deposit = Deposit(deposit.id)
            self.assertEqual(
                (deposit.party, deposit.state, deposit.description),
                (env.site.owner, 'open', "Renovation"))
            self.assertEqual(Line(refund.id).state, 'requested')
            self.assertEqual(Line(receipt.id).state, 'posted')

    @with_transaction()
    def test_finance(self):
        "Finance approves and pays others' requests, cancels and reverses"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            deposit, receipt = self.received(env)
            with as_user(env.clerk):
                refund = Deposit.request_refund(
                    deposit, Decimal('300.00'), date=DAY)
                withdrawn = Deposit.request_refund(
                    deposit, Decimal('100.00'), date=DAY)
            with as_user(env.accountant):
                own = Deposit.request_refund(
                    deposit, Decimal('50.00'), date=DAY)
                click(Line, 'approve', [refund])
                self.assertEqual(Line(refund.id).state, 'approved')
                click(Line, 'pay', [refund])
                self.assertEqual(Line(refund.id).state, 'processing')
                self.assertEqual(refund.payment.state, 'processing')
                with self.assertRaises(DepositError) as cm:
                    click(Line, 'approve', [own])
                self.assertIn(Line(own.id).rec_name, str(cm.exception))
                click(Line, 'cancel', [withdrawn])
                self.assertEqual(Line(withdrawn.id).state, 'cancelled')
                click_wizard(Deposit, 'deduct_wizard', deposit, {
                        'amount': Decimal('100.00'), 'date': DAY,
                        'reason': env.books.lost_pass.id,
                        'description': "Lost pass No. 7"})
            self.assertEqual(Line(own.id).state, 'requested')
            with as_user(env.cashier):
                click(Line, 'approve', [own])
            self.assertEqual(Line(own.id).state, 'approved')
            self.assertEqual(totals(deposit), (Decimal('1000.00'),
                    Decimal('100.00'), 0, Decimal('350.00'),
                    Decimal('900.00')))

            other, other_receipt = self.received(env, '80.00')
            with as_user(env.accountant):
                click(Line, 'reverse', [other_receipt])
            self.assertEqual(Line(other_receipt.id).state, 'reversed')
            self.assertEqual(totals(other), (0,) * 5)
            # Nothing received any more: finance cancels the deposit
            with as_user(env.accountant):
                click(Deposit, 'cancel', [other])
            self.assertEqual(Deposit(other.id).state, 'cancelled')

    @with_transaction()
    def test_others_do_not_see(self):
        "Engineering and security do not see deposits, nor their lines"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            deposit, receipt = self.received(env)
            for group in ['group_engineering', 'group_security']:
                other = create_user(
                    group, env.company, env.site.estate, group)
                with as_user(other):
                    with self.assertRaises(AccessError, msg=group):
                        Deposit.search([])
                    with self.assertRaises(AccessError, msg=group):
                        Deposit.read([deposit.id], ['held'])
                    with self.assertRaises(AccessError, msg=group):
                        Line.search([])
            with as_user(env.clerk):
                self.assertEqual(Deposit.search([]), [deposit])

    @with_transaction()
    def test_nobody_deletes(self):
        "No one deletes a deposit or its lines, not even the administrators"
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Line = pool.get('kefu.deposit.line')
        with self.setup() as env:
            deposit, receipt = self.received(env)
            empty = new_deposit(env.site)
            for user in [env.accountant, env.boss, env.manager,
                    env.supervisor]:
                with as_user(user):
                    with self.assertRaises(AccessError, msg=user.login):
                        Deposit.delete([empty])
                    with self.assertRaises(AccessError, msg=user.login):
                        Line.delete([receipt])
            # The administrator, and root, unchecked
            for user_id in [1, 0]:
                with Transaction().set_user(user_id):
                    with self.assertRaises(AccessError):
                        Deposit.delete([empty])
                    with self.assertRaises(AccessError):
                        Line.delete([receipt])
            self.assertEqual(Deposit.search([], order=[('id', 'ASC')]),
                [deposit, empty])
            self.assertEqual(Line.search([]), [receipt])

    @with_transaction()
    def test_kinds_and_reasons(self):
        "The reasons are finance's; the kinds, finance's and the manager's"
        pool = Pool()
        Kind = pool.get('kefu.deposit.kind')
        Reason = pool.get('kefu.deposit.reason')
        with self.setup() as env:
            kind = Kind.get('key')
            reason = env.books.lost_pass

            def edit(user, login):
                with as_user(user):
                    Kind.write([kind], {'name': "Key Deposit %s" % login})
                    Kind.create([{'name': "Kind %s" % login,
                                'code': 'kind_%s' % login}])

            def edit_reason(user, login):
                with as_user(user):
                    Reason.write([reason], {'amount': Decimal('120.00')})
                    Reason.create([{'name': "Reason %s" % login,
                                'company': env.company.id,
                                'account': env.books.revenue.id}])
            for user in [env.clerk, env.supervisor, env.manager]:
                with self.assertRaises(AccessError, msg=user.login):
                    edit_reason(user, user.login)
            for user in [env.clerk, env.supervisor]:
                with self.assertRaises(AccessError, msg=user.login):
                    edit(user, user.login)
                # Everybody reads them, to choose one
                with as_user(user):
                    self.assertEqual(Kind(kind.id).code, 'key')
                    self.assertEqual(Reason(reason.id).amount,
                        Decimal('100.00'))
            edit(env.manager, 'manager')
            edit(env.accountant, 'accountant')
            edit_reason(env.accountant, 'accountant')
            for Model, record in [(Kind, kind), (Reason, reason)]:
                with as_user(env.accountant):
                    with self.assertRaises(AccessError):
                        Model.delete([record])
            self.assertEqual(Kind(kind.id).name, "Key Deposit accountant")
            self.assertEqual(Reason(reason.id).amount, Decimal('120.00'))
            self.assertEqual(
                Kind.search_count([('code', 'like', 'kind_%')]), 2)
            self.assertEqual(
                Reason.search_count([('name', 'like', 'Reason %')]), 1)
