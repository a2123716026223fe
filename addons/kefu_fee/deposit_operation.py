# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The three things staff do to a deposit from its form: receive money at a
desk (收押金), keep money for a reason (扣款), request the refund of what is
left (申请退款).  Each asks for the figures and calls the ledger."""
from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.kefu_base.today import today
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

KINDS = [
    ('receive', "Receive"),
    ('deduct', "Deduct"),
    ('refund', "Refund"),
    ]


class OperateStart(ModelView):
    __string__ = "Deposit Operation"
    __name__ = 'kefu.deposit.operate.start'

    deposit = fields.Many2One('kefu.deposit', "Deposit", readonly=True)
    line = fields.Many2One('kefu.deposit.line', "Line", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    direction = fields.Selection([
            ('held_by_us', "Held by Us"),
            ('held_by_bank', "Held by a Bank"),
            ], "Direction", readonly=True)
    estate = fields.Many2One('kefu.estate', "Estate", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency",
        readonly=True)
    held = Monetary(
        "Held", currency='currency', digits='currency', readonly=True,
        help="What the deposit holds now.")
    available = Monetary(
        "Available", currency='currency', digits='currency', readonly=True,
        help="What can still be deducted or refunded: held minus the "
        "refunds already requested.")
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        domain=[('amount', '>', 0)],
        help="The amount received, kept or to refund.")
    date = fields.Date("Date", required=True)
    method = fields.Many2One(
        'kefu.fee.desk.method', "Desk and Method",
        domain=[
            ('desk.estate', '=', Eval('estate', -1)),
            ('desk.active', '=', True),
            ],
        states={
            'required': ((Eval('kind') == 'receive')
                & (Eval('direction') == 'held_by_us')),
            'invisible': ((Eval('kind') != 'receive')
                | (Eval('direction') != 'held_by_us')),
            },
        help="The desk taking the money and how it is paid; the money is "
        "counted in that desk's daily close.")
    reason = fields.Many2One(
        'kefu.deposit.reason', "Reason",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'required': Eval('kind') == 'deduct',
            'invisible': Eval('kind') != 'deduct',
            },
        help="Why the money is kept; it decides the account (and VAT).")
    description = fields.Char(
        "Description",
        states={
            'required': Eval('kind') == 'deduct',
            },
        help="Details for the accountant and the refund statement: what "
        "was lost or broken, the violation, the payee's bank account.")

    @fields.depends('reason', 'amount')
    def on_change_reason(self):
        if self.reason and self.reason.amount and not self.amount:
            self.amount = self.reason.amount


class Operate(Wizard):
    "A deposit operation: ask for the figures, call the ledger"
    __slots__ = ()
    _kind = None
    start = StateView('kefu.deposit.operate.start',
        'kefu_fee.deposit_operate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("OK", 'operate', 'tryton-ok', default=True),
            ])
    operate = StateTransition()
    print_ = StateReport('kefu.deposit.receipt')

    def default_start(self, fields):
        deposit = self.record
        values = {
            'deposit': deposit.id,
            'kind': self._kind,
            'direction': deposit.direction,
            'estate': deposit.estate.id,
            'company': deposit.company.id,
            'currency': deposit.currency.id,
            'held': deposit.held,
            'available': deposit.available,
            'date': today(),
            }
        if self._kind == 'refund':
            values['amount'] = deposit.available
        return values

    def transition_operate(self):
        Deposit = Pool().get('kefu.deposit')
        start = self.start
        if self._kind == 'receive':
            line = Deposit.receive(self.record, start.amount,
                date=start.date, method=start.method,
                description=start.description)
            if self.record.direction == 'held_by_us':
                # The payer takes the deposit receipt (押金收据) at once
                self.start.line = line
                return 'print_'
        elif self._kind == 'deduct':
            Deposit.deduct(self.record, start.amount, start.reason,
                date=start.date, description=start.description)
        elif self.record.direction == 'held_by_bank':
            Deposit.release(self.record, start.date, start.amount,
                description=start.description)
        else:
            Deposit.request_refund(self.record, start.amount,
                date=start.date, description=start.description)
        return 'end'

    def do_print_(self, action):
        line = self.start.line
        return action, {'id': line.id, 'ids': [line.id]}

    def end(self):
        return 'reload'


class Receive(Operate):
    "Receive Deposit"
    __name__ = 'kefu.deposit.receive'
    _kind = 'receive'


class Deduct(Operate):
    "Deduct from Deposit"
    __name__ = 'kefu.deposit.deduct'
    _kind = 'deduct'


class Refund(Operate):
    "Request Deposit Refund"
    __name__ = 'kefu.deposit.refund'
    _kind = 'refund'
