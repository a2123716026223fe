# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The receipt (收据) of a payment at a desk: a gapless number of the desk,
who paid for which unit, what the money paid (fee and period of each bill),
how, how much in figures and in Chinese capitals (大写金额), and who took
it.  Receipts are never deleted: finance cancels one, which reverses its
moves and reopens what it paid."""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import without_check_access

from trytond.modules.kefu_base.model import rec_name_domain
from trytond.modules.kefu_base.today import boolean_searcher, today

from .amount_words import amount_in_words
from .desk import METHOD_KINDS
from .exceptions import ReceiptCancelError, ReceiptDeleteError
from .prepayment import open_prepayments, prepayment_account


class Receipt(Workflow, ModelSQL, ModelView):
    __string__ = "Receipt"
    __name__ = 'kefu.fee.receipt'
    _rec_name = 'number'

    number = fields.Char(
        "Number", required=True, readonly=True,
        help="The receipt number (收据号), without gaps for each desk.")
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    desk = fields.Many2One(
        'kefu.fee.desk', "Desk", required=True, readonly=True,
        ondelete='RESTRICT', help="Where the money was taken.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True,
        ondelete='RESTRICT', help="The estate of the desk.")
    date = fields.Date(
        "Date", required=True, readonly=True,
        help="The day the money was taken.")
    taken_today = fields.Function(fields.Boolean(
            "Taken Today", help="The money was taken today."),
        'get_taken_today', searcher='search_taken_today')
    party = fields.Many2One(
        'party.party', "Payer", required=True, readonly=True,
        ondelete='RESTRICT', help="Who paid.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", readonly=True, ondelete='RESTRICT',
        help="The unit the payment was for.")
    cashier = fields.Many2One(
        'company.employee', "Cashier", readonly=True, ondelete='RESTRICT',
        help="Who took the money.")
    method_kind = fields.Selection(
        METHOD_KINDS, "Method", required=True, readonly=True, sort=False,
        help="How the payer paid.")
    method_kind_string = method_kind.translated('method_kind')
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Method", required=True,
        readonly=True, ondelete='RESTRICT')
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True,
        help="The money received.")
    amount_in_words = fields.Function(
        fields.Char("Amount in Words",
            help="The amount in Chinese capitals (大写金额)."),
        'get_amount_in_words')
    prepayment = fields.Numeric(
        "Prepayment", digits=(16, 2), required=True, readonly=True,
        help="The part of the amount kept in advance for later bills (预收).")
    lines = fields.One2Many(
        'kefu.fee.receipt.line', 'receipt', "Lines", readonly=True,
        help="The bills the money paid.")
    moves = fields.Many2Many(
        'kefu.fee.receipt-account.move', 'receipt', 'move', "Moves",
        readonly=True, help="The posted accounting moves of the payment.")
    printed = fields.Integer(
        "Printed", readonly=True,
        help="How many times the receipt was printed; every print after the "
        "first is marked as a copy (副本).")
    state = fields.Selection([
            ('issued', "Issued"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False,
        help="Cancelled receipts have their payment reversed.")

    @classmethod
    def search_rec_name(cls, name, clause):
        "Find receipts by number, unit (code, owner, phone) or payer"
        return rec_name_domain(clause,
            'number', 'unit.rec_name', 'party.rec_name')

    def get_taken_today(self, name):
        return self.date == today()

    search_taken_today = boolean_searcher(
        lambda date: [('date', '=', date)],
        lambda date: [('date', '!=', date)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.desk, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.unit, Index.Range())),
                # The desk of the cashier's last receipt (收费's default)
                Index(t, (t.create_uid, Index.Range()),
                    (t.id, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('number', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('issued', 'cancelled')}
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'issued',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'issued'

    @staticmethod
    def default_printed():
        return 0

    @staticmethod
    def default_prepayment():
        return 0

    @classmethod
    def get_amount_in_words(cls, receipts, name):
        return {r.id: amount_in_words(r.amount) for r in receipts}

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Desk = pool.get('kefu.fee.desk')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('number'):
                desk = Desk(values['desk'])
                values['number'] = desk.receipt_sequence.get()
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, receipts, values=None, external=False):
        super().check_modification(
            mode, receipts, values=values, external=external)
        if mode == 'delete':
            raise ReceiptDeleteError(gettext('kefu_fee.msg_receipt_delete'))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, receipts):
        for receipt in receipts:
            receipt.check_day_open()
            receipt.check_prepayment_unused()
        for receipt in receipts:
            receipt._reverse_moves()
            receipt._release_charges()

    def check_day_open(self):
        "Refuse to change a day the desk has counted"
        CashClose = Pool().get('kefu.cash.close')
        if CashClose.day_closed(self.desk, self.date):
            raise ReceiptCancelError(gettext(
                    'kefu_fee.msg_receipt_cancel_day_closed',
                    receipt=self.rec_name, date=self.date))

    def check_prepayment_unused(self):
        "Refuse to take back a prepayment later bills have used"
        if not self.prepayment:
            return
        account = prepayment_account(self.company)
        left = open_prepayments(account, [self.party]).get(
            self.party.id, 0) if account else 0
        if left < self.prepayment:
            raise ReceiptCancelError(gettext(
                    'kefu_fee.msg_receipt_cancel_prepayment_used',
                    receipt=self.rec_name, prepayment=self.prepayment,
                    left=left))

    def _reverse_moves(self):
        """Unreconcile the payment, take its lines off the bills and post
        the reversal of each move, reconciled with the original"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.move.line')
        Move = pool.get('account.move')
        Reconciliation = pool.get('account.move.reconciliation')
        lines = [l for m in self.moves for l in m.lines]
        reconciliations = list({l.reconciliation for l in lines
                if l.reconciliation})
        invoice_ids = list({rl.invoice.id for rl in self.lines})
        Reconciliation.delete(reconciliations)
        # Paid bills go back to posted once their lines are unreconciled
        Invoice.process([i for i in Invoice.browse(invoice_ids)
                if i.state == 'paid'])
        Invoice.remove_payment_lines(lines)
        cancels = [m.cancel(reversal=True) for m in self.moves]
        Move.post(cancels)
        for move, cancel in zip(self.moves, cancels):
            to_reconcile = defaultdict(list)
            for line in move.lines + cancel.lines:
                if line.account.reconcile:
                    to_reconcile[(line.account, line.party)].append(line)
            for group in to_reconcile.values():
                Line.reconcile(group)

    def _release_charges(self):
        "Take the payment off the bills' charges, latest period first"
        Charge = Pool().get('kefu.fee.charge')
        for line in self.lines:
            left = line.amount
            charges = Charge.search([
                    ('invoice', '=', line.invoice.id),
                    ('paid_amount', '>', 0),
                    ], order=[('period_start', 'DESC'), ('id', 'DESC')])
            reopened = []
            for charge in charges:
                if left <= 0:
                    break
                part = min(left, charge.paid_amount)
                if charge.state == 'paid':
                    reopened.append(charge)
                charge.paid_amount -= part
                if not charge.paid_amount:
                    charge.paid_date = None
                left -= part
            Charge.save(charges)
            Charge.post(reopened)


class ReceiptLine(ModelSQL, ModelView):
    __string__ = "Receipt Line"
    __name__ = 'kefu.fee.receipt.line'

    receipt = fields.Many2One(
        'kefu.fee.receipt', "Receipt", required=True, ondelete='CASCADE',
        readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Bill", required=True, readonly=True,
        ondelete='RESTRICT', help="The bill paid.")
    description = fields.Char(
        "Description", readonly=True,
        help="The fees and periods of the bill.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True,
        help="The part of the payment that went to the bill.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('receipt')
        cls._order = [('receipt', 'ASC'), ('id', 'ASC')]


class ReceiptMove(ModelSQL):
    __string__ = "Receipt - Move"
    __name__ = 'kefu.fee.receipt-account.move'

    receipt = fields.Many2One(
        'kefu.fee.receipt', "Receipt", required=True, ondelete='CASCADE')
    move = fields.Many2One(
        'account.move', "Move", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('receipt')


class ReceiptReport(CompanyReport):
    __name__ = 'kefu.fee.receipt'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Printing counts the prints, to mark reprints as copies
        cls.__rpc__['execute'] = RPC(False)

    @classmethod
    def execute(cls, ids, data):
        cls.count_prints(ids)
        return super().execute(ids, data)

    @classmethod
    @without_check_access
    def count_prints(cls, ids):
        "Count a print of the receipts, which the cashier cannot edit"
        Receipt = Pool().get('kefu.fee.receipt')
        to_write = []
        for receipt in Receipt.browse(list(map(int, ids))):
            to_write.extend([[receipt], {'printed': receipt.printed + 1}])
        if to_write:
            Receipt.write(*to_write)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['amount_in_words'] = amount_in_words
        return context
