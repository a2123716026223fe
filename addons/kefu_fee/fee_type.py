# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The fees a property company bills (收费项目): how each is computed (per
m² of building area, fixed per unit, or metered with optional tiers
(阶梯价)), at which published rate (tax included), how often, to which
account and with which VAT."""
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from sql import Cast

from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.modules.kefu_base.model import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import FeeTypeTierError

MONTHS = {'monthly': 1, 'quarterly': 3, 'yearly': 12}


class FeeType(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Fee Type"
    __name__ = 'kefu.fee.type'

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char(
        "Name", required=True, help="The fee as residents know it, "
        "e.g. 物业服务费.")
    code = fields.Char(
        "Code", required=True, help="A short code, unique in the company.")
    kind = fields.Selection([
            ('service', "Property Service"),
            ('on_behalf', "Collected on Behalf"),
            ('garbage', "Garbage Removal"),
            ('parking', "Parking"),
            ('renovation', "Renovation"),
            ('paid_service', "Paid Service"),
            ('other', "Other"),
            ], "Kind", required=True, sort=False,
        help="Property service fees are reduced for units in custody; fees "
        "collected on behalf of others (water, electricity ...) carry no "
        "VAT and go to a liability account, not to revenue.")
    method = fields.Selection([
            ('per_area', "Per m² of Building Area"),
            ('fixed', "Fixed per Unit"),
            ('metered', "Metered"),
            ], "Method", required=True, sort=False,
        help="Per m²: the rate × the unit's building area each month; "
        "fixed: the rate per unit each month; metered: the consumption "
        "read on the unit's meter × the rate (or its tiers).")
    rate = fields.Numeric(
        "Rate", digits=(16, 4), required=True,
        help="The published rate, tax included: per m² and month, per unit "
        "and month, or per unit of consumption.")
    periodicity = fields.Selection([
            ('monthly', "Monthly"),
            ('quarterly', "Quarterly"),
            ('yearly', "Yearly"),
            ], "Periodicity", required=True, sort=False,
        help="How many months one bill covers: a quarterly fee is billed "
        "in January, April, July and October for three months.")
    account = fields.Many2One(
        'account.account', "Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('closed', '!=', True),
            ['OR',
                ('type.revenue', '=', True),
                ('type.kefu_on_behalf', '=', True)],
            ],
        help="The revenue account of the fee, or for money collected on "
        "behalf of others its liability account (其他应付款-代收).")
    tax = fields.Many2One(
        'account.tax', "VAT",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('parent', '=', None),
            ('type', '=', 'percentage'),
            ],
        states={'invisible': Eval('kind') == 'on_behalf'},
        help="The VAT included in the rate (6% general, 5% or 3% simple "
        "method, small-scale ...); empty when the fee carries no VAT.")
    custody_rate = fields.Numeric(
        "Custody Rate", digits=(16, 2), required=True,
        states={'invisible': Eval('kind') != 'service'},
        help="The share, in percent, of the property service fee that a "
        "unit in custody (托管) pays (70 by the manual).")
    meter_kind = fields.Selection([
            (None, ""),
            ('water', "Water"),
            ('electricity', "Electricity"),
            ('gas', "Gas"),
            ], "Meter", sort=False,
        states={
            'invisible': Eval('method') != 'metered',
            'required': Eval('method') == 'metered',
            },
        help="The meter whose consumption is billed.")
    tiers = fields.One2Many(
        'kefu.fee.type.tier', 'fee_type', "Tiers",
        states={'invisible': Eval('method') != 'metered'},
        help="Tiered prices (阶梯价): the consumption of a period above each "
        "threshold is billed at that tier's rate, below the first "
        "threshold at the fee's rate. Empty: everything at the fee's rate.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.company, t.code),
                'kefu_fee.msg_fee_type_code_unique'),
            ('rate_positive', Check(t, Cast(t.rate, 'NUMERIC') > 0),
                'kefu_fee.msg_fee_type_rate_positive'),
            ('custody_rate_range',
                Check(t, (Cast(t.custody_rate, 'NUMERIC') > 0)
                    & (Cast(t.custody_rate, 'NUMERIC') <= 100)),
                'kefu_fee.msg_fee_type_custody_rate'),
            ]
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'service'

    @staticmethod
    def default_method():
        return 'per_area'

    @staticmethod
    def default_periodicity():
        return 'monthly'

    @staticmethod
    def default_custody_rate():
        return Decimal(70)

    @property
    def months(self):
        return MONTHS[self.periodicity]

    def period(self, month):
        """The period (first day, last day) billed by a run of month (its
        first day), or None when no period of this fee starts then"""
        if (month.month - 1) % self.months:
            return None
        end = month + relativedelta(months=self.months, days=-1)
        return month, end

    def metered_amount(self, quantity):
        """The amount, not rounded, of quantity consumed: each slice of the
        consumption between two thresholds at its own rate"""
        steps = [(Decimal(0), self.rate)] + [
            (t.quantity_from, t.rate)
            for t in sorted(self.tiers, key=lambda t: t.quantity_from)]
        amount = Decimal(0)
        for (start, rate), (end, _) in zip(steps, steps[1:] + [(None, None)]):
            if quantity <= start:
                break
            top = quantity if end is None else min(quantity, end)
            amount += (top - start) * rate
        return amount

    @classmethod
    def validate_fields(cls, fee_types, field_names):
        super().validate_fields(fee_types, field_names)
        if field_names & {'tiers', 'method'}:
            cls.check_tiers(fee_types)

    @classmethod
    def check_tiers(cls, fee_types):
        for fee_type in fee_types:
            if fee_type.method != 'metered' and fee_type.tiers:
                raise FeeTypeTierError(gettext(
                        'kefu_fee.msg_fee_type_tier_not_metered',
                        fee_type=fee_type.rec_name))
            thresholds = [t.quantity_from for t in fee_type.tiers]
            if len(set(thresholds)) != len(thresholds):
                raise FeeTypeTierError(gettext(
                        'kefu_fee.msg_fee_type_tier_increasing',
                        fee_type=fee_type.rec_name))

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'name')


class FeeTypeTier(ModelSQL, ModelView):
    __string__ = "Fee Type Tier"
    __name__ = 'kefu.fee.type.tier'

    fee_type = fields.Many2One(
        'kefu.fee.type', "Fee Type", required=True, ondelete='CASCADE')
    quantity_from = fields.Numeric(
        "From Consumption", digits=(16, 2), required=True,
        help="The threshold: the consumption of a period above it is "
        "billed at this tier's rate, up to the next tier's threshold.")
    rate = fields.Numeric(
        "Rate", digits=(16, 4), required=True,
        help="The published price, tax included, per unit consumed in "
        "this tier.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('fee_type')
        t = cls.__table__()
        cls._sql_constraints += [
            ('quantity_from_positive',
                Check(t, Cast(t.quantity_from, 'NUMERIC') >= 0),
                'kefu_fee.msg_fee_type_tier_threshold_positive'),
            ('rate_positive', Check(t, Cast(t.rate, 'NUMERIC') > 0),
                'kefu_fee.msg_fee_type_tier_rate_positive'),
            ]
        # The tiers are listed as they apply: threshold after threshold
        cls._order = [('quantity_from', 'ASC'), ('id', 'ASC')]

    @classmethod
    def validate_fields(cls, tiers, field_names):
        super().validate_fields(tiers, field_names)
        if field_names & {'quantity_from', 'fee_type'}:
            Pool().get('kefu.fee.type').check_tiers(
                list({t.fee_type for t in tiers}))
