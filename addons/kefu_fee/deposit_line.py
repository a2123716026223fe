# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A deposit line (押金明细): money received into a deposit, kept from it
for a reason, or refunded (released by a bank).  Each posts its account
move; a refund of money held by us is a Tryton payment that finance
approves and pays and the bank statement clears.  Lines are never deleted:
a posted line is reversed, a refund not yet paid is cancelled."""
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import Check, Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.kefu_base.model import employee_for
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .deposit import _num
from .exceptions import DepositError
from .vat import included_tax

ZERO = Decimal('0.00')

class DepositLine(ModelSQL, ModelView):
    __string__ = "Deposit Line"
    __name__ = 'kefu.deposit.line'

    deposit = fields.Many2One(
        'kefu.deposit', "Deposit", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The deposit the money belongs to.")
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    party = fields.Function(
        fields.Many2One('party.party', "Party"),
        'on_change_with_party', searcher='search_party')
    kind = fields.Selection([
            ('receive', "Receive"),
            ('deduct', "Deduct"),
            ('refund', "Refund"),
            ], "Kind", required=True, readonly=True, sort=False,
        help="Receive: money comes in; deduct: money is kept for a reason; "
        "refund: money goes back (for a bank's guarantee: is released).")
    kind_string = kind.translated('kind')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        readonly=True,
        help="Always positive; the kind says which way it goes.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    date = fields.Date("Date", required=True, readonly=True,
        help="The day of the receipt, deduction or refund request.")
    method = fields.Many2One(
        'kefu.fee.desk.method', "Payment Method", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': Eval('kind') != 'receive'},
        help="The desk and way of paying the money was received with.")
    reason = fields.Many2One(
        'kefu.deposit.reason', "Reason", readonly=True, ondelete='RESTRICT',
        states={'invisible': Eval('kind') != 'deduct'},
        help="Why the money was kept.")
    description = fields.Char(
        "Description", readonly=True,
        help="Details: what was lost or broken, the violation, the "
        "refund's bank account.")
    employee = fields.Many2One(
        'company.employee', "Employee", readonly=True, ondelete='RESTRICT',
        help="Who received, deducted or requested.")
    requested_by = fields.Many2One(
        'res.user', "Requested by", readonly=True, ondelete='RESTRICT',
        help="The user who recorded the line; a refund is approved by "
        "someone else.")
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT',
        help="The posted account move of the line.")
    payment = fields.Many2One(
        'account.payment', "Payment", readonly=True, ondelete='RESTRICT',
        states={'invisible': Eval('kind') != 'refund'},
        help="The payment that refunds the money, approved by finance.")
    bank_reconciled = fields.Function(fields.Boolean(
            "Matched with Bank",
            states={'invisible': Eval('kind') != 'refund'},
            help="The refund's payment is matched with the bank statement "
            "line that shows the money leaving the bank."),
        'get_bank_reconciled')
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ('requested', "Requested"),
            ('approved', "Approved"),
            ('processing', "Being Paid"),
            ('paid', "Paid"),
            ('cancelled', "Cancelled"),
            ('reversed', "Reversed"),
            ], "State", required=True, readonly=True, sort=False,
        help="Receipts and deductions are posted (or reversed); a refund is "
        "requested, approved by finance, paid, or cancelled.")
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('amount_positive', Check(t, _num(t.amount) > 0),
                'kefu_fee.msg_deposit_line_amount_positive'),
            ('reason_required', Check(t, 
                    (t.kind != 'deduct') | (t.reason != Null)),
                'kefu_fee.msg_deposit_line_reason_required'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.deposit, Index.Range())),
                Index(t, (t.payment, Index.Range())),
                })
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
        cls.__access__.add('deposit')
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'pay': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['requested', 'approved']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'reverse': {
                    'invisible': Eval('state') != 'posted',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('deposit', '_parent_deposit.company')
    def on_change_with_company(self, name=None):
        return self.deposit.company if self.deposit else None

    @classmethod
    def search_company(cls, name, clause):
        return [('deposit.company' + clause[0][len(name):], *clause[1:])]

    @fields.depends('deposit', '_parent_deposit.party')
    def on_change_with_party(self, name=None):
        return self.deposit.party if self.deposit else None

    @classmethod
    def search_party(cls, name, clause):
        return [('deposit.party' + clause[0][len(name):], *clause[1:])]

    @fields.depends('deposit', '_parent_deposit.currency')
    def on_change_with_currency(self, name=None):
        return self.deposit.currency if self.deposit else None

    def get_bank_reconciled(self, name):
        if self.kind != 'refund':
            return None
        if self.payment:
            return bool(self.payment.clearing_reconciled)
        # A release of a bank's guarantee is matched with its move line
        return bool(self.move and self.state == 'paid' and any(
                l.reconciliation for l in self.move.lines))

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.deposit.rec_name, self.kind_string, self.amount)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'delete':
            raise AccessError(gettext('kefu_fee.msg_deposit_line_delete'))
        # The lines follow the deposit's access (its estate's rules), but
        # only the ledger changes them: the user's rights on the deposit
        # do not open its lines
        if mode in {'create', 'write'} and external:
            raise AccessError(gettext('kefu_fee.msg_deposit_line_write'))

    def check_allowed(self):
        "Check the line against the deposit's totals (the deposit is locked)"
        deposit = self.deposit
        if self.amount is None or self.amount <= 0:
            raise DepositError(gettext(
                    'kefu_fee.msg_deposit_line_amount_positive'))
        if deposit.state != 'open':
            raise DepositError(gettext(
                    'kefu_fee.msg_deposit_not_open',
                    deposit=deposit.rec_name, state=deposit.state_string))
        if self.kind == 'deduct' and not self.reason:
            raise DepositError(gettext(
                    'kefu_fee.msg_deposit_line_reason_required'))
        if self.kind == 'receive' and (deposit.direction == 'held_by_us'
                and not self.method):
            raise DepositError(gettext(
                    'kefu_fee.msg_deposit_receive_method',
                    deposit=deposit.rec_name))
        if self.kind in {'deduct', 'refund'} and (
                self.amount > deposit.available):
            raise DepositError(gettext(
                    'kefu_fee.msg_deposit_exceeds_available',
                    deposit=deposit.rec_name, amount=self.amount,
                    kind=self.kind_string, available=deposit.available,
                    held=deposit.held, pending=deposit.refund_pending))
        if self.method:
            self.check_desk_day()

    def check_desk_day(self):
        CashClose = Pool().get('kefu.cash.close')
        desk = self.method.desk
        if CashClose.day_closed(desk, self.date):
            raise DepositError(gettext(
                    'kefu_fee.msg_payment_day_closed',
                    desk=desk.rec_name, date=self.date))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('requested_by', Transaction().user)
            if values.get('deposit') and not values.get('employee'):
                Deposit = Pool().get('kefu.deposit')
                values['employee'] = employee_for(
                    Deposit(values['deposit']).company)
        return values

    @classmethod
    def post(cls, lines):
        """Post the moves of receipts and deductions, submit the payments of
        refunds (post at once a bank's release) and update the totals"""
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        # Who may record a line may not write moves and payments: the
        # checks of the line are the gate
        with without_check_access():
            cls._post(lines)
        Deposit.update_totals(Deposit.browse({l.deposit.id for l in lines}))

    @classmethod
    def _post(cls, lines):
        pool = Pool()
        Move = pool.get('account.move')
        Payment = pool.get('account.payment')
        moves, payments = [], []
        for line in lines:
            if line.kind == 'refund' and line.direction_us:
                line.payment = line.get_payment()
                payments.append(line.payment)
                line.state = 'requested'
            else:
                line.move = line.get_move()
                moves.append(line.move)
                line.state = 'paid' if line.kind == 'refund' else 'posted'
        Move.save(moves)
        Move.post(moves)
        Payment.save(payments)
        Payment.submit(payments)
        cls.save(lines)

    @property
    def direction_us(self):
        return self.deposit.direction != 'held_by_bank'

    def get_move(self):
        "Return the account move of a receipt, deduction or release"
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        deposit = self.deposit
        company = deposit.company
        config = Configuration(1)
        held = deposit.account
        if self.kind == 'receive' and self.method:
            counterpart = self.method.account
            journal = self.method.payment_method.journal
        else:
            journal = config.fee_setting('deposit_journal', company)
            if self.kind == 'deduct':
                counterpart = self.reason.account
            else:
                counterpart = config.fee_setting(
                    'guarantee_bank_account', company)
        # held by us, money coming in is a credit of what we owe the
        # party; held by a bank, a debit of what the bank owes us
        sign = 1 if self.kind == 'receive' else -1
        if self.direction_us:
            sign = -sign
        lines = [self._move_line(held, sign * self.amount, deposit.party)]
        lines += self._counterpart_lines(counterpart, -sign * self.amount)
        return Move(
            journal=journal, company=company, date=self.date,
            period=Period.find(company, date=self.date), origin=self,
            description=self.move_description, lines=lines)

    def _counterpart_lines(self, account, amount):
        "The lines balancing amount on account, with the VAT of a reason"
        deposit = self.deposit
        party = deposit.party if account.party_required else None
        if self.kind != 'deduct' or not self.reason.tax:
            return [self._move_line(account, amount, party)]
        tax = self.reason.tax
        vat = included_tax(amount, tax.rate or Decimal(0))
        tax_line = self._move_line(tax.credit_note_account
            if amount > 0 else tax.invoice_account, vat, None)
        tax_line.tax_lines = [{
                'amount': -vat, 'tax': tax.id, 'type': 'tax'}]
        base = self._move_line(account, amount - vat, party)
        base.tax_lines = [{
                'amount': -(amount - vat), 'tax': tax.id, 'type': 'base'}]
        return [base, tax_line]

    def _move_line(self, account, amount, party):
        MoveLine = Pool().get('account.move.line')
        return MoveLine(
            account=account,
            debit=amount if amount > 0 else ZERO,
            credit=-amount if amount < 0 else ZERO,
            party=party if account.party_required else None,
            description=self.description)

    @property
    def move_description(self):
        return gettext('kefu_fee.msg_deposit_move_description',
            kind=self.kind_string, deposit=self.deposit.rec_name,
            reason=self.reason.name if self.reason else '')

    def get_payment(self):
        "Return the payable payment of a refund of money held by us"
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Payment = pool.get('account.payment')
        deposit = self.deposit
        config = Configuration(1)
        return Payment(
            company=deposit.company,
            journal=config.fee_setting('deposit_payment_journal',
                deposit.company),
            kind='payable', party=deposit.party, amount=self.amount,
            currency=deposit.currency, account=deposit.account,
            date=max(self.date, deposit.refund_due or self.date),
            origin=self, reference=deposit.number)

    @classmethod
    @ModelView.button
    def approve(cls, lines):
        "Approve refunds requested by someone else (finance)"
        Payment = Pool().get('account.payment')
        with without_check_access():
            Payment.approve([l.payment for l in lines if l.payment])

    @classmethod
    @ModelView.button
    def pay(cls, lines):
        "Send the approved refunds to be paid, in one payment group"
        with without_check_access():
            cls._process([l.payment for l in lines
                    if l.payment and l.payment.state == 'approved'])

    @classmethod
    def _process(cls, payments):
        "Process payments in one payment group per journal"
        pool = Pool()
        Payment = pool.get('account.payment')
        PaymentGroup = pool.get('account.payment.group')
        by_journal = {}
        for payment in payments:
            by_journal.setdefault(payment.journal, []).append(payment)
        for journal, payments in by_journal.items():
            def group():
                group = PaymentGroup(
                    company=journal.company, journal=journal,
                    kind='payable')
                group.save()
                return group
            Payment.process(payments, group)

    @classmethod
    @ModelView.button
    def cancel(cls, lines):
        "Withdraw refunds not yet paid: their payments fail"
        Payment = Pool().get('account.payment')
        payments = [l.payment for l in lines
            if l.payment and l.payment.state in {'submitted', 'approved'}]
        with without_check_access():
            cls._process(payments)
            Payment.fail(payments)

    @classmethod
    @ModelView.button
    def reverse(cls, lines):
        """Reverse posted receipts and deductions with a cancelling move
        (the money was recorded by mistake)"""
        Deposit = Pool().get('kefu.deposit')
        Deposit.lock([l.deposit for l in lines])
        lines = cls.browse(lines)
        for line in lines:
            deposit = line.deposit
            # A closed deposit's lines are reconciled: reversing one would
            # reconcile its line again (Tryton refuses)
            if deposit.state != 'open':
                raise DepositError(gettext(
                        'kefu_fee.msg_deposit_not_open',
                        deposit=deposit.rec_name,
                        state=deposit.state_string))
            if line.kind == 'receive' and line.amount > deposit.available:
                raise DepositError(gettext(
                        'kefu_fee.msg_deposit_reverse_exceeds',
                        line=line.rec_name, available=deposit.available))
            if line.method:
                line.check_desk_day()
        with without_check_access():
            cls._reverse(lines)
        Deposit.update_totals(Deposit.browse({l.deposit.id for l in lines}))

    @classmethod
    def _reverse(cls, lines):
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        to_reconcile = []
        for line in lines:
            cancel = line.move.cancel(reversal=True)
            Move.post([cancel])
            account = line.deposit.account
            to_reconcile.append([l for m in [line.move, cancel]
                    for l in m.lines if l.account == account])
        MoveLine.reconcile(*to_reconcile)
        cls.write(list(lines), {'state': 'reversed'})

    @classmethod
    def sync_payments(cls, payments):
        "Follow the states of the refund payments"
        Deposit = Pool().get('kefu.deposit')
        lines = cls.search([('payment', 'in', [p.id for p in payments])])
        if not lines:
            return
        Deposit.lock([l.deposit for l in lines])
        states = {
            'draft': 'requested', 'submitted': 'requested',
            'approved': 'approved', 'processing': 'processing',
            'succeeded': 'paid', 'failed': 'cancelled',
            }
        for line in lines:
            line.state = states[line.payment.state]
        with without_check_access():
            cls.save(lines)
        Deposit.update_totals(Deposit.browse({l.deposit.id for l in lines}))
