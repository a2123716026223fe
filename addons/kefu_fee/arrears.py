# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The arrears report (欠费账龄): what each payer still owes for each unit,
by the age of the fees: 0–3, 3–6, 6–12 and over 12 months."""
from dateutil.relativedelta import relativedelta
from sql import Literal
from sql.aggregate import Min, Sum
from sql.conditionals import Case
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.kefu_base.report import CompanyEstateContextMixin
from trytond.pool import Pool
from trytond.transaction import Transaction

# The first months of each bucket: a fee is in the bucket of the largest
# age its period start has reached at the report's date.
BUCKETS = [('open_0_3', 0), ('open_3_6', 3), ('open_6_12', 6),
    ('open_12', 12)]


class Arrears(ModelSQL, ModelView):
    """Arrears by age (欠费账龄).

    One row per estate, building, unit and payer with what is open on
    their posted bills: the amount of each charge less what was paid of it,
    in the bucket of the months between its period start and the date of
    the report (the context's "date", today by default).  Fees of periods
    starting after the date are not due yet and left out."""
    __string__ = "Arrears"
    __name__ = 'kefu.fee.arrears'

    company = fields.Many2One(
        'company.company', "Company", readonly=True)
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True)
    building = fields.Many2One(
        'kefu.building', "Building", readonly=True)
    unit = fields.Many2One(
        'kefu.unit', "Unit", readonly=True,
        help="The unit the fees are owed for.")
    payer = fields.Many2One(
        'party.party', "Payer", readonly=True,
        help="Who the fees were billed to.")
    oldest_period = fields.Date(
        "Oldest Period", readonly=True,
        help="The start of the oldest period still owed.")
    open_0_3 = fields.Numeric(
        "0–3 Months", digits=(16, 2), readonly=True,
        help="Owed for periods that started less than 3 months ago.")
    open_3_6 = fields.Numeric(
        "3–6 Months", digits=(16, 2), readonly=True,
        help="Owed for periods that started 3 to 6 months ago.")
    open_6_12 = fields.Numeric(
        "6–12 Months", digits=(16, 2), readonly=True,
        help="Owed for periods that started 6 to 12 months ago.")
    open_12 = fields.Numeric(
        "Over 12 Months", digits=(16, 2), readonly=True,
        help="Owed for periods that started 12 months ago or more.")
    total = fields.Numeric(
        "Total Owed", digits=(16, 2), readonly=True,
        help="Everything owed for the unit by the payer.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # No __access__ on the estate: Tryton grants a model the best of
        # its own access and its __access__ models', and everybody reads
        # the estates.  Record rules (arrears.xml) keep a supervisor to the
        # estates they look after.
        cls._order = [
            ('estate', 'ASC'), ('building', 'ASC'), ('unit', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        charge = Pool().get('kefu.fee.charge').__table__()
        date = cls._date()
        open_ = charge.amount - charge.paid_amount
        groups = [charge.company, charge.estate, charge.building,
            charge.unit, charge.payer]
        return charge.select(
            # Each charge is in one group: the smallest id is unique.
            Min(charge.id).as_('id'),
            *(c.as_(c.name) for c in groups),
            Min(charge.period_start).as_('oldest_period'),
            *(Round(Sum(cls._bucket(charge, open_, date, i)), 2).as_(name)
                for i, (name, _) in enumerate(BUCKETS)),
            Round(Sum(open_), 2).as_('total'),
            where=(charge.state == 'posted')
            & (charge.period_start <= date),
            group_by=groups)

    @classmethod
    def _date(cls):
        Date = Pool().get('ir.date')
        return Transaction().context.get('date') or Date.today()

    @classmethod
    def _bucket(cls, charge, open_, date, index):
        "open_ when the charge's period start is in the index-th bucket"
        _, months = BUCKETS[index]
        condition = charge.period_start <= date - relativedelta(
            months=months)
        if index + 1 < len(BUCKETS):
            _, next_months = BUCKETS[index + 1]
            condition &= charge.period_start > date - relativedelta(
                months=next_months)
        return Case((condition, open_), else_=Literal(0))


class ArrearsContext(CompanyEstateContextMixin, ModelView):
    __string__ = "Arrears Context"
    __name__ = 'kefu.fee.arrears.context'

    date = fields.Date(
        "Date", required=True,
        help="The day the arrears are counted at: what is owed for periods "
        "started by then, aged from the period start to that day.")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()
