# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Bills are Tryton customer invoices: their lines come from charges, and
their states move the charges (posted, paid, cancelled); a posted bill is
paid first with what its payer paid in advance (prepayment.py)."""
from collections import defaultdict
from decimal import Decimal

from sql import Null

from trytond.model import Index, dualmethod, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from . import vat
from .prepayment import apply_prepayments


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    kefu_billing_run = fields.Many2One(
        'kefu.billing.run', "Billing Run", readonly=True,
        ondelete='RESTRICT',
        help="The billing run that made the bill.")
    kefu_charges = fields.One2Many(
        'kefu.fee.charge', 'invoice', "Charges", readonly=True,
        help="The fees the bill is made of, unit by unit and period by "
        "period.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._check_modify_exclude.add('kefu_billing_run')
        t = cls.__table__()
        # A run's bills: its drafts are searched by each billing and
        # posting batch
        cls._sql_indexes.update({
                Index(t, (t.kefu_billing_run, Index.Range()),
                    (t.state, Index.Equality(cardinality='low')),
                    where=t.kefu_billing_run != Null),
                # A posting batch takes the run's next drafts by id: read in
                # the index's order, not all the run's drafts sorted each
                # time (quadratic in the run's size)
                Index(t, (t.kefu_billing_run, Index.Range()),
                    (t.id, Index.Range()),
                    where=(t.kefu_billing_run != Null)
                    & (t.state == 'draft')),
                })

    @classmethod
    def kefu_bill(cls, charges, company, invoice_date, description,
            run=None):
        """Put charges on a draft bill of their payer: the run's if it has
        one, else a new one; one line per charge, its origin"""
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        by_payer = defaultdict(list)
        for charge in charges:
            by_payer[charge.payer].append(charge)
        existing = {}
        if run:
            existing = {i.party: i for i in cls.search([
                        ('kefu_billing_run', '=', run.id),
                        ('party', 'in', [p.id for p in by_payer]),
                        ('state', '=', 'draft'),
                        ])}
        invoices = []
        for payer, payer_charges in by_payer.items():
            invoice = existing.get(payer) or cls._kefu_new(
                payer, company, invoice_date, description, run)
            lines = list(getattr(invoice, 'lines', []))
            lines.extend(invoice._kefu_line(c) for c in payer_charges)
            invoice.lines = lines
            invoice.kefu_apply_vat()
            invoices.append(invoice)
        # The charges as kefu_apply_vat left them (with their VAT): saving
        # the bills would read them back without it.
        billed = [(i, l.origin) for i in invoices for l in i.lines]
        cls.save(invoices)
        lines = {l.origin.id: l for i in cls.browse(invoices)
            for l in i.lines}
        for invoice, charge in billed:
            charge.invoice_line = lines[charge.id]
            charge.invoice = invoice.id
        Charge.save([c for _, c in billed])
        return invoices

    @classmethod
    def _kefu_new(cls, payer, company, invoice_date, description, run):
        Configuration = Pool().get('kefu.configuration')
        configuration = Configuration(1)
        invoice = cls(
            company=company, type='out', party=payer,
            invoice_date=invoice_date, currency=company.currency,
            journal=configuration.fee_setting('fee_journal', company),
            payment_term=configuration.get_multivalue(
                'payment_term', company=company.id),
            kefu_billing_run=run, description=description)
        invoice.invoice_address = payer.address_get(type='invoice')
        if not invoice.invoice_address:
            # Owners are often registered without a postal address; the
            # bill is addressed to the unit's owner all the same.
            Address = Pool().get('party.address')
            invoice.invoice_address = Address(party=payer)
            invoice.invoice_address.save()
        invoice.account = payer.account_receivable_used
        return invoice

    def _kefu_line(self, charge):
        Line = Pool().get('account.invoice.line')
        return Line(
            type='line', company=self.company, currency=self.currency,
            invoice_type='out', party=self.party,
            account=charge.fee_type.account,
            description=charge.description, quantity=1,
            unit_price=charge.amount, origin=charge)

    def kefu_apply_vat(self):
        """Set the net amounts of the lines and the bill's manual taxes from
        the charges' gross amounts, the Chinese way (vat.split)"""
        pool = Pool()
        Tax = pool.get('account.invoice.tax')
        by_tax = defaultdict(list)
        for line in self.lines:
            charge = line.origin
            by_tax[charge.tax].append((line, charge))
        taxes = []
        for tax, pairs in by_tax.items():
            grosses = [c.amount for _, c in pairs]
            if tax:
                amounts = vat.split(grosses, tax.rate)
            else:
                amounts = [Decimal('0.00')] * len(grosses)
            for (line, charge), amount in zip(pairs, amounts):
                line.unit_price = charge.amount - amount
                charge.tax_amount = amount
            if tax:
                taxes.append(Tax(
                        description=tax.description, tax=tax,
                        account=tax.invoice_account, manual=True,
                        base=sum(grosses) - sum(amounts),
                        amount=sum(amounts)))
        self.taxes = taxes

    @dualmethod
    def update_taxes(cls, invoices, exception=False):
        """A billing run's bills carry their VAT as manual taxes
        (kefu_apply_vat) and none on their lines: numbering them while
        posting (a save of draft bills) has no tax to update; the check of
        Invoice.get_move (exception) is kept"""
        if Transaction().context.get('_kefu_posting') and not exception:
            return
        super().update_taxes(invoices, exception=exception)

    @classmethod
    def _post(cls, invoices):
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        super()._post(invoices)
        Charge.post(Charge.search([
                    ('invoice', 'in', [i.id for i in invoices]),
                    ('state', '=', 'billed'),
                    ]))
        # A credit note of a bill's lines cancels their charges: the period
        # can then be billed again, correctly
        credited = [l.origin.id for i in invoices for l in i.lines
            if getattr(l.origin, '__name__', None) == 'account.invoice.line']
        if credited:
            Charge.cancel(Charge.search([
                        ('invoice_line', 'in', credited),
                        ('state', 'in', ['posted', 'paid']),
                        ]))
        # What the payers paid in advance pays their new bills; the moves
        # follow from the posting, which is the gate
        with without_check_access():
            apply_prepayments(invoices)

    @classmethod
    def paid(cls, invoices):
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Date = pool.get('ir.date')
        super().paid(invoices)
        charges = Charge.search([
                ('invoice', 'in', [i.id for i in invoices]),
                ('state', '=', 'posted'),
                ])
        today = Date.today()
        for charge in charges:
            charge.paid_amount = charge.amount
            charge.paid_date = charge.paid_date or today
        Charge.save(charges)
        Charge.pay(charges)

    @classmethod
    def cancel(cls, invoices):
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        super().cancel(invoices)
        Charge.cancel(Charge.search([
                    ('invoice', 'in', [i.id for i in invoices]),
                    ('state', 'in', ['billed', 'posted']),
                    ]))

    @classmethod
    def print_invoice(cls, invoices):
        # A billing run posts thousands of bills: render one when it is
        # printed, not all of them at posting.
        super().print_invoice([i for i in invoices if not i.kefu_billing_run])


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kefu.fee.charge']
