# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The dated log of the changes of a unit that fees and handover rely on:
its delivery, its occupancy and its areas."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .exceptions import UnitLogError


class UnitLog(ModelSQL, ModelView):
    __string__ = "Unit Change"
    __name__ = 'kefu.unit.log'

    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True, readonly=True,
        ondelete='RESTRICT', help="The unit that changed.")
    date = fields.DateTime(
        "Date", required=True, readonly=True,
        help="When the change was saved.")
    field = fields.Selection([
            ('delivery_state', "Delivery"),
            ('occupancy', "Occupancy"),
            ('building_area', "Building Area"),
            ('inner_area', "Inner Area"),
            ], "Field", required=True, readonly=True, sort=False,
        help="What changed.")
    old_value = fields.Char(
        "Old Value", readonly=True, help="The value before the change.")
    new_value = fields.Char(
        "New Value", readonly=True, help="The value after the change.")
    old_value_string = fields.Function(fields.Char(
            "Before", help="The value before the change, as shown on the "
            "unit."), 'get_value_string')
    new_value_string = fields.Function(fields.Char(
            "After", help="The value after the change, as shown on the "
            "unit."), 'get_value_string')
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='RESTRICT',
        help="The user who saved the change.")
    employee = fields.Many2One(
        'company.employee', "Employee", readonly=True, ondelete='RESTRICT',
        help="The employee the user was working as.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('unit')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.unit, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def tracked_fields(cls):
        "The fields of kefu.unit whose changes are logged"
        return [name for name, _ in cls.field.selection]

    @classmethod
    def record(cls, Unit, before, names):
        """Log the changes of names on the units since before, a dict of
        the values read by id.  Called after the write, without access
        checks: staff have no right to write the log themselves."""
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        now = dt.datetime.now()
        vlist = []
        for after in Unit.read(list(before), names):
            for name in names:
                old, new = before[after['id']][name], after[name]
                if old != new:
                    vlist.append({
                            'unit': after['id'],
                            'date': now,
                            'field': name,
                            'old_value': cls._format(old),
                            'new_value': cls._format(new),
                            'user': user.id,
                            'employee': (
                                user.employee.id if user.employee else None),
                            })
        if vlist:
            with without_check_access():
                cls.create(vlist)

    @staticmethod
    def _format(value):
        return None if value is None else str(value)

    @classmethod
    def get_value_string(cls, logs, name):
        Unit = Pool().get('kefu.unit')
        fields_ = Unit.fields_get(cls.tracked_fields())
        labels = {
            f: dict(d['selection']) for f, d in fields_.items()
            if d.get('selection')}
        value_name = name[:-len('_string')]
        result = {}
        for log in logs:
            value = getattr(log, value_name)
            result[log.id] = labels.get(log.field, {}).get(value, value)
        return result

    @classmethod
    def check_modification(cls, mode, logs, values=None, external=False):
        super().check_modification(
            mode, logs, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise UnitLogError(gettext('kefu_base.msg_unit_log_readonly'))
        # The model's access follows the unit's (__access__), so whoever may
        # write a unit could create log lines over RPC: only the unit's own
        # write records them.
        if mode == 'create' and external:
            raise UnitLogError(gettext('kefu_base.msg_unit_log_create'))
