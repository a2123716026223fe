# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Taking a payment at a desk (收费): the cashier picks the unit and the
payer, sees the open bills and what is owed, takes the money, and the bills
are paid oldest first through account_invoice's own payment (posted and
reconciled at once).  What exceeds the bills is kept, when the cashier says
so, as a prepayment (预收账款) of the payer for later bills.  A
receipt records it all and is printed at once."""
from collections import OrderedDict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

from .desk import METHOD_KINDS
from .exceptions import PaymentError


def unit_payers(unit, date):
    "Return the unit's owners on date and the payers of its open charges"
    pool = Pool()
    Ownership = pool.get('kefu.unit.ownership')
    Charge = pool.get('kefu.fee.charge')
    with without_check_access():
        owners = [o.party for o in Ownership.search(
                Ownership.current_domain([unit.id], date))]
        payers = [c.payer for c in Charge.search([
                    ('unit', '=', unit.id),
                    ('state', '=', 'posted'),
                    ], order=[('period_start', 'ASC'), ('id', 'ASC')])]
    return list(OrderedDict.fromkeys(owners + payers))


def open_invoices(company, unit, party):
    """Return the posted customer bills of party still to pay, oldest
    first: those billing unit, or all of the party's when none does"""
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    Invoice = pool.get('account.invoice')
    open_ = [
        ('company', '=', company.id),
        ('type', '=', 'out'),
        ('state', '=', 'posted'),
        ('party', '=', party.id),
        ]
    order = [('invoice_date', 'ASC'), ('number', 'ASC'), ('id', 'ASC')]
    with without_check_access():
        ids = {c.invoice.id for c in Charge.search([
                    ('unit', '=', unit.id),
                    ('payer', '=', party.id),
                    ('state', '=', 'posted'),
                    ('invoice', '!=', None),
                    ])}
        invoices = [i for i in Invoice.search(
                open_ + [('id', 'in', list(ids))], order=order)
            if i.amount_to_pay > 0]
        if not invoices:
            invoices = [i for i in Invoice.search(open_, order=order)
                if i.amount_to_pay > 0]
    return invoices


def invoice_description(invoice):
    "Describe what invoice bills: its fees and their periods"
    Charge = Pool().get('kefu.fee.charge')
    periods = OrderedDict()
    with without_check_access():
        for charge in Charge.search([('invoice', '=', invoice.id)],
                order=[('period_start', 'ASC'), ('id', 'ASC')]):
            start, end = periods.get(
                charge.fee_type, (charge.period_start, charge.period_end))
            periods[charge.fee_type] = (
                min(start, charge.period_start), max(end, charge.period_end))
        parts = ['%s %s~%s' % (f.name, s, e)
            for f, (s, e) in periods.items()]
        if not parts:
            parts = [l.description or '' for l in invoice.lines]
    return '; '.join(filter(None, parts))[:250] or invoice.rec_name


def take_payment(desk, date, unit, party, kind, amount, invoices,
        keep_excess=False):
    """Take amount from party at desk for unit's invoices, oldest first,
    keep the excess as prepayment when keep_excess, and return the
    receipt"""
    pool = Pool()
    CashClose = pool.get('kefu.cash.close')
    Desk = pool.get('kefu.fee.desk')
    if amount is None or amount <= 0:
        raise PaymentError(gettext('kefu_fee.msg_payment_amount_positive'))
    # The count of the desk's day locks the desk too: a payment either
    # commits before the count sees it or finds the day counted.
    Desk.lock([desk])
    if CashClose.day_closed(desk, date):
        raise PaymentError(gettext(
                'kefu_fee.msg_payment_day_closed',
                desk=desk.rec_name, date=date))
    owed = sum((i.amount_to_pay for i in invoices), Decimal(0))
    if amount > owed and not keep_excess:
        raise PaymentError(gettext(
                'kefu_fee.msg_payment_exceeds_owed',
                amount=amount, owed=owed, excess=amount - owed))
    method = desk.method(kind)
    # The cashier may not write moves: the checks above are the gate
    with without_check_access():
        return _post_payment(
            desk, date, unit, party, method, amount, invoices)


def _post_payment(desk, date, unit, party, method, amount, invoices):
    pool = Pool()
    Receipt = pool.get('kefu.fee.receipt')
    User = pool.get('res.user')
    receipt = Receipt(
        desk=desk, company=desk.company, estate=desk.estate, date=date,
        party=party, unit=unit, method_kind=method.kind,
        payment_method=method.payment_method, amount=amount,
        cashier=User(Transaction().user).employee)
    receipt.save()
    lines, moves, left = [], [], amount
    for invoice in invoices:
        part = min(left, invoice.amount_to_pay)
        if part <= 0:
            continue
        moves.append(_pay_invoice(receipt, invoice, part))
        lines.append({
                'invoice': invoice.id,
                'description': invoice_description(invoice),
                'amount': part,
                })
        left -= part
    if left > 0:
        moves.append(_prepayment_move(receipt, left))
    receipt.prepayment = left
    receipt.lines = lines
    receipt.moves = moves
    receipt.save()
    return receipt


def _pay_invoice(receipt, invoice, part):
    """Pay part of invoice, reconcile it when paid in full, spread it over
    its charges and return the payment move"""
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.move.line')
    paid_in_full = part == invoice.amount_to_pay
    payment_lines = invoice.pay_invoice(
        part, receipt.payment_method, receipt.date,
        description=gettext(
            'kefu_fee.msg_payment_move_description',
            receipt=receipt.number, unit=receipt.unit.rec_name
            if receipt.unit else ''))
    if paid_in_full:
        invoice = Invoice(invoice.id)
        Line.reconcile([l for l in invoice.payment_lines + invoice.lines_to_pay
                if not l.reconciliation])
    Charge.allocate_payment(invoice, part, receipt.date)
    return payment_lines[0].move


def _prepayment_move(receipt, amount):
    """Post amount kept in advance (预收): into the method's account, to the
    credit of the payer on the prepayment account, left open until later
    bills take it (prepayment.py)"""
    pool = Pool()
    Move = pool.get('account.move')
    Line = pool.get('account.move.line')
    Period = pool.get('account.period')
    Configuration = pool.get('kefu.configuration')
    company = receipt.company
    advance = Configuration(1).fee_setting('prepayment_account', company)
    account = receipt.payment_method.debit_account.current(date=receipt.date)
    lines = [
        Line(account=account, debit=amount, credit=0),
        Line(account=advance, debit=0, credit=amount),
        ]
    for line in lines:
        if line.account.party_required:
            line.party = receipt.party
    move = Move(
        journal=receipt.payment_method.journal,
        period=Period.find(company, date=receipt.date), date=receipt.date,
        company=company, origin=receipt,
        description=gettext(
            'kefu_fee.msg_payment_prepayment_description',
            receipt=receipt.number),
        lines=lines)
    move.save()
    Move.post([move])
    return move


class PayStart(ModelView):
    __string__ = "Take Payment"
    __name__ = 'kefu.fee.pay.start'

    company = fields.Many2One('company.company', "Company", readonly=True)
    desk = fields.Many2One(
        'kefu.fee.desk', "Desk", required=True,
        domain=[('company', '=', Eval('company', -1))],
        help="Where the money is taken; it prints the receipt number.")
    date = fields.Date(
        "Date", required=True, help="The day the money is taken.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True,
        help="The unit paid for; search it by its number or an owner's "
        "phone.")
    payers = fields.Many2Many(
        'party.party', None, None, "Payers", readonly=True)
    payer = fields.Many2One(
        'party.party', "Payer", required=True,
        domain=[('id', 'in', Eval('payers', []))],
        help="Who pays: an owner of the unit or the payer of its bills.")
    invoices = fields.Many2Many(
        'account.invoice', None, None, "Open Bills", readonly=True,
        help="The payer's bills still to pay, paid oldest first.")
    owed = fields.Numeric(
        "Owed", digits=(16, 2), readonly=True,
        help="What the open bills still ask.")
    method_kind = fields.Selection(
        METHOD_KINDS, "Method", required=True, sort=False,
        help="How the payer pays.")
    amount = fields.Numeric(
        "Amount Received", digits=(16, 2), required=True,
        help="The money handed over; more than owed only when the excess is "
        "kept as prepayment.")
    keep_excess = fields.Boolean(
        "Keep Excess as Prepayment",
        help="Keep what exceeds the bills in advance (预收) for the "
        "payer's next bills.")
    excess = fields.Numeric(
        "Excess", digits=(16, 2), readonly=True,
        help="What exceeds the open bills.")
    receipt = fields.Many2One('kefu.fee.receipt', "Receipt", readonly=True)

    @fields.depends('unit', 'date', 'payer', 'payers',
        methods=['on_change_payer'])
    def on_change_unit(self):
        if not self.unit:
            self.payers, self.payer = [], None
        else:
            self.payers = unit_payers(self.unit, self.date)
            if self.payer not in self.payers:
                self.payer = self.payers[0] if self.payers else None
        self.on_change_payer()

    @fields.depends('unit', 'payer', 'company', 'invoices', 'owed',
        methods=['on_change_amount'])
    def on_change_payer(self):
        if self.unit and self.payer and self.company:
            self.invoices = open_invoices(self.company, self.unit, self.payer)
        else:
            self.invoices = []
        self.owed = sum((i.amount_to_pay for i in self.invoices), Decimal(0))
        self.on_change_amount()

    @fields.depends('amount', 'owed', 'excess')
    def on_change_amount(self):
        if self.amount is not None and self.owed is not None:
            self.excess = max(self.amount - self.owed, Decimal(0))
        else:
            self.excess = None


class Pay(Wizard):
    __string__ = "Take Payment"
    __name__ = 'kefu.fee.pay'
    start = StateView('kefu.fee.pay.start',
        'kefu_fee.pay_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Take Payment", 'pay', 'tryton-ok', default=True),
            ])
    pay = StateTransition()
    print_ = StateReport('kefu.fee.receipt')

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        Start = pool.get('kefu.fee.pay.start')
        company = Transaction().context.get('company')
        start = Start(
            company=company, date=Date.today(), method_kind='cash',
            desk=None, unit=None, payer=None, amount=None)
        if self.model and self.model.__name__ == 'kefu.unit' and self.record:
            start.unit = self.record
        start.desk = self.default_desk(company)
        start.on_change_unit()
        return {
            'company': company,
            'date': start.date,
            'method_kind': start.method_kind,
            'desk': start.desk.id if start.desk else None,
            'unit': start.unit.id if start.unit else None,
            'payers': [p.id for p in start.payers],
            'payer': start.payer.id if start.payer else None,
            'invoices': [i.id for i in start.invoices],
            'owed': start.owed,
            }

    @classmethod
    def default_desk(cls, company):
        """The cashier's desk: the only one of the estates they work for;
        else the desk of their last receipt, or the only counter of those
        estates (a home collection desk beside it is picked by hand)"""
        pool = Pool()
        Desk = pool.get('kefu.fee.desk')
        Receipt = pool.get('kefu.fee.receipt')
        User = pool.get('res.user')
        domain = [('company', '=', company)]
        estates = User.get_kefu_estates()
        if estates:
            domain.append(('estate', 'in', estates))
        desks = Desk.search(domain)
        if len(desks) <= 1:
            return desks[0] if desks else None
        receipts = Receipt.search([
                ('create_uid', '=', Transaction().user),
                ('company', '=', company),
                ], order=[('id', 'DESC')], limit=1)
        if receipts and receipts[0].desk in desks:
            return receipts[0].desk
        counters = [d for d in desks if d.kind == 'counter']
        if len(counters) == 1:
            return counters[0]

    def transition_pay(self):
        start = self.start
        # The bills are read again: another desk may have paid some since
        invoices = open_invoices(start.desk.company, start.unit, start.payer)
        start.receipt = take_payment(
            start.desk, start.date, start.unit, start.payer,
            start.method_kind, start.amount, invoices,
            keep_excess=start.keep_excess)
        return 'print_'

    def do_print_(self, action):
        receipt = self.start.receipt
        return action, {'id': receipt.id, 'ids': [receipt.id]}
