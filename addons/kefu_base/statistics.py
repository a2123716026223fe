# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Register reports computed in SQL over the whole register."""
from sql import Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce, NullIf
from sql.functions import Abs, Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

DELIVERED = ('handed_over', 'occupied', 'vacant', 'in_custody')
NOT_LIVED_IN = ('handed_over', 'vacant', 'in_custody')


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
    "Occupancy and vacancy of an estate"
    __string__ = "Estate Occupancy"
    __name__ = 'kefu.estate.occupancy'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True)
    units = fields.Integer(
        "Units", readonly=True, help="The number of active units.")
    unsold = fields.Integer("Unsold", readonly=True)
    delivered = fields.Integer(
        "Delivered", readonly=True,
        help="Units handed over to their owners: handed over, occupied, "
        "vacant or in custody.")
    occupied = fields.Integer("Occupied", readonly=True)
    vacant = fields.Integer(
        "Not Lived In", readonly=True,
        help="Delivered units nobody lives in: handed over but not "
        "moved in, vacant, or in custody.")
    in_custody = fields.Integer("In Custody", readonly=True)
    occupancy_rate = fields.Float(
        "Occupancy Rate", digits=(1, 4), readonly=True,
        help="Occupied units divided by delivered units (入住率).")
    vacancy_rate = fields.Float(
        "Vacancy Rate", digits=(1, 4), readonly=True,
        help="Delivered units nobody lives in divided by delivered "
        "units (空置率).")

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

        def count(states):
            return Sum(Case((unit.state.in_(states), 1), else_=0))

        delivered = count(DELIVERED)
        occupied = count(('occupied',))
        vacant = count(NOT_LIVED_IN)
        rate = cls.occupancy_rate.sql_cast

        def ratio(numerator):
            return rate(numerator) / rate(NullIf(delivered, 0))
        return estate.join(unit, condition=(unit.estate == estate.id)
            & (unit.active == Literal(True))
            ).select(
                estate.id.as_('id'),
                estate.id.as_('estate'),
                Count(unit.id).as_('units'),
                count(('unsold',)).as_('unsold'),
                delivered.as_('delivered'),
                occupied.as_('occupied'),
                vacant.as_('vacant'),
                count(('in_custody',)).as_('in_custody'),
                ratio(occupied).as_('occupancy_rate'),
                ratio(vacant).as_('vacancy_rate'),
                where=estate.active == Literal(True),
                group_by=[estate.id])
