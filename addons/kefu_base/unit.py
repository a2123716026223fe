# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from sql import Column, Null
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .estate import check_no_history
from .exceptions import AreaError, FloorError, OccupancyError, OwnershipError
from .model import join_names, rec_name_domain

# Wide enough for any room or parking number: digit runs are padded to it
# so that the sort key orders 1-1-101 before 1-1-1001.
SORT_DIGITS = 10
PHONE_TYPES = ['phone', 'mobile']
# A phone search needs at least the last four digits, as the front desk
# asks callers for them; with dashes, a whole number, so that a unit code
# (3-2-1502) is not taken for the end of one.
PHONE_MIN_DIGITS = 4
PHONE_FULL_DIGITS = 11


def natural_key(code):
    "Return code with its digit runs zero-padded, to sort in natural order"
    if not code:
        return code
    return re.sub(
        r'\d+', lambda m: m.group().zfill(SORT_DIGITS), code.strip())


def phone_digits(text):
    "Return the digits of text if it looks like (the end of) a phone number"
    if not text or not re.fullmatch(r'[+\d\s()-]+', text):
        return None
    digits = re.sub(r'\D', '', text)
    needed = PHONE_FULL_DIGITS if '-' in text else PHONE_MIN_DIGITS
    return digits if len(digits) >= needed else None


class Unit(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Unit"
    __name__ = 'kefu.unit'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        help="The estate of the unit; unit codes are unique within it.")
    building = fields.Many2One(
        'kefu.building', "Building", required=True, ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        help="The building (楼栋) the unit is in.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="The unit number, unique within the estate, "
        "e.g. 3-2-1502 (building-entrance-room).")
    code_sort = fields.Char(
        "Code Sort Key", readonly=True,
        help="The unit number with its numbers padded with zeros, so that "
        "units sort in natural order (1-1-101 before 1-1-1001).")
    floor = fields.Integer(
        "Floor",
        help="The floor the unit is on: 1 is the ground floor, at most the "
        "building's number of floors; basements are -1, -2 and so on.")
    usage = fields.Selection([
            ('residential', "Residential"),
            ('commercial', "Commercial"),
            ('parking', "Parking"),
            ('other', "Other"),
            ], "Usage", required=True, sort=False,
        help="What the unit is used for.")
    building_area = fields.Numeric(
        "Building Area", digits=(16, 2), required=True,
        help="The building area (建筑面积) in m² from the title survey; "
        "fees are billed on it. Only the office manager can change it.")
    inner_area = fields.Numeric(
        "Inner Area", digits=(16, 2),
        help="The inner area (套内面积) in m²; it cannot exceed the "
        "building area. Only the office manager can change it.")
    delivery_state = fields.Selection([
            ('unsold', "Unsold"),
            ('sold', "Sold"),
            ('handed_over', "Handed Over"),
            ], "Delivery", required=True, sort=False,
        help="Where the unit stands in its sale: unsold, sold, or handed "
        "over (交房) to its owner. Set by the title-deed team or the "
        "office manager.")
    occupancy = fields.Selection([
            (None, ""),
            ('occupied', "Occupied"),
            ('vacant', "Vacant"),
            ('in_custody', "In Custody"),
            ], "Occupancy", sort=False,
        states={
            'invisible': Eval('delivery_state') != 'handed_over',
            'required': Eval('delivery_state') == 'handed_over',
            },
        help="Whether somebody lives in a unit handed over: occupied, "
        "vacant, or in custody (托管, looked after by the management "
        "office for the owner). Empty until the unit is handed over.")
    occupancy_string = occupancy.translated('occupancy')
    ownerships = fields.One2Many(
        'kefu.unit.ownership', 'unit', "Ownerships",
        help="The dated history of the unit's owners and their shares.")
    residents = fields.One2Many(
        'kefu.unit.resident', 'unit', "Residents",
        help="The people living in the unit: family, tenants and others.")
    owner_names = fields.Function(
        fields.Char("Owners", help="The names of today's owners."),
        'get_owner_names', searcher='search_owner_names')
    logs = fields.One2Many(
        'kefu.unit.log', 'unit', "Changes", readonly=True,
        help="Every change of the delivery, the occupancy and the areas, "
        "with when and by whom.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('estate_code_unique', Unique(t, t.estate, t.code),
                'kefu_base.msg_unit_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.building, Index.Range()), (t.code, Index.Range())),
                Index(t, (t.estate, Index.Range()),
                    (t.code_sort, Index.Range())),
                Index(t, (t.estate, Index.Equality()),
                    (t.delivery_state, Index.Equality()),
                    (t.occupancy, Index.Equality())),
                Index(t, (t.code, Index.Similarity(cardinality='high'))),
                })
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table_h = cls.__table_handler__(module)
        if table_h.column_exist('state'):
            cls._migrate_state(table_h)
        cls._fill_code_sort()

    @classmethod
    def _migrate_state(cls, table_h):
        "Split the state of before 2026-12 into delivery and occupancy"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        state = Column(table, 'state')
        table_h.not_null_action('state', 'remove')
        # 'handed_over' then meant handed over but not moved in: vacant
        cursor.execute(*table.update(
                [table.delivery_state, table.occupancy],
                [Case((state.in_(['unsold', 'sold']), state),
                        else_='handed_over'),
                    Case((state.in_(['occupied', 'in_custody']), state),
                        (state.in_(['handed_over', 'vacant']), 'vacant'),
                        else_=Null)],
                where=state != Null))
        # The column is kept, emptied, as Tryton keeps obsolete columns
        cursor.execute(*table.update([state], [Null], where=state != Null))

    @classmethod
    def _fill_code_sort(cls):
        "Compute the sort key of the units registered before it existed"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(
                table.id, table.code, where=table.code_sort == Null))
        for id_, code in cursor.fetchall():
            cursor.execute(*table.update(
                    [table.code_sort], [natural_key(code)],
                    where=table.id == id_))

    @staticmethod
    def order_code(tables):
        table, _ = tables[None]
        return [table.code_sort, table.code]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'code' in values:
            values['code_sort'] = natural_key(values['code'])
        return values

    @staticmethod
    def default_usage():
        return 'residential'

    @staticmethod
    def default_delivery_state():
        return 'unsold'

    @fields.depends('building', '_parent_building.estate')
    def on_change_building(self):
        if self.building:
            self.estate = self.building.estate

    @fields.depends('delivery_state', 'occupancy')
    def on_change_delivery_state(self):
        if self.delivery_state != 'handed_over':
            self.occupancy = None
        elif not self.occupancy:
            # A unit just handed over is empty until the owner moves in
            self.occupancy = 'vacant'

    def get_rec_name(self, name):
        return '%s %s' % (self.estate.name, self.code)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        domain = rec_name_domain(clause, 'code', 'estate.name')
        if (domain[0] == 'AND' or not isinstance(operand, str)
                or operator not in {'like', 'ilike', '='}):
            return domain
        text = operand.strip('%').strip()
        return domain + cls._search_estate_and_code(text) + [
            ('ownerships', 'where', [
                    ('party', 'where', cls._party_domain(text)),
                    *Pool().get('kefu.unit.ownership').period_domain()]),
            ('residents', 'where', [
                    ('party', 'where', cls._party_domain(text)),
                    *Pool().get('kefu.unit.resident').period_domain()]),
            ]

    @classmethod
    def _search_estate_and_code(cls, text):
        "The units named as they are shown: estate name, a space, code"
        if ' ' not in text:
            return []
        estate, code = text.rsplit(' ', 1)
        return [[('estate.name', 'ilike', '%' + estate.strip() + '%'),
                ('code', 'ilike', '%' + code + '%')]]

    @classmethod
    def _party_domain(cls, text):
        "The people whose name contains text or whose phone ends with it"
        domain = ['OR', ('name', 'ilike', '%' + text + '%')]
        digits = phone_digits(text)
        if digits:
            domain.append(('contact_mechanisms', 'where', [
                        ('type', 'in', PHONE_TYPES),
                        ['OR',
                            ('value_compact', 'like', '%' + digits),
                            ('value', 'ilike', '%' + text)],
                        ]))
        return domain

    @classmethod
    def get_owner_names(cls, units, name):
        pool = Pool()
        Ownership = pool.get('kefu.unit.ownership')
        names = {u.id: [] for u in units}
        for ownership in Ownership.search(
                Ownership.current_domain([u.id for u in units]),
                order=[('unit', 'ASC'), ('share', 'DESC'), ('id', 'ASC')]):
            names[ownership.unit.id].append(ownership.party.rec_name)
        return {u: join_names(n) for u, n in names.items()}

    @classmethod
    def search_owner_names(cls, name, clause):
        Ownership = Pool().get('kefu.unit.ownership')
        return [('ownerships', 'where', [
                    ('party.rec_name', *clause[1:]),
                    *Ownership.period_domain(),
                    ])]

    @classmethod
    def validate_fields(cls, units, field_names):
        super().validate_fields(units, field_names)
        if field_names & {'building_area', 'inner_area'}:
            cls.check_areas(units)
        if field_names & {'floor', 'building'}:
            cls.check_floors(units)
        if field_names & {'delivery_state', 'occupancy'}:
            cls.check_occupancy(units)
        if 'ownerships' in field_names:
            # Saved with its ownerships, the unit is checked as a whole
            # once every period of the change is in place.
            cls.check_ownerships(units)

    @classmethod
    def check_areas(cls, units):
        for unit in units:
            if unit.building_area is None or unit.building_area <= 0:
                raise AreaError(gettext(
                        'kefu_base.msg_unit_building_area_positive',
                        unit=unit.code))
            if unit.inner_area is not None:
                if unit.inner_area <= 0:
                    raise AreaError(gettext(
                            'kefu_base.msg_unit_inner_area_positive',
                            unit=unit.code))
                if unit.inner_area > unit.building_area:
                    raise AreaError(gettext(
                            'kefu_base.msg_unit_inner_area_exceeds',
                            unit=unit.code,
                            inner_area=unit.inner_area,
                            building_area=unit.building_area))

    @classmethod
    def check_floors(cls, units):
        for unit in units:
            if unit.floor == 0:
                raise FloorError(gettext(
                        'kefu_base.msg_unit_floor_zero', unit=unit.rec_name))
            floors = unit.building.floors
            if unit.floor is not None and floors and unit.floor > floors:
                raise FloorError(gettext(
                        'kefu_base.msg_unit_floor_above',
                        unit=unit.rec_name, floor=unit.floor,
                        building=unit.building.rec_name, floors=floors))

    @classmethod
    def check_occupancy(cls, units):
        for unit in units:
            if unit.occupancy and unit.delivery_state != 'handed_over':
                raise OccupancyError(gettext(
                        'kefu_base.msg_unit_occupancy_not_handed_over',
                        unit=unit.rec_name,
                        occupancy=unit.occupancy_string))

    @classmethod
    def check_ownerships(cls, units, complete=True):
        """Check that no owner's periods overlap and that the shares of the
        owners on every date the unit has owners sum to 100 (complete) or
        at least do not exceed it."""
        pool = Pool()
        Ownership = pool.get('kefu.unit.ownership')
        by_unit = defaultdict(list)
        for ownership in Ownership.search(
                [('unit', 'in', [u.id for u in units])],
                order=[('unit', 'ASC'), ('date_from', 'ASC')]):
            by_unit[ownership.unit].append(ownership)
        for unit, ownerships in by_unit.items():
            cls._check_overlap(unit, ownerships)
            cls._check_shares(unit, ownerships, complete)

    @classmethod
    def _check_overlap(cls, unit, ownerships):
        by_party = defaultdict(list)
        for ownership in ownerships:
            by_party[ownership.party].append(ownership)
        for party, periods in by_party.items():
            for previous, following in zip(periods, periods[1:]):
                if (previous.date_to is None
                        or previous.date_to >= following.date_from):
                    raise OwnershipError(gettext(
                            'kefu_base.msg_ownership_overlap',
                            unit=unit.rec_name, party=party.rec_name,
                            date=following.date_from))

    @classmethod
    def _check_shares(cls, unit, ownerships, complete):
        dates = {o.date_from for o in ownerships}
        dates.update(
            o.date_to + dt.timedelta(days=1)
            for o in ownerships if o.date_to)
        for date in sorted(dates):
            total = sum(
                (o.share for o in ownerships if o.is_current(date)),
                Decimal(0))
            if total > 100 or (complete and total and total != 100):
                raise OwnershipError(gettext(
                        'kefu_base.msg_ownership_shares',
                        unit=unit.rec_name, date=date,
                        total='{:f}'.format(total.normalize())))

    @classmethod
    def on_write(cls, units, values):
        callbacks = super().on_write(units, values)
        Log = Pool().get('kefu.unit.log')
        names = [n for n in Log.tracked_fields() if n in values]
        if names:
            before = {r['id']: r for r in cls.read([u.id for u in units],
                    names)}
            callbacks.append(lambda: Log.record(cls, before, names))
        return callbacks

    @classmethod
    def _history_links(cls):
        "The (model, field) pairs whose records are the unit's history."
        return [
            ('kefu.unit.ownership', 'unit'),
            ('kefu.unit.resident', 'unit'),
            ('kefu.unit.log', 'unit'),
            ('kefu.key', 'unit'),
            ]

    @classmethod
    def check_modification(cls, mode, units, values=None, external=False):
        super().check_modification(
            mode, units, values=values, external=external)
        if mode == 'delete':
            check_no_history(
                units, cls._history_links(),
                'kefu_base.msg_unit_delete_history')
