# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The collection rate (收缴率), the property company's key figure: per
estate, building and month, what was billed for the month and how much of
it was collected, and the arrears of earlier months collected in it."""
from sql import Literal, Union
from sql.aggregate import Min, Sum
from sql.functions import DateTrunc, Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.kefu_base.report import (
    CompanyEstateContextMixin, MonthRangeContextMixin, percent)
from trytond.pool import Pool
from trytond.transaction import Transaction


class CollectionRate(ModelSQL, ModelView):
    """Collection rate (收缴率).

    One row per company, estate, building and month.  A charge counts in
    the month its period starts (billed, and what of it is collected so
    far) and, when it was paid in a later month, as arrears collected in
    the month of its last payment.  Cancelled charges are left out.  The
    query reads no context: the filter bar narrows it (context_domain)."""
    __string__ = "Collection Rate"
    __name__ = 'kefu.fee.collection'

    company = fields.Many2One(
        'company.company', "Company", readonly=True)
    month = fields.Date(
        "Month", readonly=True,
        help="The month the fees are for (its first day).")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True,
        help="The estate of the units billed.")
    building = fields.Many2One(
        'kefu.building', "Building", readonly=True,
        help="The building of the units billed.")
    billed = fields.Numeric(
        "Billed", digits=(16, 2), readonly=True,
        help="What was billed for the month (cancelled bills excluded).")
    collected = fields.Numeric(
        "Collected", digits=(16, 2), readonly=True,
        help="What of the month's bills has been collected so far.")
    open_amount = fields.Numeric(
        "Outstanding", digits=(16, 2), readonly=True,
        help="What of the month's bills is still owed.")
    rate = fields.Numeric(
        "Collection Rate (%)", digits=(5, 2), readonly=True,
        help="Collected in percent of billed (收缴率).")
    arrears_collected = fields.Numeric(
        "Arrears Collected", digits=(16, 2), readonly=True,
        help="What was collected in the month for the fees of earlier "
        "months (清欠), counted in the month of their last payment.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # No __access__ on the estate: Tryton grants a model the best of
        # its own access and its __access__ models', and everybody reads
        # the estates.  Record rules (collection.xml) keep a supervisor to
        # the estates they look after.
        cls._order = [
            ('month', 'DESC'), ('estate', 'ASC'), ('building', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        rows = cls._rows()
        groups = [rows.company, rows.estate, rows.building, rows.month]
        # SQLite sums numerics as floats: back to cents
        billed = Round(Sum(rows.billed), 2)
        collected = Round(Sum(rows.collected), 2)
        return rows.select(
            Min(rows.id).as_('id'),
            *(c.as_(c.name) for c in groups),
            billed.as_('billed'),
            collected.as_('collected'),
            (billed - collected).as_('open_amount'),
            percent(cls.rate, collected, billed).as_('rate'),
            Round(Sum(rows.arrears_collected), 2).as_('arrears_collected'),
            group_by=groups)

    @classmethod
    def _rows(cls):
        """Each charge once in the month of its period and, paid in a later
        month, once more as arrears in the month of its payment.

        The ids (2 × id and 2 × id + 1) keep the group's smallest id unique
        although a charge is in two groups."""
        charge = Pool().get('kefu.fee.charge').__table__()
        month = DateTrunc('month', charge.period_start)
        paid_month = DateTrunc('month', charge.paid_date)
        live = charge.state != 'cancelled'
        zero = Literal(0)
        common = [charge.company.as_('company'), charge.estate.as_('estate'),
            charge.building.as_('building')]
        current = charge.select(
            (charge.id * 2).as_('id'), *common,
            cls.month.sql_cast(month).as_('month'),
            charge.amount.as_('billed'),
            charge.paid_amount.as_('collected'),
            zero.as_('arrears_collected'),
            where=live)
        arrears = charge.select(
            (charge.id * 2 + 1).as_('id'), *common,
            cls.month.sql_cast(paid_month).as_('month'),
            zero.as_('billed'),
            zero.as_('collected'),
            charge.paid_amount.as_('arrears_collected'),
            where=live & (charge.paid_amount > 0)
            & (paid_month > month))
        return Union(current, arrears, all_=True)


class CollectionRateMonth(ModelSQL, ModelView):
    """Collection rate per month (月度收缴率).

    The figures of kefu.fee.collection summed per month over the company
    and estate of the context, so that a month's rate is its collected in
    percent of its billed, not a sum of the buildings' rates.  Only the
    estates the user may read are counted."""
    __string__ = "Monthly Collection Rate"
    __name__ = 'kefu.fee.collection.month'

    month = fields.Date(
        "Month", readonly=True,
        help="The month the fees are for (its first day).")
    billed = CollectionRate.billed
    collected = CollectionRate.collected
    open_amount = CollectionRate.open_amount
    rate = CollectionRate.rate
    arrears_collected = CollectionRate.arrears_collected

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Rate = Pool().get('kefu.fee.collection')
        rows = Rate._rows()
        # SQLite sums numerics as floats: back to cents
        billed = Round(Sum(rows.billed), 2)
        collected = Round(Sum(rows.collected), 2)
        return rows.select(
            Min(rows.id).as_('id'),
            rows.month.as_('month'),
            billed.as_('billed'),
            collected.as_('collected'),
            (billed - collected).as_('open_amount'),
            percent(cls.rate, collected, billed).as_('rate'),
            Round(Sum(rows.arrears_collected), 2).as_('arrears_collected'),
            where=cls._where(rows),
            group_by=[rows.month])

    @classmethod
    def _where(cls, rows):
        "The rows of the context's company and estate the user may read"
        Estate = Pool().get('kefu.estate')
        context = Transaction().context
        domain = [('company', '=', context.get('company', -1))]
        if context.get('estate'):
            domain.append(('id', '=', context['estate']))
        return ((rows.company == context.get('company', -1))
            & rows.estate.in_(Estate.search(domain, query=True)))


class CollectionRateContext(
        CompanyEstateContextMixin, MonthRangeContextMixin, ModelView):
    __string__ = "Collection Rate Context"
    __name__ = 'kefu.fee.collection.context'
