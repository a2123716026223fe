# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Which unit pays which fee from when to when (房屋收费项目), and by whom:
the unit's owners on the period's first day by default, or a tenant or a
company named on it.  compute() is the one place a charge's figures come
from.  A unit fee that was billed is never deleted nor moved to another
unit or fee: it is ended (date_to) and its bills credited if wrong."""
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from trytond.modules.kefu_base.model import rec_name_domain
from trytond.modules.kefu_base.today import boolean_searcher, today

from .exceptions import ChargeError, UnitFeeBilledError, UnitFeeError

CENT = Decimal('0.01')
# Changing these on a billed unit fee would rewrite what its bills say
BILLED_FIELDS = {'company', 'unit', 'fee_type', 'date_from'}


def round_half_up(amount):
    "Round to the cent the Chinese way (四舍五入), not half to even"
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class UnitFee(ModelSQL, ModelView):
    __string__ = "Unit Fee"
    __name__ = 'kefu.unit.fee'

    company = fields.Many2One('company.company', "Company", required=True)
    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=[('estate.company', '=', Eval('company', -1))],
        help="The unit that pays the fee.")
    estate = fields.Function(fields.Many2One(
            'kefu.estate', "Estate", help="The estate of the unit."),
        'on_change_with_estate', searcher='search_estate')
    fee_type = fields.Many2One(
        'kefu.fee.type', "Fee Type", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The fee the unit pays.")
    date_from = fields.Date(
        "From", required=True,
        domain=[If(Eval('date_to'), ('date_from', '<=', Eval('date_to')),
                ())],
        help="The first day the unit pays the fee; a period started later "
        "is billed for its days only.")
    date_to = fields.Date(
        "To",
        domain=[If(Eval('date_to'), ('date_to', '>=', Eval('date_from')),
                ())],
        help="The last day the unit pays the fee; empty while it lasts. "
        "To stop a fee, set this date: a billed fee is never deleted.")
    ended = fields.Function(fields.Boolean(
            "Ended", help="The fee's last day is before today."),
        'get_ended', searcher='search_ended')
    payer = fields.Many2One(
        'party.party', "Payer",
        help="Who pays when it is not the unit's owners, such as a tenant "
        "or a company; empty: the owner on the first day of each period.")
    meter_kind = fields.Function(fields.Char("Meter Kind"),
        'on_change_with_meter_kind')
    meter = fields.Many2One(
        'kefu.meter', "Meter",
        domain=[
            ('unit', '=', Eval('unit', -1)),
            If(Bool(Eval('meter_kind')),
                ('kind', '=', Eval('meter_kind')), ()),
            ],
        states={
            'invisible': ~Eval('meter_kind'),
            'required': Bool(Eval('meter_kind')),
            },
        help="The meter whose consumption a metered fee bills.")

    def get_ended(self, name):
        return bool(self.date_to and self.date_to < today())

    search_ended = boolean_searcher(
        lambda date: [('date_to', '<', date)],
        lambda date: ['OR', ('date_to', '=', None), ('date_to', '>=', date)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('unit', 'ASC'), ('fee_type', 'ASC'),
            ('date_from', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('unit.estate' + clause[0][len(name):], *clause[1:])]

    @fields.depends('fee_type', '_parent_fee_type.meter_kind')
    def on_change_with_meter_kind(self, name=None):
        return self.fee_type.meter_kind if self.fee_type else None

    @fields.depends('meter', 'unit')
    def on_change_unit(self):
        if self.meter and self.meter.unit != self.unit:
            self.meter = None

    def get_rec_name(self, name):
        return '%s - %s' % (self.unit.rec_name, self.fee_type.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'unit.rec_name', 'fee_type.rec_name')

    def covered(self, start, end):
        "The days of [start, end] the unit pays for, as (first, last)"
        first = max(start, self.date_from)
        last = min(end, self.date_to) if self.date_to else end
        if first > last:
            return None
        return first, last

    def get_payer(self, date):
        """The payer on date: the one named, else the owner with the
        largest share (the earliest one on a tie)"""
        if self.payer:
            return self.payer
        Ownership = Pool().get('kefu.unit.ownership')
        ownerships = Ownership.search(
            Ownership.current_domain([self.unit.id], date),
            order=[('share', 'DESC'), ('date_from', 'ASC'), ('id', 'ASC')],
            limit=1)
        if not ownerships:
            raise ChargeError(gettext(
                    'kefu_fee.msg_unit_fee_no_payer',
                    unit=self.unit.rec_name, date=date))
        return ownerships[0].party

    def compute(self, start, end):
        """Return the values of the charge of the period [start, end], or
        None when nothing is owed (outside the dates, nothing consumed)"""
        covered = self.covered(start, end)
        if not covered:
            return None
        fee_type = self.fee_type
        days = Decimal((covered[1] - covered[0]).days + 1)
        share = days / Decimal((end - start).days + 1)
        custody = Decimal(1)
        if (fee_type.kind == 'service'
                and self.unit.occupancy == 'in_custody'):
            custody = fee_type.custody_rate / 100
        area = None
        if fee_type.method == 'per_area':
            area = self.unit.building_area
            quantity = area * fee_type.months * share
            gross = fee_type.rate * quantity * custody
        elif fee_type.method == 'fixed':
            quantity = fee_type.months * share
            gross = fee_type.rate * quantity * custody
        else:
            if not self.meter:
                raise ChargeError(gettext(
                        'kefu_fee.msg_unit_fee_no_meter',
                        unit_fee=self.rec_name))
            quantity = self.meter.consumption(*covered)
            gross = fee_type.metered_amount(quantity)
        amount = round_half_up(gross)
        if amount <= 0:
            return None
        return {
            'company': self.company.id,
            'unit': self.unit.id,
            'estate': self.unit.estate.id,
            'building': self.unit.building.id if self.unit.building else None,
            'unit_fee': self.id,
            'fee_type': fee_type.id,
            'period_start': start,
            'period_end': end,
            'payer': self.get_payer(covered[0]).id,
            'area': area,
            'rate': fee_type.rate,
            'custody_share': custody,
            'quantity': quantity.quantize(Decimal('0.0001')),
            'amount': amount,
            'tax': fee_type.tax.id if fee_type.tax else None,
            'description': self.charge_description(start, end),
            }

    def charge_description(self, start, end):
        return '%s %s %s~%s' % (
            self.fee_type.name, self.unit.rec_name,
            start.strftime('%Y-%m-%d'), end.strftime('%Y-%m-%d'))

    @classmethod
    def validate_fields(cls, unit_fees, field_names):
        super().validate_fields(unit_fees, field_names)
        if field_names & {'unit', 'fee_type', 'date_from', 'date_to'}:
            cls.check_overlap(unit_fees)

    @classmethod
    def check_overlap(cls, unit_fees):
        "A unit pays a fee once: its periods of one fee never overlap"
        keys = {(f.unit.id, f.fee_type.id) for f in unit_fees}
        periods = defaultdict(list)
        for sub_ids in grouped_slice(list({k[0] for k in keys})):
            for unit_fee in cls.search([
                        ('unit', 'in', list(sub_ids)),
                        ('fee_type', 'in', list({k[1] for k in keys})),
                        ], order=[('date_from', 'ASC'), ('id', 'ASC')]):
                key = (unit_fee.unit.id, unit_fee.fee_type.id)
                if key in keys:
                    periods[key].append(unit_fee)
        for fees in periods.values():
            for previous, following in zip(fees, fees[1:]):
                if (previous.date_to is None
                        or previous.date_to >= following.date_from):
                    raise UnitFeeError(gettext(
                            'kefu_fee.msg_unit_fee_overlap',
                            unit=following.unit.rec_name,
                            fee_type=following.fee_type.rec_name,
                            date=following.date_from))

    @classmethod
    def billed_until(cls, unit_fee):
        "The end of the last period of unit_fee billed and not cancelled"
        Charge = Pool().get('kefu.fee.charge')
        charges = Charge.search([
                ('unit_fee', '=', unit_fee.id),
                ('state', '!=', 'cancelled'),
                ], order=[('period_end', 'DESC')], limit=1)
        return charges[0].period_end if charges else None

    @classmethod
    def check_modification(cls, mode, unit_fees, values=None,
            external=False):
        super().check_modification(
            mode, unit_fees, values=values, external=external)
        if mode == 'delete':
            cls.check_billed_delete(unit_fees)
        elif mode == 'write':
            cls.check_billed_write(unit_fees, values)

    @classmethod
    def check_billed_delete(cls, unit_fees):
        Charge = Pool().get('kefu.fee.charge')
        for sub_ids in grouped_slice([f.id for f in unit_fees]):
            charges = Charge.search(
                [('unit_fee', 'in', list(sub_ids))], limit=1)
            if charges:
                raise UnitFeeBilledError(gettext(
                        'kefu_fee.msg_unit_fee_billed_delete',
                        unit_fee=charges[0].unit_fee.rec_name))

    @classmethod
    def check_billed_write(cls, unit_fees, values):
        changed = BILLED_FIELDS & values.keys()
        if not changed and 'date_to' not in values:
            return
        for unit_fee in unit_fees:
            billed = cls.billed_until(unit_fee)
            if not billed:
                continue
            if changed:
                raise UnitFeeBilledError(gettext(
                        'kefu_fee.msg_unit_fee_billed_change',
                        unit_fee=unit_fee.rec_name, date=billed))
            if values['date_to'] and values['date_to'] < billed:
                raise UnitFeeBilledError(gettext(
                        'kefu_fee.msg_unit_fee_billed_end',
                        unit_fee=unit_fee.rec_name, date=billed))


class Unit(metaclass=PoolMeta):
    __name__ = 'kefu.unit'

    fees = fields.One2Many(
        'kefu.unit.fee', 'unit', "Fees", readonly=True,
        help="The fees the unit pays or paid, with their dates.")
    meters = fields.One2Many(
        'kefu.meter', 'unit', "Meters", readonly=True,
        help="The water, electricity and gas meters of the unit.")
    owed = fields.Function(
        fields.Numeric(
            "Owed", digits=(16, 2),
            help="What the unit's posted bills still owe for it (欠费): "
            "its unpaid charges, whoever pays them."),
        'get_owed')
    unpaid_charges = fields.Function(
        fields.Many2Many(
            'kefu.fee.charge', None, None, "Unpaid Charges", readonly=True,
            help="The unit's charges on posted bills not paid in full, "
            "oldest first."),
        'get_owed')

    @classmethod
    def get_owed(cls, units, names):
        """What the unit owes and its unpaid charges, read in one query for
        all units; nothing for a user who may not read the charges"""
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        ModelAccess = pool.get('ir.model.access')
        result = {n: {u.id: None if n == 'owed' else [] for u in units}
            for n in names}
        # Function fields are computed without access checks: ask the
        # user's groups
        if (Transaction().user
                and not ModelAccess.get_access(
                    ['kefu.fee.charge'])['kefu.fee.charge']['read']):
            return result
        owed = defaultdict(Decimal)
        charges = defaultdict(list)
        charge = Charge.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([u.id for u in units]):
            cursor.execute(*charge.select(
                    charge.unit, charge.id, charge.amount,
                    charge.paid_amount,
                    where=charge.unit.in_(list(sub_ids))
                    & (charge.state == 'posted'),
                    order_by=[charge.unit, charge.period_start.asc,
                        charge.id.asc]))
            for unit_id, charge_id, amount, paid in cursor:
                # Summed as decimals: SQLite would add them as floats
                owed[unit_id] += (
                    Decimal(str(amount)) - Decimal(str(paid or 0)))
                charges[unit_id].append(charge_id)
        if 'owed' in names:
            result['owed'] = {
                u.id: owed[u.id].quantize(CENT) for u in units}
        if 'unpaid_charges' in names:
            result['unpaid_charges'] = {u.id: charges[u.id] for u in units}
        return result

    @classmethod
    def _history_links(cls):
        return super()._history_links() + [
            ('kefu.unit.fee', 'unit'),
            ('kefu.meter', 'unit'),
            ]


class SubscribeStart(ModelView):
    __string__ = "Subscribe Units"
    __name__ = 'kefu.unit.fee.subscribe.start'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    fee_type = fields.Many2One(
        'kefu.fee.type', "Fee Type", required=True,
        domain=[('company', '=', Eval('company', -1))],
        help="The fee the units will pay.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True,
        domain=[('company', '=', Eval('company', -1))],
        help="The estate whose units will pay the fee.")
    buildings = fields.Many2Many(
        'kefu.building', None, None, "Buildings",
        domain=[('estate', '=', Eval('estate', -1))],
        help="Only the units of these buildings; empty: every building "
        "of the estate.")
    date_from = fields.Date(
        "From", required=True,
        help="The first day the units pay the fee.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('estate', 'buildings')
    def on_change_estate(self):
        self.buildings = [
            b for b in (self.buildings or []) if b.estate == self.estate]


class SubscribeDone(ModelView):
    __string__ = "Subscribe Units Result"
    __name__ = 'kefu.unit.fee.subscribe.done'

    created = fields.Integer(
        "Subscribed", readonly=True,
        help="The units that now pay the fee from the date.")
    already = fields.Integer(
        "Already Subscribed", readonly=True,
        help="The units skipped because they already pay this fee on or "
        "after the date.")
    no_meter = fields.Integer(
        "Without Meter", readonly=True,
        help="The units skipped because they have no active meter of the "
        "fee's kind: add the meter, then subscribe them again.")


# 批量开通收费项目: the units handed over of an estate start paying a fee
class Subscribe(Wizard):
    __string__ = "Subscribe Units"
    __name__ = 'kefu.unit.fee.subscribe'

    start = StateView('kefu.unit.fee.subscribe.start',
        'kefu_fee.unit_fee_subscribe_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Subscribe", 'subscribe', 'tryton-ok', default=True),
            ])
    subscribe = StateTransition()
    done = StateView('kefu.unit.fee.subscribe.done',
        'kefu_fee.unit_fee_subscribe_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def units(self):
        "The units handed over of the estate (and buildings) chosen"
        Unit = Pool().get('kefu.unit')
        domain = [
            ('estate', '=', self.start.estate.id),
            ('delivery_state', '=', 'handed_over'),
            ]
        if self.start.buildings:
            domain.append(
                ('building', 'in', [b.id for b in self.start.buildings]))
        return Unit.search(domain)

    def subscribed(self, units):
        "The ids of units paying the fee on or after the date"
        UnitFee = Pool().get('kefu.unit.fee')
        ids = set()
        for sub_ids in grouped_slice([u.id for u in units]):
            ids.update(f.unit.id for f in UnitFee.search([
                        ('unit', 'in', list(sub_ids)),
                        ('fee_type', '=', self.start.fee_type.id),
                        ['OR',
                            ('date_to', '=', None),
                            ('date_to', '>=', self.start.date_from)],
                        ]))
        return ids

    def meters(self, units):
        "The active meter of the fee's kind of each unit, the newest"
        Meter = Pool().get('kefu.meter')
        meters = {}
        for sub_ids in grouped_slice([u.id for u in units]):
            for meter in Meter.search([
                        ('unit', 'in', list(sub_ids)),
                        ('kind', '=', self.start.fee_type.meter_kind),
                        ], order=[('id', 'ASC')]):
                meters[meter.unit.id] = meter.id
        return meters

    def transition_subscribe(self):
        UnitFee = Pool().get('kefu.unit.fee')
        fee_type = self.start.fee_type
        units = self.units()
        subscribed = self.subscribed(units)
        metered = fee_type.method == 'metered'
        meters = self.meters(units) if metered else {}
        vlist, no_meter = [], 0
        for unit in units:
            if unit.id in subscribed:
                continue
            if metered and unit.id not in meters:
                no_meter += 1
                continue
            vlist.append({
                    'company': self.start.company.id,
                    'unit': unit.id,
                    'fee_type': fee_type.id,
                    'date_from': self.start.date_from,
                    'meter': meters.get(unit.id),
                    })
        UnitFee.create(vlist)
        self.done.created = len(vlist)
        self.done.already = len(subscribed)
        self.done.no_meter = no_meter
        return 'done'

    def default_done(self, fields):
        return {
            'created': self.done.created,
            'already': self.done.already,
            'no_meter': self.done.no_meter,
            }
