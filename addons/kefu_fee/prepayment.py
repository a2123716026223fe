# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Prepayments (预收账款) taken by later bills.

What a payer pays in advance at the desk is credited to the prepayment
account of the fee settings, on the payer.  When a customer bill of that
payer is posted (a billing run's, a paid repair's), the payer's open
prepayment pays it, oldest bill first: a move on the bill journal debits the
prepayment account and credits the bill's receivable, that credit becomes a
payment line of the bill (reconciled when it pays the bill in full) and the
bill's charges are marked paid.  The payer's prepayment lines are reconciled
together once they balance.

The open prepayments are found with one query per batch of bills, so a
posting batch of a run with few payers in advance costs a single SELECT."""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction


def prepayment_account(company):
    "The company's prepayment account, or None when it is not set"
    Configuration = Pool().get('kefu.configuration')
    return Configuration(1).get_multivalue(
        'prepayment_account', company=company.id)


def open_prepayments(account, parties):
    """Return {party id: amount} of what parties have in advance on
    account (its open credit), for those who have some"""
    pool = Pool()
    Line = pool.get('account.move.line')
    Move = pool.get('account.move')
    line = Line.__table__()
    move = Move.__table__()
    cursor = Transaction().connection.cursor()
    balances = {}
    for sub_ids in grouped_slice(sorted({p.id for p in parties})):
        balance = Sum(Coalesce(line.credit, 0) - Coalesce(line.debit, 0))
        cursor.execute(*line.join(move, condition=line.move == move.id
                ).select(line.party, balance,
                where=(line.account == account.id)
                & (line.reconciliation == None)  # noqa: E711
                & (move.state == 'posted')
                & reduce_ids(line.party, sub_ids),
                group_by=[line.party],
                having=balance > 0))
        for party, amount in cursor:
            # SQLite may answer a float or a string for a sum of decimals
            balances[party] = Decimal(str(amount)).quantize(
                Decimal('0.01'))
    return balances


def apply_prepayments(invoices):
    """Pay the posted customer bills of invoices with their payers' open
    prepayments, oldest bill first; return the moves posted"""
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.move.line')
    Move = pool.get('account.move')
    Period = pool.get('account.period')
    Configuration = pool.get('kefu.configuration')

    by_company = defaultdict(list)
    for invoice in invoices:
        if invoice.type == 'out' and invoice.state == 'posted':
            by_company[invoice.company].append(invoice)
    moves = []
    for company, bills in by_company.items():
        account = prepayment_account(company)
        if not account:
            continue
        balances = open_prepayments(account, [i.party for i in bills])
        if not balances:
            continue
        journal = Configuration(1).fee_setting('fee_journal', company)
        bills = sorted((i for i in bills if i.party.id in balances),
            key=lambda i: (i.invoice_date, i.number or '', i.id))
        applied = []
        for invoice in bills:
            left = balances[invoice.party.id]
            part = min(left, invoice.amount_to_pay)
            if part <= 0:
                continue
            date = invoice.move.date if invoice.move else invoice.invoice_date
            advance = Line(account=account, party=invoice.party,
                debit=part, credit=0)
            payment = Line(account=invoice.account, party=invoice.party,
                debit=0, credit=part, maturity_date=date)
            move = Move(
                journal=journal, company=company, date=date,
                period=Period.find(company, date=date), origin=invoice,
                description=gettext(
                    'kefu_fee.msg_prepayment_move_description',
                    invoice=invoice.rec_name),
                lines=[advance, payment])
            moves.append(move)
            applied.append((invoice, move, part, date))
            balances[invoice.party.id] = left - part
        if not applied:
            continue
        Move.save([m for _, m, _, _ in applied])
        Move.post([m for _, m, _, _ in applied])
        Invoice.add_payment_lines({
                invoice: [l for l in move.lines
                    if l.account == invoice.account]
                for invoice, move, _, _ in applied})
        for invoice, move, part, date in applied:
            invoice = Invoice(invoice.id)
            if invoice.amount_to_pay == 0:
                Line.reconcile([l for l in
                        invoice.payment_lines + invoice.lines_to_pay
                        if not l.reconciliation])
            Charge.allocate_payment(invoice, part, date)
        # A payer whose prepayments are used up: their lines balance
        spent = {i.party.id for i, _, _, _ in applied
            if not balances[i.party.id]}
        if spent:
            to_reconcile = Line.search([
                    ('account', '=', account.id),
                    ('party', 'in', list(spent)),
                    ('reconciliation', '=', None),
                    ('move.state', '=', 'posted'),
                    ])
            by_party = defaultdict(list)
            for line in to_reconcile:
                by_party[line.party.id].append(line)
            Line.reconcile(*by_party.values())
    return moves
