# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The water, electricity and gas meters of the units (水电气表) and their
readings (抄表).  A reading below the previous one is refused unless the
meter was replaced, recorded with the old meter's last reading and the new
one's first; the consumption of a period feeds the metered fees.  Readings
a bill was computed from are frozen: adding, changing or deleting one would
change what was billed."""
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.kefu_base.model import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import MeterReadingBilledError, MeterReadingError

# The fields a reading's consumption, and its neighbour's, depend on
VALUE_FIELDS = {'meter', 'date', 'value', 'replaced', 'old_value', 'new_start'}
KINDS = [
    ('water', "Water"),
    ('electricity', "Electricity"),
    ('gas', "Gas"),
    ]


class Meter(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Meter"
    __name__ = 'kefu.meter'

    unit = fields.Many2One(
        'kefu.unit', "Unit", required=True, ondelete='RESTRICT',
        help="The unit the meter measures.")
    estate = fields.Function(fields.Many2One(
            'kefu.estate', "Estate", help="The estate of the unit."),
        'on_change_with_estate', searcher='search_estate')
    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False,
        help="What the meter measures; a metered fee bills the meter of "
        "its kind.")
    number = fields.Char(
        "Number", required=True, help="The number printed on the meter.")
    readings = fields.One2Many(
        'kefu.meter.reading', 'meter', "Readings",
        order=[('date', 'DESC'), ('id', 'DESC')])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('unit_kind_number_unique',
                Unique(t, t.unit, t.kind, t.number),
                'kefu_fee.msg_meter_unique'),
            ]

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('unit.estate' + clause[0][len(name):], *clause[1:])]

    def get_rec_name(self, name):
        return '%s %s' % (self.unit.rec_name, self.number)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'number', 'unit.rec_name')

    def billed_until(self):
        """The end of the last period billed from this meter's readings
        and not cancelled, or None"""
        Charge = Pool().get('kefu.fee.charge')
        charges = Charge.search([
                ('unit_fee.meter', '=', self.id),
                ('state', '!=', 'cancelled'),
                ], order=[('period_end', 'DESC')], limit=1)
        return charges[0].period_end if charges else None

    def consumption(self, first, last):
        "The consumption read on the meter from first to last, both included"
        pool = Pool()
        Reading = pool.get('kefu.meter.reading')
        reading = Reading.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*reading.select(
                Sum(reading.consumption),
                where=(reading.meter == self.id)
                & (reading.date >= first) & (reading.date <= last)))
        total, = cursor.fetchone()
        # SQLite sums numerics as floats: back to the readings' cents
        return Decimal(str(total or 0)).quantize(Decimal('0.01'))


class Reading(ModelSQL, ModelView):
    __string__ = "Meter Reading"
    __name__ = 'kefu.meter.reading'

    meter = fields.Many2One(
        'kefu.meter', "Meter", required=True, ondelete='RESTRICT',
        help="The meter read.")
    unit = fields.Function(fields.Many2One(
            'kefu.unit', "Unit", help="The unit of the meter."),
        'on_change_with_unit', searcher='search_unit')
    kind = fields.Function(fields.Selection(
            KINDS, "Kind", help="What the meter measures."),
        'on_change_with_kind')
    date = fields.Date(
        "Date", required=True, help="The day the meter was read.")
    value = fields.Numeric(
        "Reading", digits=(16, 2), required=True,
        help="What the meter shows; for a replaced meter, the new meter's "
        "reading.")
    replaced = fields.Boolean(
        "Meter Replaced",
        help="The meter was replaced since the previous reading: give the "
        "old meter's last reading and the new meter's first.")
    old_value = fields.Numeric(
        "Old Meter's Last Reading", digits=(16, 2),
        states={
            'invisible': ~Eval('replaced'),
            'required': Bool(Eval('replaced')),
            },
        help="What the old meter showed when it was taken away.")
    new_start = fields.Numeric(
        "New Meter's First Reading", digits=(16, 2),
        states={
            'invisible': ~Eval('replaced'),
            'required': Bool(Eval('replaced')),
            },
        help="What the new meter showed when it was put in.")
    previous_value = fields.Numeric(
        "Previous Reading", digits=(16, 2), readonly=True,
        help="The reading before this one on the same meter.")
    consumption = fields.Numeric(
        "Consumption", digits=(16, 2), readonly=True,
        help="Since the previous reading, across a replacement.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meter')
        t = cls.__table__()
        cls._sql_constraints += [
            ('meter_date_unique', Unique(t, t.meter, t.date),
                'kefu_fee.msg_reading_unique'),
            ('consumption_positive',
                Check(t, (t.consumption == Null) | (t.consumption >= 0)),
                'kefu_fee.msg_reading_below_previous'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.meter, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @fields.depends('meter', '_parent_meter.unit')
    def on_change_with_unit(self, name=None):
        return self.meter.unit if self.meter else None

    @classmethod
    def search_unit(cls, name, clause):
        return [('meter.unit' + clause[0][len(name):], *clause[1:])]

    @fields.depends('meter', '_parent_meter.kind')
    def on_change_with_kind(self, name=None):
        return self.meter.kind if self.meter else None

    @fields.depends('replaced', 'old_value', 'new_start')
    def on_change_replaced(self):
        if not self.replaced:
            self.old_value = self.new_start = None

    def get_rec_name(self, name):
        return '%s %s' % (self.meter.rec_name, self.date)

    def previous(self):
        readings = self.search([
                ('meter', '=', self.meter.id),
                ('date', '<', self.date),
                ], order=[('date', 'DESC')], limit=1)
        return readings[0] if readings else None

    def compute_consumption(self):
        previous = self.previous()
        if not previous:
            return None, Decimal(0)
        if self.replaced:
            used = (self.old_value - previous.value) + (
                self.value - self.new_start)
            below = (self.old_value < previous.value
                or self.value < self.new_start)
        else:
            used = self.value - previous.value
            below = used < 0
        if below:
            raise MeterReadingError(gettext(
                    'kefu_fee.msg_reading_below_previous_detail',
                    meter=self.meter.rec_name, date=self.date,
                    value=self.value, previous=previous.value,
                    previous_date=previous.date))
        return previous.value, used

    @classmethod
    def following(cls, readings):
        "The readings right after readings on their meters, not among them"
        ids = [r.id for r in readings]
        following = set()
        for reading in readings:
            following.update(cls.search([
                        ('meter', '=', reading.meter.id),
                        ('date', '>', reading.date),
                        ('id', 'not in', ids),
                        ], order=[('date', 'ASC')], limit=1))
        return following

    @classmethod
    def refresh(cls, readings):
        "Store the previous reading and the consumption of readings"
        for reading in sorted(readings, key=lambda r: (r.meter.id, r.date)):
            previous, used = reading.compute_consumption()
            if (reading.previous_value, reading.consumption) != (
                    previous, used):
                cls.write([reading], {
                        'previous_value': previous,
                        'consumption': used,
                        })

    @classmethod
    def check_modification(cls, mode, readings, values=None, external=False):
        super().check_modification(
            mode, readings, values=values, external=external)
        if mode == 'write' and not (VALUE_FIELDS & values.keys()):
            return
        cls.check_billed(readings)
        if mode == 'write' and values.keys() & {'meter', 'date'}:
            Meter = Pool().get('kefu.meter')
            for reading in readings:
                meter = Meter(values.get('meter', reading.meter.id))
                cls._check_billed(
                    reading, meter, values.get('date', reading.date))

    @classmethod
    def check_billed(cls, readings):
        for reading in readings:
            cls._check_billed(reading, reading.meter, reading.date)

    @classmethod
    def _check_billed(cls, reading, meter, date):
        billed = meter.billed_until()
        if billed and date <= billed:
            raise MeterReadingBilledError(gettext(
                    'kefu_fee.msg_reading_billed',
                    meter=meter.rec_name, date=date, billed=billed))

    @classmethod
    def on_write(cls, readings, values):
        callbacks = super().on_write(readings, values)
        if values.keys() & {'meter', 'date'}:
            # The readings that followed them at their old place
            ids = [r.id for r in cls.following(readings)]
            callbacks.append(lambda: cls.refresh(cls.browse(ids)))
        return callbacks

    @classmethod
    def on_delete(cls, readings):
        callbacks = super().on_delete(readings)
        ids = [r.id for r in cls.following(readings)]
        callbacks.append(lambda: cls.refresh(cls.browse(ids)))
        return callbacks

    @classmethod
    def on_modification(cls, mode, readings, field_names=None):
        super().on_modification(mode, readings, field_names=field_names)
        if mode == 'create' or (
                mode == 'write' and VALUE_FIELDS & field_names):
            cls.refresh(list(readings) + list(cls.following(readings)))
