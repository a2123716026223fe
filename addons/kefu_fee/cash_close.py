# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The daily cash close (日收日清) of a desk: what the day's receipts say
each method took, what the cashier counted and took to the bank, and the
differences, which must be explained and approved by a supervisor or
finance before the day closes.  Closing posts the differences to the
suspense account and the banked cash to cash in transit.  Once counted, the
desk takes no more payments that day."""
from decimal import Decimal

from sql.aggregate import Sum
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    Check, Exclude, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from .desk import METHOD_KINDS
from .exceptions import CashCloseError

# What the front desk may still change once a day is counted
_COUNTED_EDITABLE = {'explanation'}


class CashClose(Workflow, ModelSQL, ModelView):
    __string__ = "Daily Cash Close"
    __name__ = 'kefu.cash.close'

    _draft = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_draft)
    desk = fields.Many2One(
        'kefu.fee.desk', "Desk", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_draft,
        help="The desk whose day is closed.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True,
        ondelete='RESTRICT', help="The estate of the desk.")
    date = fields.Date(
        "Date", required=True, states=_draft,
        help="The day closed; its receipts give the expected amounts.")
    cashier = fields.Many2One(
        'company.employee', "Cashier", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_draft,
        help="Who took the money that day, at the desk or at the "
        "residents' homes.")
    lines = fields.One2Many(
        'kefu.cash.close.line', 'close', "Methods", states=_draft,
        help="For each way of paying: the expected, the counted and the "
        "banked amounts.")
    explanation = fields.Text(
        "Explanation",
        states={
            'readonly': ~Eval('state').in_(['draft', 'counted']),
            'required': Bool(Eval('has_difference'))
            & Eval('state').in_(['approved', 'closed']),
            },
        help="Why the counted amount differs from the receipts; required "
        "before a day with a difference can be approved.")
    has_difference = fields.Function(
        fields.Boolean("Has Difference"), 'get_has_difference')
    expected = fields.Function(
        fields.Numeric("Expected", digits=(16, 2),
            help="The total of the day's receipts."),
        'get_total')
    counted = fields.Function(
        fields.Numeric("Counted", digits=(16, 2),
            help="The total counted."),
        'get_total')
    difference = fields.Function(
        fields.Numeric("Difference", digits=(16, 2),
            help="Counted minus expected: below zero money is missing."),
        'get_total')
    banked = fields.Function(
        fields.Numeric("Banked", digits=(16, 2),
            help="The cash taken to the bank."),
        'get_total')
    counted_by = fields.Many2One(
        'res.user', "Counted By", readonly=True, ondelete='RESTRICT',
        help="The user who counted the day.")
    approved_by = fields.Many2One(
        'res.user', "Approved By", readonly=True, ondelete='RESTRICT',
        help="The supervisor or finance user who approved the day; never "
        "the one who counted it.")
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT',
        help="The posted move of the differences and of the cash banked.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('counted', "Counted"),
            ('approved', "Approved"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False,
        help="Draft while the day runs; counted: the desk takes no more "
        "payments that day; approved by a supervisor or finance; closed: "
        "the move is posted.")
    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('desk_date_exclude',
                Exclude(t, (t.desk, Equal), (t.date, Equal),
                    where=t.state != 'cancelled'),
                'kefu_fee.msg_cash_close_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.desk, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('desk', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'counted'),
            ('draft', 'cancelled'),
            ('counted', 'draft'),
            ('counted', 'approved'),
            ('approved', 'closed'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'counted',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'refresh': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'count': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'counted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_cashier():
        User = Pool().get('res.user')
        employee = User(Transaction().user).employee
        return employee.id if employee else None

    @fields.depends('desk')
    def on_change_desk(self):
        if self.desk:
            self.estate = self.desk.estate

    def get_rec_name(self, name):
        return '%s %s' % (self.desk.rec_name, self.date)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('desk.rec_name', *clause[1:])]

    def get_has_difference(self, name):
        return any(l.difference for l in self.lines)

    @classmethod
    def get_total(cls, closes, name):
        return {c.id: sum((getattr(l, name) or Decimal(0) for l in c.lines),
                Decimal(0))
            for c in closes}

    @classmethod
    @without_check_access
    def day_closed(cls, desk, date):
        "Whether desk has counted the day and takes no more payments"
        return bool(cls.search([
                    ('desk', '=', desk.id),
                    ('date', '=', date),
                    ('state', 'in', ['counted', 'approved', 'closed']),
                    ], limit=1))

    @classmethod
    def expected_amounts(cls, desk, date):
        "Return the day's receipts of desk by method kind, summed in SQL"
        Receipt = Pool().get('kefu.fee.receipt')
        receipt = Receipt.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*receipt.select(
                receipt.method_kind, Sum(receipt.amount),
                where=(receipt.desk == desk.id) & (receipt.date == date)
                & (receipt.state == 'issued'),
                group_by=[receipt.method_kind]))
        return {k: Decimal(str(a)).quantize(Decimal('0.01'))
            for k, a in cursor}

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Desk = pool.get('kefu.fee.desk')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if values.get('desk'):
                values['estate'] = Desk(values['desk']).estate.id
        closes = super().create(vlist)
        cls._fill_lines(closes)
        return closes

    @classmethod
    def _fill_lines(cls, closes):
        """Set the expected amounts of every method of the desk or of the
        day's receipts, keeping what was counted"""
        Line = Pool().get('kefu.cash.close.line')
        to_save = []
        for close in closes:
            expected = cls.expected_amounts(close.desk, close.date)
            lines = {l.kind: l for l in close.lines}
            kinds = [m.kind for m in close.desk.methods]
            kinds += [k for k in expected if k not in kinds]
            for kind in kinds:
                line = lines.get(kind) or Line(close=close, kind=kind)
                line.expected = expected.get(kind, Decimal(0))
                to_save.append(line)
        Line.save(to_save)

    @classmethod
    def check_modification(cls, mode, closes, values=None, external=False):
        super().check_modification(
            mode, closes, values=values, external=external)
        if mode == 'delete':
            raise CashCloseError(gettext('kefu_fee.msg_cash_close_delete'))
        if mode == 'write' and external:
            for close in closes:
                close.check_editable(values)

    def check_editable(self, values):
        "Refuse a change by hand of a counted or later day"
        editable = {
            'draft': values.keys(),
            'counted': _COUNTED_EDITABLE,
            }.get(self.state, set())
        if values.keys() - editable:
            raise CashCloseError(gettext(
                    'kefu_fee.msg_cash_close_not_draft', close=self.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, closes):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, closes):
        cls.write(closes, {'counted_by': None})

    @classmethod
    @ModelView.button
    def refresh(cls, closes):
        cls._fill_lines([c for c in closes if c.state == 'draft'])

    @classmethod
    @ModelView.button
    @Workflow.transition('counted')
    def count(cls, closes):
        Desk = Pool().get('kefu.fee.desk')
        # Payments at the desk lock it too (payment.take_payment): none
        # commits unseen between the expected amounts and the count.
        Desk.lock(sorted({c.desk for c in closes}, key=lambda d: d.id))
        cls._fill_lines(closes)
        Line = Pool().get('kefu.cash.close.line')
        lines = [l for c in cls.browse([c.id for c in closes])
            for l in c.lines]
        for line in lines:
            line.check_counted()
        Line.save(lines)
        cls.write(closes, {'counted_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, closes):
        user = Transaction().user
        for close in closes:
            if close.has_difference and not (close.explanation or '').strip():
                raise CashCloseError(gettext(
                        'kefu_fee.msg_cash_close_explain',
                        close=close.rec_name, difference=close.difference))
            if user and close.counted_by and close.counted_by.id == user:
                raise CashCloseError(gettext(
                        'kefu_fee.msg_cash_close_approve_self',
                        close=close.rec_name))
        cls.write(closes, {'approved_by': user})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, closes):
        Move = Pool().get('account.move')
        moves = {}
        for close in closes:
            move = close.get_move()
            if move:
                moves[close] = move
        Move.save(list(moves.values()))
        Move.post(list(moves.values()))
        for close, move in moves.items():
            close.move = move
        cls.save(list(moves.keys()))

    def get_move(self):
        "Return the move of the differences and of the cash banked, or None"
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        config = Configuration(1)
        lines = []
        for line in self.lines:
            lines += line.get_move_lines(config)
        if not lines:
            return None
        for move_line in lines:
            if move_line.account.party_required:
                move_line.party = self.company.party
        return Move(
            journal=config.fee_setting('cash_journal', self.company),
            period=Period.find(self.company, date=self.date),
            date=self.date, company=self.company, origin=self,
            description=gettext(
                'kefu_fee.msg_cash_close_move_description',
                close=self.rec_name),
            lines=lines)


class CashCloseLine(ModelSQL, ModelView):
    __string__ = "Daily Cash Close Line"
    __name__ = 'kefu.cash.close.line'

    close = fields.Many2One(
        'kefu.cash.close', "Close", required=True, ondelete='CASCADE',
        readonly=True)
    kind = fields.Selection(
        METHOD_KINDS, "Method", required=True, readonly=True, sort=False,
        help="The way of paying.")
    expected = fields.Numeric(
        "Expected", digits=(16, 2), required=True, readonly=True,
        help="The total of the day's receipts paid this way.")
    counted = fields.Numeric(
        "Counted", digits=(16, 2),
        help="Cash: what the cashier counted in the drawer. Other methods: "
        "what the terminal or the statement shows; the expected amount "
        "when left empty.")
    difference = fields.Function(
        fields.Numeric("Difference", digits=(16, 2),
            help="Counted minus expected: below zero money is missing."),
        'on_change_with_difference')
    banked = fields.Numeric(
        "Banked", digits=(16, 2),
        states={'invisible': Eval('kind') != 'cash'},
        help="The cash taken to the bank (at most what was counted).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('close')
        cls._sql_constraints += [
            ('counted_positive', Check(t, t.counted >= 0),
                'kefu_fee.msg_cash_close_line_positive'),
            ('banked_positive', Check(t, t.banked >= 0),
                'kefu_fee.msg_cash_close_line_positive'),
            ]
        cls._order = [('close', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_expected():
        return Decimal(0)

    @fields.depends('counted', 'expected')
    def on_change_with_difference(self, name=None):
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            for line in lines:
                if line.close.state != 'draft':
                    raise CashCloseError(gettext(
                            'kefu_fee.msg_cash_close_not_draft',
                            close=line.close.rec_name))

    def check_counted(self):
        "Take the expected amount for what is not cash, check the cash"
        if self.counted is None:
            if self.kind == 'cash':
                raise CashCloseError(gettext(
                        'kefu_fee.msg_cash_close_count_cash',
                        close=self.close.rec_name))
            self.counted = self.expected
        if (self.banked or 0) > self.counted:
            raise CashCloseError(gettext(
                    'kefu_fee.msg_cash_close_banked_counted',
                    close=self.close.rec_name, banked=self.banked,
                    counted=self.counted))

    def get_move_lines(self, config):
        "Return the move lines of the difference and the banked cash"
        Line = Pool().get('account.move.line')
        company = self.close.company
        account = self.close.desk.method(
            self.kind).payment_method.debit_account
        lines = []
        difference = self.difference or 0
        if difference:
            suspense = config.fee_setting('cash_difference_account', company)
            lines += [
                Line(account=account, debit=max(difference, 0),
                    credit=max(-difference, 0)),
                Line(account=suspense, debit=max(-difference, 0),
                    credit=max(difference, 0)),
                ]
        if self.banked:
            transit = config.fee_setting('cash_in_transit_account', company)
            lines += [
                Line(account=transit, debit=self.banked, credit=0),
                Line(account=account, debit=0, credit=self.banked),
                ]
        return lines


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kefu.cash.close', 'kefu.fee.receipt']
