# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The deposit ledger (押金台账): money held for residents, contractors and
banks, refunded exactly once.

A deposit's lines receive, deduct and refund money; each posts an account
move (a refund through Tryton's payments, approved by finance, cleared and
matched with the bank statement).  Its stored totals keep, on every change
and in the database, received = deducted + refunded + held, with held never
below the refunds requested and not yet paid.  Every change takes the
deposit's row lock first, so two requests on one deposit never both pass.

Other modules (renovation, keys, mortgages) call the ledger's API:
Deposit.receive, deduct, request_refund, release, find_guarantee."""
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import AccessError
from trytond.modules.currency.fields import Monetary
from trytond.modules.kefu_base.lock import wait_unlocked
from trytond.modules.kefu_base.model import NumberMixin, rec_name_domain
from trytond.modules.kefu_base.today import boolean_searcher, today
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, _TransactionLockRecordsError, without_check_access)

from .exceptions import DepositError

DIRECTIONS = [
    ('held_by_us', "Held by Us"),
    ('held_by_bank', "Held by a Bank"),
    ]
TOTALS = ['received', 'deducted', 'refunded', 'refund_pending', 'held']
PENDING = ['requested', 'approved', 'processing']
# Written by the ledger only; the party, kind, estate and unit are fixed
# once the deposit is saved
LEDGER_FIELDS = set(TOTALS) | {'state', 'date', 'company', 'direction',
    'origin', 'party', 'kind', 'estate', 'unit'}
ZERO = Decimal('0.00')


def _num(expression):
    """The numeric value of expression: SQLite stores Decimal as text, which
    compares with numbers only once an arithmetic function has read it"""
    return Round(expression, 6)


class DepositKind(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Deposit Kind"
    __name__ = 'kefu.deposit.kind'

    name = fields.Char(
        "Name", required=True, translate=True,
        help="What the money is held for, e.g. renovation deposit.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="A short code other modules use to find the kind.")
    direction = fields.Selection(
        DIRECTIONS, "Direction", required=True,
        help="Held by us: money we hold for the party and refund to them. "
        "Held by a bank: money of ours a bank holds (the developer's "
        "mortgage guarantee deposits) and releases back to us.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'kefu_fee.msg_deposit_kind_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_direction(cls):
        return 'held_by_us'

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'code')

    @classmethod
    def get(cls, code):
        "Return the active kind of code"
        kind, = cls.search([('code', '=', code)], limit=1)
        return kind


class DepositReason(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Deposit Deduction Reason"
    __name__ = 'kefu.deposit.reason'

    name = fields.Char(
        "Name", required=True, translate=True,
        help="Why money is kept from a deposit, e.g. lost worker pass.")
    company = fields.Many2One(
        'company.company', "Company", required=True,
        help="The company whose books the deduction goes to.")
    account = fields.Many2One(
        'account.account', "Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="Where the money kept goes: an income account (营业外收入, "
        "其他业务收入), or an expense when a bank keeps our money.")
    tax = fields.Many2One(
        'account.tax', "VAT", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('parent', '=', None),
            ],
        help="The VAT included in the amount kept, when the reason is "
        "taxable (a charge for a service); empty for compensations.")
    amount = Monetary(
        "Default Amount", currency='currency', digits='currency',
        domain=['OR', ('amount', '=', None), ('amount', '>', 0)],
        help="The amount usually kept for this reason, e.g. 100 for a "
        "lost worker pass; it can be changed on each deduction.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None


class Deposit(NumberMixin, ModelSQL, ModelView):
    __string__ = "Deposit"
    __name__ = 'kefu.deposit'
    _number_sequence = 'deposit_sequence'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        help="The company that holds the money (or whose money a bank "
        "holds).")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0},
        help="The estate the deposit belongs to.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={'readonly': Eval('id', -1) >= 0},
        help="The unit concerned, when there is one.")
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0},
        help="Who the money is held for (owner, contractor, worker), or "
        "the bank that holds our money.")
    kind = fields.Many2One(
        'kefu.deposit.kind', "Kind", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0},
        help="What the money is held for.")
    direction = fields.Selection(
        DIRECTIONS, "Direction", readonly=True,
        help="Held by us for the party, or held by a bank for us.")
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="The record that asked for the deposit (a renovation, a key "
        "lending, a mortgage …).")
    reference = fields.Char(
        "Reference", strip=True,
        help="The outside reference of the deposit: the bank's reference "
        "of a guarantee, the number of a paper receipt.")
    description = fields.Char(
        "Description", help="A short note on what the deposit is for.")
    date = fields.Date(
        "Date", readonly=True,
        help="The day the money was first received.")
    refund_due = fields.Date(
        "Refund Due",
        states={'readonly': Eval('state') != 'open'},
        help="The day the money left must be refunded by (set by the "
        "module that asked for the deposit, e.g. 7 working days after a "
        "renovation passes acceptance).")
    refund_late = fields.Function(
        fields.Boolean(
            "Refund Late",
            help="The refund due date has passed and money is still held "
            "(refund not requested, or not yet paid)."),
        'get_refund_late', searcher='search_refund_late')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    received = Monetary(
        "Received", currency='currency', digits='currency', readonly=True,
        help="All the money received (or placed at the bank).")
    deducted = Monetary(
        "Deducted", currency='currency', digits='currency', readonly=True,
        help="The money kept, each deduction with its reason.")
    refunded = Monetary(
        "Refunded", currency='currency', digits='currency', readonly=True,
        help="The money paid back (or released by the bank).")
    refund_pending = Monetary(
        "Refund Requested", currency='currency', digits='currency',
        readonly=True,
        help="Refunds requested and not yet paid: the money is still held "
        "but can no longer be deducted or refunded again.")
    held = Monetary(
        "Held", currency='currency', digits='currency', readonly=True,
        help="Received minus deducted minus refunded.")
    available = fields.Function(Monetary(
            "Available", currency='currency', digits='currency',
            help="What can still be deducted or refunded: held minus the "
            "refunds requested."),
        'get_available')
    lines = fields.One2Many(
        'kefu.deposit.line', 'deposit', "Lines", readonly=True,
        help="Every receipt, deduction and refund of the deposit.")
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, sort=False,
        help="Open while money is held or expected; closed when nothing "
        "is held any more; cancelled when nothing was ever received.")
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('totals_positive', Check(t,
                    (_num(t.received) >= 0) & (_num(t.deducted) >= 0)
                    & (_num(t.refunded) >= 0)
                    & (_num(t.refund_pending) >= 0)),
                'kefu_fee.msg_deposit_totals_positive'),
            ('held_positive', Check(t,
                    _num(t.held - t.refund_pending) >= 0),
                'kefu_fee.msg_deposit_held_positive'),
            ('balanced', Check(t, _num(
                        t.received - t.deducted - t.refunded - t.held) == 0),
                'kefu_fee.msg_deposit_balanced'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.party, Index.Range())),
                Index(t, (t.reference, Index.Similarity())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'open'),
                })
        cls._order = [('date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        # No __access__ on the estate: Tryton would grant the best of the
        # deposit's access and the estate's, which every user reads; the
        # estates are kept by record rules
        cls._buttons.update({
                'receive_wizard': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-add',
                    'depends': ['state'],
                    },
                'deduct_wizard': {
                    'invisible': Eval('state') != 'open',
                    'readonly': Eval('available', 0) <= 0,
                    'icon': 'tryton-remove',
                    'depends': ['state', 'available'],
                    },
                'refund_wizard': {
                    'invisible': Eval('state') != 'open',
                    'readonly': Eval('available', 0) <= 0,
                    'icon': 'tryton-forward',
                    'depends': ['state', 'available'],
                    },
                'cancel': {
                    'invisible': (Eval('state') != 'open')
                    | Bool(Eval('received', 0)),
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'received'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def lock(cls, records=None):
        """Lock the rows of the deposits.

        Tryton restarts the transaction to take a row lock without waiting
        (NOWAIT), retrying for a few seconds: a second request on a deposit
        while the first posts its refund could fail with a database lock
        error.  On PostgreSQL the first attempt therefore waits, outside
        the transaction, until the rows are free (kefu_base's lock.py):
        the restart finds the first request committed and answers with the
        ledger's message."""
        try:
            super().lock(records)
        except _TransactionLockRecordsError:
            wait_unlocked(cls, records)
            raise

    @classmethod
    def default_direction(cls):
        return 'held_by_us'

    @classmethod
    def _default_total(cls):
        return ZERO
    default_received = default_deducted = default_refunded = _default_total
    default_refund_pending = default_held = _default_total

    @classmethod
    def _get_origin(cls):
        "Return the models that may ask for a deposit"
        return []

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in cls._get_origin()]

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('estate')
    def on_change_estate(self):
        if self.estate:
            self.company = self.estate.company

    @fields.depends('unit', 'party', 'estate')
    def on_change_unit(self):
        if self.unit:
            self.estate = self.unit.estate
            owners = [o.party for o in self.unit.ownerships if o.current]
            if owners and not self.party:
                self.party = owners[0]

    @fields.depends('kind')
    def on_change_kind(self):
        if self.kind:
            self.direction = self.kind.direction

    def get_available(self, name):
        return (self.held or ZERO) - (self.refund_pending or ZERO)

    def get_refund_late(self, name):
        "Money is still held after the refund due date"
        return bool(self.state == 'open' and self.refund_due
            and self.refund_due < today() and self.held > 0)

    search_refund_late = boolean_searcher(
        lambda date: [
            ('state', '=', 'open'), ('refund_due', '<', date),
            ('held', '>', 0)],
        lambda date: ['OR', ('state', '!=', 'open'),
            ('refund_due', '=', None), ('refund_due', '>=', date),
            ('held', '<=', 0)])

    def get_rec_name(self, name):
        return '%s %s' % (self.number or '', self.party.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'number', 'reference', 'party',
            'unit')

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Kind = pool.get('kefu.deposit.kind')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            if values.get('estate'):
                values['company'] = Estate(values['estate']).company.id
            if values.get('kind'):
                values['direction'] = Kind(values['kind']).direction
        return values

    @classmethod
    def check_modification(cls, mode, deposits, values=None, external=False):
        super().check_modification(
            mode, deposits, values=values, external=external)
        if mode == 'delete':
            raise AccessError(gettext('kefu_fee.msg_deposit_delete'))
        # What the ledger keeps is written by its code only (a user writing
        # received and held alike would pass the database's checks)
        if external and mode == 'write':
            names = LEDGER_FIELDS & set(values)
        elif external and mode == 'create':
            names = {n for n in TOTALS + ['date'] for d in deposits
                if getattr(d, n)} | {'state' for d in deposits
                if d.state != 'open'}
        else:
            names = set()
        if names:
            raise AccessError(gettext('kefu_fee.msg_deposit_write_ledger',
                    deposit=deposits[0].rec_name,
                    field=cls.__names__(field=sorted(names)[0])['field']))

    @classmethod
    def copy(cls, deposits, default=None):
        default = default.copy() if default is not None else {}
        for name in TOTALS:
            default.setdefault(name, ZERO)
        default.setdefault('lines', None)
        default.setdefault('date', None)
        default.setdefault('state', 'open')
        return super().copy(deposits, default=default)

    @property
    def account(self):
        "The account the money is held on"
        Configuration = Pool().get('kefu.configuration')
        name = ('guarantee_account' if self.direction == 'held_by_bank'
            else 'deposit_account')
        return Configuration(1).fee_setting(name, self.company)

    # The ledger's API

    @classmethod
    def receive(cls, deposit, amount, date=None, method=None,
            description=None):
        """Receive amount into deposit (at the desk's payment method for
        money held by us) and return the posted line"""
        return cls._add_line(deposit, 'receive', amount, date=date,
            method=method, description=description)

    @classmethod
    def deduct(cls, deposit, amount, reason, date=None, description=None):
        "Keep amount of deposit for reason and return the posted line"
        return cls._add_line(deposit, 'deduct', amount, date=date,
            reason=reason, description=description)

    @classmethod
    def request_refund(cls, deposit, amount=None, date=None,
            description=None):
        """Request the refund of amount (what is available by default) and
        return the line; finance approves and pays it.  For a guarantee
        held by a bank, the release is posted at once."""
        if amount is None:
            cls.lock([deposit])
            deposit = cls(deposit.id)
            amount = deposit.available
        return cls._add_line(deposit, 'refund', amount, date=date,
            description=description)

    @classmethod
    def find_guarantee(cls, bank, reference):
        "Return the open guarantee deposit of bank with reference, or None"
        deposits = cls.search([
                ('party', '=', bank.id),
                ('reference', '=', reference),
                ('direction', '=', 'held_by_bank'),
                ('state', '!=', 'cancelled'),
                ], order=[('state', 'DESC'), ('id', 'DESC')], limit=1)
        return deposits[0] if deposits else None

    @classmethod
    def release(cls, deposit, date, amount, description=None):
        "Record the money a bank released from a guarantee deposit"
        if deposit.direction != 'held_by_bank':
            raise DepositError(gettext(
                    'kefu_fee.msg_deposit_release_not_guarantee',
                    deposit=deposit.rec_name))
        return cls._add_line(deposit, 'refund', amount, date=date,
            description=description)

    @classmethod
    def _add_line(cls, deposit, kind, amount, **values):
        pool = Pool()
        Line = pool.get('kefu.deposit.line')
        # Everything that changes a deposit takes its row first: a second
        # request waits (or is retried) and then sees the first one.
        cls.lock([deposit])
        deposit = cls(deposit.id)
        for name in ['method', 'reason', 'description']:
            values.setdefault(name, None)
        line = Line(deposit=deposit, kind=kind, amount=amount,
            date=values.pop('date', None) or today(), **values)
        line.check_allowed()
        with without_check_access():
            line.save()
            Line.post([line])
        return line

    @classmethod
    def update_totals(cls, deposits):
        """Recompute the stored totals of deposits from their lines in SQL,
        close the deposits left with nothing held and reconcile them"""
        pool = Pool()
        Line = pool.get('kefu.deposit.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        totals = {}

        def total(kind, states):
            return Coalesce(Sum(Case(
                        ((line.kind == kind) & line.state.in_(states),
                            line.amount), else_=0)), 0)
        for sub_ids in grouped_slice([d.id for d in deposits]):
            cursor.execute(*line.select(
                    line.deposit,
                    total('receive', ['posted']),
                    total('deduct', ['posted']),
                    total('refund', ['paid']),
                    total('refund', PENDING),
                    where=line.deposit.in_(list(sub_ids)),
                    group_by=[line.deposit]))
            for deposit_id, *sums in cursor:
                totals[deposit_id] = sums
        to_save, to_close = [], []
        for deposit in deposits:
            received, deducted, refunded, pending = (
                deposit.currency.round(Decimal(str(s)))
                for s in totals.get(deposit.id, [0] * 4))
            deposit.received = received
            deposit.deducted = deducted
            deposit.refunded = refunded
            deposit.refund_pending = pending
            deposit.held = received - deducted - refunded
            if deposit.state == 'open' and received and not deposit.date:
                deposit.date = min(l.date for l in deposit.lines
                    if l.kind == 'receive' and l.state == 'posted')
            state = ('closed' if received and not deposit.held
                and not pending else 'open')
            if deposit.state != 'cancelled':
                if state == 'closed' and deposit.state != 'closed':
                    to_close.append(deposit)
                deposit.state = state
            to_save.append(deposit)
        with without_check_access():
            cls.save(to_save)
            cls.reconcile(to_close)

    @classmethod
    def reconcile(cls, deposits):
        "Reconcile the lines of the held account of the closed deposits"
        MoveLine = Pool().get('account.move.line')
        to_reconcile = []
        for deposit in deposits:
            lines = [l for l in deposit.account_lines()
                if not l.reconciliation]
            if lines and not sum(l.debit - l.credit for l in lines):
                to_reconcile.append(lines)
        if to_reconcile:
            MoveLine.reconcile(*to_reconcile)

    def account_lines(self):
        """Return the move lines of the held account that the deposit's
        lines made, directly or through their refund payments"""
        lines = []
        account = self.account
        for line in self.lines:
            moves = [line.move] if line.move else []
            if line.payment and line.payment.clearing_move:
                moves.append(line.payment.clearing_move)
            for move in moves:
                if move.state != 'posted':
                    continue
                lines.extend(l for l in move.lines
                    if l.account == account and l.party == self.party)
        return lines

    @classmethod
    @ModelView.button_action('kefu_fee.wizard_deposit_receive')
    def receive_wizard(cls, deposits):
        pass

    @classmethod
    @ModelView.button_action('kefu_fee.wizard_deposit_deduct')
    def deduct_wizard(cls, deposits):
        pass

    @classmethod
    @ModelView.button_action('kefu_fee.wizard_deposit_refund')
    def refund_wizard(cls, deposits):
        pass

    @classmethod
    @ModelView.button
    def cancel(cls, deposits):
        cls.lock(deposits)
        for deposit in cls.browse(deposits):
            if deposit.received or deposit.refund_pending:
                raise DepositError(gettext(
                        'kefu_fee.msg_deposit_cancel_received',
                        deposit=deposit.rec_name))
        with without_check_access():
            cls.write(deposits, {'state': 'cancelled'})

    @classmethod
    def prepare_due_refunds(cls, date=None):
        """Request the refund of what is left of the open deposits held by
        us whose refund is due (scheduled action)"""
        if date is None:
            date = today()
        deposits = cls.search([
                ('state', '=', 'open'),
                ('direction', '=', 'held_by_us'),
                ('refund_due', '<=', date),
                ('held', '>', 0),
                ('refund_pending', '=', 0),
                ])
        for deposit in deposits:
            cls.request_refund(deposit, date=date, description=gettext(
                    'kefu_fee.msg_deposit_refund_due_description',
                    date=deposit.refund_due))
        return deposits


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('kefu.deposit|prepare_due_refunds',
                "Request the Deposit Refunds Due"))
