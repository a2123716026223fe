# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Register reports computed in SQL over the whole register."""
from sql import Cast, Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce, NullIf
from sql.functions import Abs, Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If


class BuildingAreaBalance(ModelSQL, ModelView):
    "Area balance of a building: the units' areas against the survey"
    __string__ = "Building Area Balance"
    __name__ = 'kefu.building.area_balance'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True)
    building = fields.Many2One('kefu.building', "Building", readonly=True)
    unit_count = fields.Integer(
        "Units", readonly=True, help="The number of active units.")
    surveyed_area = fields.Numeric(
        "Surveyed Area", digits=(16, 2), readonly=True,
        help="The building's total area from the survey (总产权面积).")
    units_area = fields.Numeric(
        "Units' Area", digits=(16, 2), readonly=True,
        help="The sum of the building areas of the active units "
        "(分户产权面积之和).")
    inner_area = fields.Numeric(
        "Units' Inner Area", digits=(16, 2), readonly=True,
        help="The sum of the inner areas of the active units.")
    difference = fields.Numeric(
        "Difference", digits=(16, 2), readonly=True,
        help="The units' area minus the surveyed area; "
        "anything but zero must be explained or corrected.")
    balanced = fields.Boolean(
        "Balanced", readonly=True,
        help="Whether the units' area equals the surveyed area.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [('estate', 'ASC'), ('building', 'ASC'), ('id', 'ASC')]

    @classmethod
    def view_attributes(cls):
        # PYSON in a view attribute must be encoded from Python: as text in
        # the XML it reaches the web client raw and breaks the list.
        return super().view_attributes() + [
            ('/tree/field[@name="difference"]', 'visual',
                If(Eval('balanced', True), '', 'danger')),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        building = pool.get('kefu.building').__table__()
        unit = pool.get('kefu.unit').__table__()
        units = unit.select(
            unit.building,
            Count(unit.id).as_('count'),
            Sum(unit.building_area).as_('area'),
            Sum(Coalesce(unit.inner_area, 0)).as_('inner'),
            where=unit.active == Literal(True),
            group_by=[unit.building])
        units_area = Coalesce(units.area, 0)
        difference = units_area - Coalesce(building.surveyed_area, 0)
        return building.join(
            units, 'LEFT', condition=units.building == building.id
            ).select(
                building.id.as_('id'),
                building.estate.as_('estate'),
                building.id.as_('building'),
                Coalesce(units.count, 0).as_('unit_count'),
                cls.surveyed_area.sql_cast(building.surveyed_area).as_(
                    'surveyed_area'),
                cls.units_area.sql_cast(Round(units_area, 2)).as_(
                    'units_area'),
                cls.inner_area.sql_cast(
                    Round(Coalesce(units.inner, 0), 2)).as_('inner_area'),
                cls.difference.sql_cast(Round(difference, 2)).as_(
                    'difference'),
                (Abs(difference) < 0.005).as_('balanced'),
                where=building.active == Literal(True))


class EstateOccupancy(ModelSQL, ModelView):
    """Occupancy and vacancy of an estate.

    One definition, the units list's tabs use it too: every unit handed
    over is exactly one of occupied, vacant or in custody, and each rate is
    that count divided by the units handed over."""
    __string__ = "Estate Occupancy"
    __name__ = 'kefu.estate.occupancy'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True)
    units = fields.Integer(
        "Units", readonly=True, help="The number of active units.")
    unsold = fields.Integer(
        "Unsold", readonly=True, help="Units not sold yet.")
    sold = fields.Integer(
        "Sold", readonly=True, help="Units sold but not handed over yet.")
    handed_over = fields.Integer(
        "Handed Over", readonly=True,
        help="Units handed over (交房) to their owners: occupied, vacant "
        "or in custody.")
    occupied = fields.Integer(
        "Occupied", readonly=True,
        help="Units handed over that somebody lives in or uses.")
    vacant = fields.Integer(
        "Vacant", readonly=True,
        help="Units handed over that nobody lives in and that are not in "
        "custody.")
    in_custody = fields.Integer(
        "In Custody", readonly=True,
        help="Units handed over that the management office looks after for "
        "the owner (托管).")
    occupancy_rate = fields.Numeric(
        "Occupancy Rate (%)", digits=(5, 2), readonly=True,
        help="Occupied units in percent of the units handed over (入住率).")
    vacancy_rate = fields.Numeric(
        "Vacancy Rate (%)", digits=(5, 2), readonly=True,
        help="Vacant units in percent of the units handed over (空置率).")
    custody_rate = fields.Numeric(
        "Custody Rate (%)", digits=(5, 2), readonly=True,
        help="Units in custody in percent of the units handed over "
        "(托管率).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [('estate', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        estate = pool.get('kefu.estate').__table__()
        unit = pool.get('kefu.unit').__table__()
        handed_over = unit.delivery_state == 'handed_over'

        def count(condition):
            return Sum(Case((condition, 1), else_=0))

        def occupancy(value):
            return count(handed_over & (unit.occupancy == value))

        def percent(numerator):
            # A float division, then rounded as a decimal: PostgreSQL
            # rounds no double precision to 2 digits.
            ratio = Cast(numerator, 'FLOAT') * 100 / NullIf(
                Cast(count(handed_over), 'FLOAT'), 0)
            return cls.occupancy_rate.sql_cast(
                Round(cls.occupancy_rate.sql_cast(ratio), 2))
        return estate.join(unit, condition=(unit.estate == estate.id)
            & (unit.active == Literal(True))
            ).select(
                estate.id.as_('id'),
                estate.id.as_('estate'),
                Count(unit.id).as_('units'),
                count(unit.delivery_state == 'unsold').as_('unsold'),
                count(unit.delivery_state == 'sold').as_('sold'),
                count(handed_over).as_('handed_over'),
                occupancy('occupied').as_('occupied'),
                occupancy('vacant').as_('vacant'),
                occupancy('in_custody').as_('in_custody'),
                percent(occupancy('occupied')).as_('occupancy_rate'),
                percent(occupancy('vacant')).as_('vacancy_rate'),
                percent(occupancy('in_custody')).as_('custody_rate'),
                where=estate.active == Literal(True),
                group_by=[estate.id])
