# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the deposit ledger adds to Tryton's accounting: deposit lines as the
origin of moves and refund payments, refund payments that keep their
deposit line's state (approved, paid when the bank statement shows them,
cancelled when they fail), no approval of one's own refund request, and
the deposits received at a desk counted in its daily close."""
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import DepositError


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kefu.deposit.line']


class Payment(metaclass=PoolMeta):
    __name__ = 'account.payment'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kefu.deposit.line']

    @classmethod
    def _deposit_sync(cls, payments):
        Line = Pool().get('kefu.deposit.line')
        Line.sync_payments(
            [p for p in payments if _is_deposit_line(p.origin)])

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, payments):
        user = Transaction().user
        for payment in payments:
            line = payment.origin
            if (_is_deposit_line(line) and user
                    and line.requested_by and line.requested_by.id == user):
                raise DepositError(gettext(
                        'kefu_fee.msg_deposit_approve_own',
                        line=line.rec_name))
        super().approve(payments)
        cls._deposit_sync(payments)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, payments):
        super().draft(payments)
        cls._deposit_sync(payments)

    @classmethod
    @ModelView.button
    @Workflow.transition('processing')
    def proceed(cls, payments):
        super().proceed(payments)
        cls._deposit_sync(payments)

    @classmethod
    @ModelView.button
    @Workflow.transition('succeeded')
    def succeed(cls, payments):
        pool = Pool()
        Move = pool.get('account.move')
        super().succeed(payments)
        # A refund has left: its clearing move is posted at once (not after
        # the journal's posting delay) so the deposit can close reconciled
        Move.post([p.clearing_move for p in payments
                if _is_deposit_line(p.origin) and p.clearing_move
                and p.clearing_move.state == 'draft'])
        cls._deposit_sync(payments)

    @classmethod
    @ModelView.button
    @Workflow.transition('failed')
    def fail(cls, payments):
        super().fail(payments)
        cls._deposit_sync(payments)


def _is_deposit_line(record):
    return getattr(record, '__name__', None) == 'kefu.deposit.line'


class CashClose(metaclass=PoolMeta):
    __name__ = 'kefu.cash.close'

    @classmethod
    def expected_amounts(cls, desk, date):
        "Add the deposits received at desk on date, per method, in SQL"
        pool = Pool()
        Line = pool.get('kefu.deposit.line')
        Method = pool.get('kefu.fee.desk.method')
        amounts = super().expected_amounts(desk, date)
        line = Line.__table__()
        method = Method.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.join(method,
                condition=line.method == method.id).select(
                method.kind, Sum(line.amount),
                where=(method.desk == desk.id) & (line.date == date)
                & (line.kind == 'receive') & (line.state == 'posted'),
                group_by=[method.kind]))
        for kind, amount in cursor:
            amount = Decimal(str(amount)).quantize(Decimal('0.01'))
            amounts[kind] = amounts.get(kind, Decimal(0)) + amount
        return amounts
