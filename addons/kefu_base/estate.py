# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.functions import CharLength

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import (
    AreaError, BuildingEstateError, FloorError, HistoryDeleteError)
from .model import rec_name_domain


def check_no_history(records, links, message):
    """Refuse to delete records that other records still point to.

    links is a list of (model name, field name) pairs; message the id of the
    message that tells the user to deactivate instead."""
    pool = Pool()
    ids = [r.id for r in records]
    if not ids:
        return
    for model_name, field_name in links:
        Model = pool.get(model_name)
        with Transaction().set_context(active_test=False):
            used = Model.search([(field_name, 'in', ids)], limit=1)
        if used:
            record, = [r for r in records
                if getattr(used[0], field_name).id == r.id]
            raise HistoryDeleteError(gettext(
                    message, record=record.rec_name,
                    history=Model.__names__()['model']))


class Estate(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Estate"
    __name__ = 'kefu.estate'
    _rec_name = 'name'

    name = fields.Char(
        "Name", required=True, translate=False,
        help="The name of the estate (项目/小区) as residents know it.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="A short unique code used in unit numbers and reports.")
    company = fields.Many2One(
        'company.company', "Company", required=True,
        help="The property-management company that runs this estate.")
    address = fields.Text("Address", help="The postal address of the estate.")
    manager = fields.Many2One(
        'company.employee', "Manager",
        domain=[('company', '=', Eval('company', -1))],
        help="The management-office manager (管理处经理) of the estate.")
    buildings = fields.One2Many(
        'kefu.building', 'estate', "Buildings",
        help="The buildings (楼栋) of the estate.")
    users = fields.Many2Many(
        'kefu.estate-res.user', 'estate', 'user', "Users",
        help="The staff assigned to this estate; front-desk and "
        "customer-service users see only the estates they are assigned to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code), 'kefu_base.msg_estate_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'code')

    @classmethod
    def check_modification(cls, mode, estates, values=None, external=False):
        super().check_modification(
            mode, estates, values=values, external=external)
        if mode == 'delete':
            check_no_history(
                estates, [('kefu.building', 'estate')],
                'kefu_base.msg_estate_delete_history')


class EstateUser(ModelSQL):
    __string__ = "Estate - User"
    __name__ = 'kefu.estate-res.user'
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('estate_user_unique', Unique(t, t.estate, t.user),
                'kefu_base.msg_estate_user_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.user, Index.Equality())))

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Pool().get('res.user')._get_kefu_estates_cache.clear()


class Building(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Building"
    __name__ = 'kefu.building'
    # Lists sorted by building go by its number, not by its optional name
    _order_name = 'code'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        states={'readonly': Bool(Eval('units'))},
        help="The estate the building stands in; it cannot change once "
        "the building has units.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="The building number within the estate, e.g. 3.")
    name = fields.Char(
        "Name", help="The name staff and residents use, e.g. 3号楼; "
        "the building shows as its code when empty.")
    floors = fields.Integer(
        "Floors", help="The number of floors above ground; no unit may be "
        "above it. Basements are not counted.")
    surveyed_area = fields.Numeric(
        "Surveyed Area", digits=(16, 2),
        help="The total building area (m²) from the building survey "
        "(总产权面积); the area balance report compares it with the sum "
        "of the units.")
    units = fields.One2Many(
        'kefu.unit', 'building', "Units",
        help="The units (房屋) of the building.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('estate_code_unique', Unique(t, t.estate, t.code),
                'kefu_base.msg_building_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def order_code(tables):
        # Shorter numbers first: building 3 before building 10
        table, _ = tables[None]
        return [CharLength(table.code), table.code]

    @classmethod
    def validate_fields(cls, buildings, field_names):
        super().validate_fields(buildings, field_names)
        if field_names & {'floors', 'surveyed_area'}:
            for building in buildings:
                if building.floors is not None and building.floors <= 0:
                    raise AreaError(gettext(
                            'kefu_base.msg_building_floors_positive',
                            building=building.rec_name))
                if (building.surveyed_area is not None
                        and building.surveyed_area <= 0):
                    raise AreaError(gettext(
                            'kefu_base.msg_building_area_positive',
                            building=building.rec_name))
        if 'floors' in field_names:
            cls.check_units_floors(buildings)

    @classmethod
    def check_units_floors(cls, buildings):
        "No unit may be above the building's number of floors"
        Unit = Pool().get('kefu.unit')
        for building in buildings:
            if not building.floors:
                continue
            with Transaction().set_context(active_test=False):
                units = Unit.search([
                        ('building', '=', building.id),
                        ('floor', '>', building.floors),
                        ], order=[('floor', 'DESC')], limit=1)
            if units:
                unit, = units
                raise FloorError(gettext(
                        'kefu_base.msg_building_floors_below_units',
                        building=building.rec_name, floors=building.floors,
                        unit=unit.rec_name, floor=unit.floor))

    def get_rec_name(self, name):
        return self.name or self.code

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'code')

    @classmethod
    def check_modification(cls, mode, buildings, values=None, external=False):
        super().check_modification(
            mode, buildings, values=values, external=external)
        if mode == 'write' and 'estate' in values:
            cls.check_estate_change(buildings, values['estate'])
        if mode == 'delete':
            check_no_history(
                buildings, [('kefu.unit', 'building')],
                'kefu_base.msg_building_delete_history')

    @classmethod
    def check_estate_change(cls, buildings, estate):
        """A building with units keeps its estate: its units carry the estate
        too (codes, record rules and reports go by it)."""
        Unit = Pool().get('kefu.unit')
        moved = [b for b in buildings if b.estate.id != estate]
        with Transaction().set_context(active_test=False):
            units = Unit.search(
                [('building', 'in', [b.id for b in moved])], limit=1)
        if units:
            raise BuildingEstateError(gettext(
                    'kefu_base.msg_building_estate_units',
                    building=units[0].building.rec_name))
