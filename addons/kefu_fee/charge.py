# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A charge (计费明细): one unit's fee for one period, with the area, rate,
custody share and quantity it was computed from, and the bill line it went
to.  The database refuses a second live charge of the same unit, fee type
and period; a correction is a credit note and a new charge."""
from decimal import Decimal

from sql import Cast, Null
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, Exclude, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.tools import grouped_slice

from trytond.modules.kefu_base.model import rec_name_domain
from trytond.modules.kefu_base.today import boolean_searcher

from .exceptions import ChargeDeleteError


class Charge(Workflow, ModelSQL, ModelView):
    __string__ = "Fee Charge"
    __name__ = 'kefu.fee.charge'
    _rec_name = 'description'
    # A charge's states follow its bill (posted, paid, cancelled), whose
    # own log records who did what: logging each charge too would write
    # two rows of ir.model.log per unit and month.
    _log = False

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    billing_run = fields.Many2One(
        'kefu.billing.run', "Billing Run", readonly=True, ondelete='RESTRICT',
        help="The billing run that computed the charge; empty for a charge "
        "of its own, such as a paid repair.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True, readonly=True,
        ondelete='RESTRICT')
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True,
        ondelete='RESTRICT', help="The unit's estate, kept for the reports.")
    building = fields.Many2One(
        'kefu.building', "Building", readonly=True, ondelete='RESTRICT',
        help="The unit's building, kept for the reports.")
    unit_fee = fields.Many2One(
        'kefu.unit.fee', "Unit Fee", readonly=True, ondelete='RESTRICT',
        help="The subscription of the unit to the fee that was billed.")
    fee_type = fields.Many2One(
        'kefu.fee.type', "Fee Type", required=True, readonly=True,
        ondelete='RESTRICT')
    period_start = fields.Date(
        "Period Start", required=True, readonly=True,
        help="The first day the charge pays for.")
    period_end = fields.Date(
        "Period End", required=True, readonly=True,
        help="The last day the charge pays for.")
    payer = fields.Many2One(
        'party.party', "Payer", required=True, readonly=True,
        ondelete='RESTRICT', help="Who the charge is billed to.")
    area = fields.Numeric(
        "Area", digits=(16, 2), readonly=True,
        help="The building area (m²) billed, for fees per area.")
    rate = fields.Numeric(
        "Rate", digits=(16, 4), required=True, readonly=True,
        help="The published rate, tax included, at the time of billing.")
    custody_share = fields.Numeric(
        "Custody Share", digits=(16, 4), required=True, readonly=True,
        help="The share of the fee paid: 1 in general, the custody rate "
        "(70%) for a unit in custody (托管).")
    quantity = fields.Numeric(
        "Quantity", digits=(16, 4), required=True, readonly=True,
        help="What the rate was multiplied by: area × months × share of the "
        "period, units, or the metered consumption.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True,
        help="What the resident pays, tax included, rounded half up to the "
        "cent (四舍五入).")
    tax = fields.Many2One(
        'account.tax', "Tax", readonly=True, ondelete='RESTRICT',
        help="The VAT included in the amount; none for money collected on "
        "behalf of others.")
    tax_amount = fields.Numeric(
        "Tax Amount", digits=(16, 2), readonly=True,
        help="The VAT part of the amount on the bill.")
    description = fields.Char("Description", required=True, readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="The record the charge bills when it is not a periodic fee, "
        "such as a paid repair order.")
    invoice_line = fields.Many2One(
        'account.invoice.line', "Bill Line", readonly=True,
        ondelete='RESTRICT')
    invoice = fields.Many2One(
        'account.invoice', "Bill", readonly=True, ondelete='RESTRICT')
    paid_amount = fields.Numeric(
        "Paid", digits=(16, 2), readonly=True,
        help="How much of the charge was collected.")
    paid_date = fields.Date(
        "Paid On", readonly=True,
        help="When the last payment of the charge was taken.")
    state = fields.Selection([
            ('billed', "Billed"),
            ('posted', "Posted"),
            ('paid', "Paid"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False,
        help="Billed: on a draft bill; posted: on a posted bill waiting "
        "for payment; paid; cancelled: its bill was cancelled or credited.")
    overdue = fields.Function(fields.Boolean(
            "Overdue",
            help="Posted, and its bill's due date is past with the bill "
            "still open."),
        'get_overdue', searcher='search_overdue')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # SQLite stores numerics as text: compare them as numbers
        amount = Cast(t.amount, 'NUMERIC')
        paid = Cast(t.paid_amount, 'NUMERIC')
        cls._sql_constraints += [
            ('unit_fee_period_exclude',
                Exclude(t, (t.unit, Equal), (t.fee_type, Equal),
                    (t.period_start, Equal),
                    where=(t.state != 'cancelled') & (t.origin == Null)),
                'kefu_fee.msg_charge_billed'),
            ('origin_exclude',
                Exclude(t, (t.origin, Equal),
                    where=(t.state != 'cancelled') & (t.origin != Null)),
                'kefu_fee.msg_charge_origin_billed'),
            ('amount_positive', Check(t, amount > 0),
                'kefu_fee.msg_charge_amount_positive'),
            ('paid_amount_range',
                Check(t, (paid >= 0) & (paid <= amount)),
                'kefu_fee.msg_charge_paid_range'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.billing_run, Index.Range()),
                    (t.payer, Index.Range())),
                Index(t, (t.estate, Index.Range()),
                    (t.period_start, Index.Range())),
                Index(t, (t.invoice, Index.Range())),
                Index(t, (t.unit, Index.Range()),
                    (t.period_start, Index.Range(order='DESC'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['posted'])),
                })
        cls._order = [
            ('period_start', 'DESC'), ('unit', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('billed', 'posted'),
            ('billed', 'cancelled'),
            ('posted', 'paid'),
            ('posted', 'cancelled'),
            ('paid', 'posted'),
            ('paid', 'cancelled'),
            }

    @staticmethod
    def default_state():
        return 'billed'

    @staticmethod
    def default_custody_share():
        return Decimal(1)

    @staticmethod
    def default_paid_amount():
        return Decimal(0)

    @classmethod
    def _get_origin(cls):
        "Return the models a charge may bill"
        return []

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        models = cls._get_origin()
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in models]

    @classmethod
    def search_rec_name(cls, name, clause):
        "Find charges by their text, unit (code, owner, phone), payer, bill"
        return rec_name_domain(clause,
            'description', 'unit.rec_name', 'payer.rec_name', 'invoice.number')

    @staticmethod
    def _overdue_lines(date):
        "The open receivable lines of a bill fallen due before date"
        return [
            ('maturity_date', '<', date),
            ('reconciliation', '=', None),
            ('account.type.receivable', '=', True),
            ]

    @classmethod
    def get_overdue(cls, charges, name):
        overdue = {c.id for c in cls.search([
                    ('id', 'in', [c.id for c in charges]),
                    ('overdue', '=', True),
                    ])}
        return {c.id: c.id in overdue for c in charges}

    search_overdue = boolean_searcher(
        lambda date: [
            ('state', '=', 'posted'),
            ('invoice.move.lines', 'where', Charge._overdue_lines(date)),
            ],
        lambda date: ['OR',
            ('state', '!=', 'posted'),
            ('invoice.move.lines', 'not where', Charge._overdue_lines(date)),
            ])

    @property
    def open_amount(self):
        return self.amount - (self.paid_amount or 0)

    @classmethod
    def validate(cls, charges):
        # On SQLite trytond checks the exclusion constraints in Python with
        # one query nesting a condition per charge, which overflows SQLite's
        # parser beyond about 80 of them; PostgreSQL enforces them itself.
        if backend.name == 'sqlite':
            for sub_charges in grouped_slice(charges, 20):
                super().validate(list(sub_charges))
        else:
            super().validate(charges)

    @classmethod
    def allocate_payment(cls, invoice, amount, date):
        """Spread amount paid on invoice over its charges, oldest period
        first, and mark the charges paid in full; return what is left"""
        charges = cls.search([
                ('invoice', '=', invoice.id),
                ('state', '=', 'posted'),
                ], order=[('period_start', 'ASC'), ('id', 'ASC')])
        paid = []
        for charge in charges:
            if amount <= 0:
                break
            part = min(amount, charge.open_amount)
            charge.paid_amount = (charge.paid_amount or 0) + part
            charge.paid_date = date
            amount -= part
            if charge.paid_amount == charge.amount:
                paid.append(charge)
        cls.save(charges)
        cls.pay(paid)
        return amount

    @classmethod
    @Workflow.transition('posted')
    def post(cls, charges):
        pass

    @classmethod
    @Workflow.transition('paid')
    def pay(cls, charges):
        pass

    @classmethod
    @Workflow.transition('cancelled')
    def cancel(cls, charges):
        pass

    @classmethod
    def check_modification(cls, mode, charges, values=None, external=False):
        super().check_modification(
            mode, charges, values=values, external=external)
        if mode == 'delete':
            raise ChargeDeleteError(gettext('kefu_fee.msg_charge_delete'))
