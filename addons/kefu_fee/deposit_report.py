# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The papers of the deposit ledger and the accountants' check of it.

- The deposit receipt (押金收据): the money received into a deposit, in
  figures and in Chinese capitals, to be shown when the deposit is refunded;
  every print after the first is marked as a copy (副本).
- The refund statement (押金退款确认单): what a deposit received, what was
  kept and why, what is refunded, signed by the applicant, finance and the
  payee.
- Deposits against their account (押金与科目核对): what the ledger holds
  against the balance of the account configured for it, per company and
  direction, and per kind of deposit."""
from sql import Literal, Null, Union
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Abs, Round

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.transaction import without_check_access

from .amount_words import amount_in_words
from .deposit import DIRECTIONS
from .exceptions import DepositError

# The deposit lines a receipt is printed for: a reversed receipt still
# prints, marked, for the auditor
RECEIPT_STATES = {'posted', 'reversed'}
# The configuration field of the account each direction holds its money on
ACCOUNT_FIELDS = [
    ('held_by_us', 'deposit_account'),
    ('held_by_bank', 'guarantee_account'),
    ]


def money(amount):
    "amount as a receipt writes it: ¥ 1,000.00"
    return '¥ {:,.2f}'.format(amount or 0)


class DepositLine(metaclass=PoolMeta):
    __name__ = 'kefu.deposit.line'

    printed = fields.Integer(
        "Printed", readonly=True,
        help="How many times the receipt of the money received was "
        "printed; every print after the first is marked as a copy (副本).")

    @classmethod
    def default_printed(cls):
        return 0

    @property
    def receipt_number(self):
        """The number of the receipt: the deposit's number and the rank of
        the receipt among the deposit's receipts as they were recorded
        (YJ000001-1); a receipt dated back keeps the next rank"""
        receipts = sorted(
            l.id for l in self.deposit.lines if l.kind == 'receive')
        return '%s-%s' % (self.deposit.number, receipts.index(self.id) + 1)


class DepositReceipt(CompanyReport):
    "The receipt (押金收据) of money received into a deposit"
    __name__ = 'kefu.deposit.receipt'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Printing counts the prints, to mark reprints as copies
        cls.__rpc__['execute'] = RPC(False)

    @classmethod
    def execute(cls, ids, data):
        cls.count_prints(cls.receipts(cls._browse(ids)))
        return super().execute(ids, data)

    @classmethod
    def _browse(cls, ids):
        Line = Pool().get('kefu.deposit.line')
        return Line.browse(list(map(int, ids)))

    @classmethod
    def receipts(cls, records):
        "Return the receipt lines to print for records, or raise"
        for line in records:
            if line.kind != 'receive' or line.state not in RECEIPT_STATES:
                raise DepositError(gettext(
                        'kefu_fee.msg_deposit_receipt_not_receive',
                        line=line.rec_name))
        return list(records)

    @classmethod
    @without_check_access
    def count_prints(cls, lines):
        "Count a print of the receipts, which the cashier cannot edit"
        Line = Pool().get('kefu.deposit.line')
        to_write = []
        for line in lines:
            to_write.extend([[line], {'printed': (line.printed or 0) + 1}])
        if to_write:
            Line.write(*to_write)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['receipts'] = cls.receipts(records)
        context['amount_in_words'] = amount_in_words
        context['money'] = money
        return context


class DepositReceipts(DepositReceipt):
    "Every receipt of a deposit, printed from the deposit's form"
    __name__ = 'kefu.deposit.receipt.all'

    @classmethod
    def _browse(cls, ids):
        Deposit = Pool().get('kefu.deposit')
        return Deposit.browse(list(map(int, ids)))

    @classmethod
    def receipts(cls, records):
        lines = []
        for deposit in records:
            receipts = [l for l in deposit.lines if l.kind == 'receive'
                and l.state in RECEIPT_STATES]
            if not receipts:
                raise DepositError(gettext(
                        'kefu_fee.msg_deposit_receipt_none',
                        deposit=deposit.rec_name))
            lines.extend(receipts)
        return lines


class DepositRefundStatement(CompanyReport):
    """The refund statement (押金退款确认单) of a deposit: receipts,
    deductions with their reasons, refunds with their states, the totals
    and the amount refunded in Chinese capitals"""
    __name__ = 'kefu.deposit.refund_statement'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['lines_of'] = cls.lines_of
        context['refund_total'] = cls.refund_total
        context['amount_in_words'] = amount_in_words
        context['money'] = money
        return context

    @staticmethod
    def lines_of(deposit, kind):
        "The lines of deposit of kind, in their order"
        return [l for l in deposit.lines if l.kind == kind]

    @staticmethod
    def refund_total(deposit):
        "The money refunded or requested for refund, not yet cancelled"
        return deposit.refunded + deposit.refund_pending


def configured_accounts():
    """Return a query of (company, direction, account, currency): the
    account each company holds each direction's money on, as the
    configuration finds it (the company's own setting, else the one shared
    by every company)"""
    pool = Pool()
    Company = pool.get('company.company')
    ConfigurationFee = pool.get('kefu.configuration.fee')
    company = Company.__table__()
    queries = []
    for i, (direction, name) in enumerate(ACCOUNT_FIELDS):
        value = ConfigurationFee.__table__()
        account = value.select(getattr(value, name),
            where=(value.company == company.id) | (value.company == Null),
            order_by=[value.id.asc], limit=1)
        queries.append(company.select(
                (company.id * len(ACCOUNT_FIELDS) + i).as_('id'),
                company.id.as_('company'),
                Literal(direction).as_('direction'),
                account.as_('account'),
                company.currency.as_('currency')))
    return Union(*queries, all_=True)


def held_balance(line, direction):
    "The money held shown by move line: credit − debit when held by us"
    return Case((direction == 'held_by_bank', line.debit - line.credit),
        else_=line.credit - line.debit)


def deposit_moves():
    """Return a query of (move, deposit): the moves the ledger posted for a
    deposit's lines, the clearing moves of its refunds' payments and the
    moves cancelling either"""
    pool = Pool()
    Line = pool.get('kefu.deposit.line')
    Move = pool.get('account.move')
    Payment = pool.get('account.payment')
    origin_id = Move.origin.sql_id
    move, line = Move.__table__(), Line.__table__()
    direct = move.join(line,
        condition=line.id == origin_id(move.origin, Line)).select(
        move.id.as_('move'), line.deposit.as_('deposit'),
        where=move.origin.like(Line.__name__ + ',%'))
    move, line, payment = (
        Move.__table__(), Line.__table__(), Payment.__table__())
    clearing = move.join(payment,
        condition=payment.id == origin_id(move.origin, Payment)
        ).join(line,
        condition=line.id == Payment.origin.sql_id(payment.origin, Line)
        ).select(
        move.id.as_('move'), line.deposit.as_('deposit'),
        where=move.origin.like(Payment.__name__ + ',%')
        & payment.origin.like(Line.__name__ + ',%'))
    moves = Union(direct, clearing, all_=True)
    cancel = Move.__table__()
    cancels = cancel.join(moves,
        condition=moves.move == origin_id(cancel.origin, Move)).select(
        cancel.id.as_('move'), moves.deposit.as_('deposit'),
        where=cancel.origin.like(Move.__name__ + ',%'))
    return Union(moves, cancels, all_=True)


class _BalanceMixin:
    "The columns shared by the checks of the deposits against the account"
    __slots__ = ()

    company = fields.Many2One(
        'company.company', "Company", readonly=True,
        help="The company that holds the money (or whose money banks hold).")
    currency = fields.Many2One(
        'currency.currency', "Currency", readonly=True,
        help="The currency of the company's books.")
    direction = fields.Selection(
        DIRECTIONS, "Direction", readonly=True,
        help="Held by us for the parties, or held by banks for us.")
    account = fields.Many2One(
        'account.account', "Account", readonly=True,
        help="The account of the configuration that holds the money: the "
        "deposits held account, or the guarantee deposits account.")
    deposits = fields.Integer(
        "Open Deposits", readonly=True,
        help="The number of deposits still open.")
    held = Monetary(
        "Held", currency='currency', digits='currency', readonly=True,
        help="What the deposit ledger holds: the sum of the deposits' held "
        "money (refunds requested but not paid included).")
    balance = Monetary(
        "Account Balance", currency='currency', digits='currency',
        readonly=True,
        help="The balance of the account from its posted moves: credit "
        "minus debit for money held by us, debit minus credit for money "
        "held by banks.")
    difference = Monetary(
        "Difference", currency='currency', digits='currency', readonly=True,
        help="The account balance minus what the ledger holds; anything "
        "but zero must be found and explained or corrected.")
    balanced = fields.Boolean(
        "Balanced", readonly=True,
        help="Whether the account balance equals what the ledger holds.")

    @classmethod
    def view_attributes(cls):
        # PYSON in a view attribute must be encoded from Python: as text in
        # the XML it reaches the web client raw and breaks the list.
        return super().view_attributes() + [
            ('/tree/field[@name="difference"]', 'visual',
                If(Eval('balanced', True), '', 'danger')),
            ]

    @classmethod
    def _columns(cls, held, balance):
        "The money columns of held and balance, rounded to the cent"
        held, balance = Coalesce(held, 0), Coalesce(balance, 0)
        difference = balance - held
        return [
            cls.held.sql_cast(Round(held, 2)).as_('held'),
            cls.balance.sql_cast(Round(balance, 2)).as_('balance'),
            cls.difference.sql_cast(Round(difference, 2)).as_('difference'),
            (Abs(difference) < 0.005).as_('balanced'),
            ]


class DepositBalance(_BalanceMixin, ModelSQL, ModelView):
    """Deposits against their account (押金与科目核对).

    One row per company and direction: what the deposit ledger holds (the
    sum of the deposits' held money) against the balance, from posted
    moves, of the account the configuration holds that money on (the
    deposits held account for money held by us, the guarantee deposits
    account for money banks hold for us).

    The difference is the account balance minus what the ledger holds.  It
    is zero when every entry on the account came from the ledger.  A
    difference means an entry on the account the ledger does not know: a
    manual journal entry (an opening balance, a correction typed by hand),
    a move another process posted on the account, a move of the ledger
    cancelled or left in draft by hand, or the account changed in the
    configuration while deposits were held.  The check by kind leaves out
    the entries that are not the ledger's: when every kind is balanced, the
    difference is exactly the entries made outside the ledger; look for
    them among the account's lines whose move has no deposit line as
    origin."""
    __string__ = "Deposits against Account"
    __name__ = 'kefu.deposit.balance'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('company', 'ASC'), ('direction', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        accounts = configured_accounts()
        deposit = Deposit.__table__()
        held = deposit.select(
            deposit.company, deposit.direction,
            Count(Case((deposit.state == 'open', deposit.id))).as_('count'),
            Sum(deposit.held).as_('amount'),
            group_by=[deposit.company, deposit.direction])
        line, move = MoveLine.__table__(), Move.__table__()
        balances = line.join(move, condition=line.move == move.id).select(
            line.account,
            Sum(line.debit).as_('debit'), Sum(line.credit).as_('credit'),
            where=(move.state == 'posted')
            & line.account.in_(accounts.select(accounts.account)),
            group_by=[line.account])
        return accounts.join(held, 'LEFT',
            condition=(held.company == accounts.company)
            & (held.direction == accounts.direction)
            ).join(balances, 'LEFT',
            condition=balances.account == accounts.account
            ).select(
                accounts.id, accounts.company, accounts.currency,
                accounts.direction, accounts.account,
                Coalesce(held.count, 0).as_('deposits'),
                *cls._columns(held.amount,
                    held_balance(balances, accounts.direction)),
                where=(accounts.account != Null) | (held.count != Null))


class DepositKindBalance(_BalanceMixin, ModelSQL, ModelView):
    """Deposits against their account, by kind (押金与科目核对（按类别）).

    One row per company and kind of deposit: what the ledger holds for the
    deposits of the kind against the balance on the configured account of
    the moves the ledger posted for them: their receipts, deductions and
    releases, the clearing moves of their refunds' payments, and the moves
    cancelling these.

    Entries made outside the ledger belong to no kind and do not show
    here (they show in the check by company).  A difference here means a
    move of the ledger was changed: cancelled or left in draft by hand, a
    refund marked paid whose clearing move is not posted, or the account
    changed in the configuration while deposits of the kind were held."""
    __string__ = "Deposits against Account by Kind"
    __name__ = 'kefu.deposit.balance.kind'

    kind = fields.Many2One(
        'kefu.deposit.kind', "Kind", readonly=True,
        help="What the money is held for.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('company', 'ASC'), ('kind', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        accounts = configured_accounts()
        deposit = Deposit.__table__()
        groups = [deposit.company, deposit.kind, deposit.direction]
        held = deposit.select(
            Min(deposit.id).as_('id'), *groups,
            Count(Case((deposit.state == 'open', deposit.id))).as_('count'),
            Sum(deposit.held).as_('amount'),
            group_by=groups)
        line, move = MoveLine.__table__(), Move.__table__()
        links, owner = deposit_moves(), Deposit.__table__()
        balances = line.join(move, condition=line.move == move.id
            ).join(links, condition=links.move == move.id
            ).join(owner, condition=owner.id == links.deposit
            ).join(accounts,
            condition=(accounts.company == owner.company)
            & (accounts.direction == owner.direction)
            & (accounts.account == line.account)
            ).select(
            owner.company, owner.kind, owner.direction,
            Sum(held_balance(line, owner.direction)).as_('amount'),
            where=move.state == 'posted',
            group_by=[owner.company, owner.kind, owner.direction])
        configured = configured_accounts()
        return held.join(configured, 'LEFT',
            condition=(configured.company == held.company)
            & (configured.direction == held.direction)
            ).join(balances, 'LEFT',
            condition=(balances.company == held.company)
            & (balances.kind == held.kind)
            & (balances.direction == held.direction)
            ).select(
                held.id, held.company, held.kind, held.direction,
                configured.currency, configured.account,
                held.count.as_('deposits'),
                *cls._columns(held.amount, balances.amount))
