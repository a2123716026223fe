# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the reports of the Kefu modules share: the ratio of two sums
rounded in SQL, the month a date falls in, the estate a report context
opens on and the range of months of the monthly reports (collection rate,
ticket statistics)."""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Cast
from sql.conditionals import NullIf
from sql.functions import Round

from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


def first_day(date):
    "The first day of date's month: the monthly reports' months are those"
    return dt.date(date.year, date.month, 1)


def ratio(field, numerator, denominator, factor=1):
    """numerator times factor divided by denominator, rounded to 2 digits
    as field's decimal; NULL when denominator is 0"""
    # A float division, then rounded as a decimal: PostgreSQL rounds no
    # double precision to 2 digits.
    value = Cast(numerator, 'FLOAT') * factor / NullIf(
        Cast(denominator, 'FLOAT'), 0)
    return field.sql_cast(Round(field.sql_cast(value), 2))


def percent(field, numerator, denominator):
    "numerator in percent of denominator (see ratio)"
    return ratio(field, numerator, denominator, 100)


def default_estate():
    """The estate a report or a new record opens on: the user's estate when
    the user works for one estate only, else none (every estate)"""
    estates = Pool().get('res.user').get_kefu_estates()
    if len(estates) == 1:
        return estates[0]


class CompanyEstateContextMixin:
    """The company and the estate a report shows: the user's company, and
    the user's estate when they work for one only"""
    __slots__ = ()
    company = fields.Many2One(
        'company.company', "Company", required=True,
        help="The company whose figures are shown.")
    estate = fields.Many2One(
        'kefu.estate', "Estate",
        domain=[('company', '=', Eval('company', -1))],
        help="Only this estate; empty for every estate you look after.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_estate(cls):
        return default_estate()


class MonthRangeContextMixin:
    """The months a monthly report shows: the last twelve by default; any
    day picked stands for its month"""
    __slots__ = ()
    from_month = fields.Date(
        "From Month",
        domain=[
            If(Eval('from_month') & Eval('to_month'),
                ('from_month', '<=', Eval('to_month')),
                ()),
            ],
        help="The first month shown; any day of it may be picked.")
    to_month = fields.Date(
        "To Month",
        domain=[
            If(Eval('from_month') & Eval('to_month'),
                ('to_month', '>=', Eval('from_month')),
                ()),
            ],
        help="The last month shown; empty for up to now.")

    @classmethod
    def default_from_month(cls):
        "The first month of the last twelve"
        today = Pool().get('ir.date').today()
        return today.replace(day=1) - relativedelta(months=11)

    @fields.depends('from_month')
    def on_change_from_month(self):
        if self.from_month:
            self.from_month = first_day(self.from_month)

    @fields.depends('to_month')
    def on_change_to_month(self):
        if self.to_month:
            self.to_month = first_day(self.to_month)
