# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The age of the money deposits hold (押金账龄).

A deposit is aged from its date, the day its money was first received,
while it is open and holds money.  The aging report counts the open
deposits of each estate and kind and what they hold in the buckets of the
arrears report (0–3, 3–6, 6–12 and over 12 months); the deposit list shows
each deposit's age in days and a tab of the deposits held a year or more.
Both age at today from ir.date (the company's time zone), or at the
report's date."""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.kefu_base.report import CompanyEstateContextMixin
from trytond.modules.kefu_base.today import boolean_searcher, today
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from .arrears import BUCKETS
from .deposit import DIRECTIONS, _num

# The months from which a deposit is in the last bucket: a year or more
YEAR = BUCKETS[-1][1]
# The comparison of the date that each comparison of the age asks for:
# older is earlier
AGE_DATE_OPERATORS = {
    '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=',
    'in': 'in', 'not in': 'not in',
    }


def months_before(date, months):
    return date - relativedelta(months=months)


class Deposit(metaclass=PoolMeta):
    __name__ = 'kefu.deposit'

    age = fields.Function(
        fields.Integer(
            "Age (Days)",
            help="The days since the money was first received, while the "
            "deposit holds money."),
        'get_age', searcher='search_age')
    held_over_year = fields.Function(
        fields.Boolean(
            "Held over 1 Year",
            help="The deposit still holds money received a year ago or "
            "more (the last bucket of the deposit aging)."),
        'get_held_over_year', searcher='search_held_over_year')

    @property
    def holds_money(self):
        return bool(self.state == 'open' and self.date and self.held
            and self.held > 0)

    def get_age(self, name):
        if self.holds_money:
            return (today() - self.date).days

    @classmethod
    def _holding_domain(cls):
        return [('state', '=', 'open'), ('held', '>', 0),
            ('date', '!=', None)]

    @classmethod
    def search_age(cls, name, clause):
        """age op n as a clause on the date n days before today; no age
        when no money is held"""
        _, operator, value = clause[:3]
        if value is None and operator in {'=', '!='}:
            holding = cls._holding_domain()
            if operator == '!=':
                return holding
            return ['OR', ('state', '!=', 'open'), ('held', '<=', 0),
                ('date', '=', None)]
        date = today()
        if operator in {'in', 'not in'}:
            value = [date - dt.timedelta(days=int(v))
                for v in value if v is not None]
        else:
            value = date - dt.timedelta(days=int(value))
        return cls._holding_domain() + [
            ('date', AGE_DATE_OPERATORS[operator], value)]

    def get_held_over_year(self, name):
        return bool(self.holds_money
            and self.date <= months_before(today(), YEAR))

    search_held_over_year = boolean_searcher(
        lambda date: [
            ('state', '=', 'open'), ('held', '>', 0),
            ('date', '<=', months_before(date, YEAR))],
        lambda date: ['OR', ('state', '!=', 'open'), ('held', '<=', 0),
            ('date', '=', None), ('date', '>', months_before(date, YEAR))])


class DepositAging(ModelSQL, ModelView):
    """Deposit aging (押金账龄).

    One row per company, estate and kind of deposit: how many open
    deposits hold money and how much they hold, in the bucket of the
    months between each deposit's date (the money first received) and the
    date of the report (the context's "date", today by default).  The
    money is what the deposits hold now; deposits dated after the report's
    date are left out."""
    __string__ = "Deposit Aging"
    __name__ = 'kefu.deposit.aging'

    company = fields.Many2One(
        'company.company', "Company", readonly=True)
    estate = fields.Many2One(
        'kefu.estate', "Estate", readonly=True)
    kind = fields.Many2One(
        'kefu.deposit.kind', "Kind", readonly=True,
        help="What the money is held for.")
    direction = fields.Selection(
        DIRECTIONS, "Direction", readonly=True,
        help="Held by us for the parties, or held by banks for us.")
    oldest_date = fields.Date(
        "Held Since", readonly=True,
        help="The date of the oldest deposit still holding money.")
    count_0_3 = fields.Integer(
        "0–3 Months (Deposits)", readonly=True,
        help="The deposits received less than 3 months ago.")
    held_0_3 = fields.Numeric(
        "0–3 Months (Held)", digits=(16, 2), readonly=True,
        help="Held by the deposits received less than 3 months ago.")
    count_3_6 = fields.Integer(
        "3–6 Months (Deposits)", readonly=True,
        help="The deposits received 3 to 6 months ago.")
    held_3_6 = fields.Numeric(
        "3–6 Months (Held)", digits=(16, 2), readonly=True,
        help="Held by the deposits received 3 to 6 months ago.")
    count_6_12 = fields.Integer(
        "6–12 Months (Deposits)", readonly=True,
        help="The deposits received 6 to 12 months ago.")
    held_6_12 = fields.Numeric(
        "6–12 Months (Held)", digits=(16, 2), readonly=True,
        help="Held by the deposits received 6 to 12 months ago.")
    count_12 = fields.Integer(
        "Over 12 Months (Deposits)", readonly=True,
        help="The deposits received 12 months ago or more.")
    held_12 = fields.Numeric(
        "Over 12 Months (Held)", digits=(16, 2), readonly=True,
        help="Held by the deposits received 12 months ago or more.")
    deposits = fields.Integer(
        "Deposits", readonly=True,
        help="All the open deposits of the estate and kind holding money.")
    held = fields.Numeric(
        "Total Held", digits=(16, 2), readonly=True,
        help="Everything the deposits of the estate and kind hold.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # No __access__ on the estate: Tryton grants a model the best of
        # its own access and its __access__ models', and everybody reads
        # the estates.  Finance and the office managers, who read this,
        # see every estate of their companies.
        cls._order = [
            ('estate', 'ASC'), ('kind', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        deposit = Pool().get('kefu.deposit').__table__()
        date = cls._date()
        groups = [deposit.company, deposit.estate, deposit.kind,
            deposit.direction]
        columns = []
        for i, (name, _) in enumerate(BUCKETS):
            suffix = name[len('open_'):]
            in_bucket = cls._in_bucket(deposit, date, i)
            columns.append(Count(Case((in_bucket, deposit.id))).as_(
                    'count_' + suffix))
            columns.append(cls.held.sql_cast(Round(Sum(Case(
                                (in_bucket, deposit.held),
                                else_=Literal(0))), 2)).as_(
                    'held_' + suffix))
        return deposit.select(
            # Each deposit is in one group: the smallest id is unique.
            Min(deposit.id).as_('id'),
            *(c.as_(c.name) for c in groups),
            Min(deposit.date).as_('oldest_date'),
            *columns,
            Count(deposit.id).as_('deposits'),
            cls.held.sql_cast(Round(Sum(deposit.held), 2)).as_('held'),
            where=(deposit.state == 'open') & (_num(deposit.held) > 0)
            & (deposit.date != Null) & (deposit.date <= date),
            group_by=groups)

    @classmethod
    def _date(cls):
        return Transaction().context.get('date') or today()

    @classmethod
    def _in_bucket(cls, deposit, date, index):
        "Whether the deposit's date is in the index-th bucket at date"
        _, months = BUCKETS[index]
        condition = deposit.date <= months_before(date, months)
        if index + 1 < len(BUCKETS):
            _, next_months = BUCKETS[index + 1]
            condition &= deposit.date > months_before(date, next_months)
        return condition

    def get_rec_name(self, name):
        return '%s - %s' % (self.estate.rec_name, self.kind.rec_name)

    @classmethod
    def deposits_domain(cls, rows):
        "The domain of the deposits counted in rows"
        return [
            ('state', '=', 'open'), ('held', '>', 0),
            ('date', '<=', cls._date()),
            ['OR'] + [
                [('estate', '=', r.estate.id), ('kind', '=', r.kind.id)]
                for r in rows],
            ]


class DepositAgingContext(CompanyEstateContextMixin, ModelView):
    __string__ = "Deposit Aging Context"
    __name__ = 'kefu.deposit.aging.context'

    kind = fields.Many2One(
        'kefu.deposit.kind', "Kind",
        help="Only this kind of deposit; empty for every kind.")
    direction = fields.Selection(
        [(None, "")] + DIRECTIONS, "Direction",
        help="Only the money held by us, or only our money held by banks "
        "(the totals of both together add up different things); empty "
        "for both.")
    date = fields.Date(
        "Date", required=True,
        help="The day the deposits are aged at: the deposits received by "
        "then, aged from their date to that day, with what they hold now.")

    @classmethod
    def default_date(cls):
        return today()


class DepositAgingOpen(Wizard):
    "Open the deposits counted in rows of the deposit aging"
    __name__ = 'kefu.deposit.aging.open'
    start_state = 'open_'
    _readonly = True
    open_ = StateAction('kefu_fee.act_deposit_form')

    def do_open_(self, action):
        Aging = Pool().get('kefu.deposit.aging')
        action['name'] = '%s (%s)' % (action['name'],
            ', '.join(r.rec_name for r in self.records))
        action['pyson_domain'] = PYSONEncoder().encode(
            Aging.deposits_domain(self.records))
        return action, {}
