# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Chinese statutory working-day calendar.

Every deadline counted in working days (工作日) goes through
kefu.calendar: the statutory holidays and the swapped working weekends (调休)
come from the chinese-calendar package; days entered in kefu.calendar.day
override it and extend it to years the package does not know yet (the State
Council publishes each year's schedule in the autumn before)."""
import datetime as dt

import chinese_calendar

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Index, Model, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.rpc import RPC

from .exceptions import CalendarError

ONE_DAY = dt.timedelta(days=1)


class CalendarDay(ModelSQL, ModelView):
    __string__ = "Calendar Day"
    __name__ = 'kefu.calendar.day'

    date = fields.Date(
        "Date", required=True,
        help="The day whose status is set by the State Council's notice.")
    kind = fields.Selection([
            ('holiday', "Holiday"),
            ('working_day', "Working Day"),
            ], "Kind", required=True, sort=False,
        help="Holiday: a day off even on a weekday. "
        "Working day: a swapped working day (调休) even on a weekend.")
    name = fields.Char(
        "Name", help="The holiday, e.g. National Day (国庆节).")
    year = fields.Function(fields.Integer("Year"), 'get_year')

    _days_cache = Cache('kefu_calendar_day.days', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('date_unique', Unique(t, t.date),
                'kefu_base.msg_calendar_day_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order.insert(0, ('date', 'DESC'))

    def get_year(self, name):
        return self.date.year

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        cls._days_cache.clear()

    @classmethod
    def days(cls):
        "Return {date: is_working_day} of every entered day"
        days = cls._days_cache.get(None)
        if days is None:
            days = {d.date: d.kind == 'working_day' for d in cls.search([])}
            cls._days_cache.set(None, days)
        return days


class Calendar(Model):
    __string__ = "Working-Day Calendar"
    __name__ = 'kefu.calendar'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'is_working_day': RPC(readonly=True),
                'add_working_days': RPC(readonly=True),
                'working_days_between': RPC(readonly=True),
                })

    @classmethod
    def is_working_day(cls, date):
        "Tell whether date is a working day on the Chinese statutory calendar"
        days = Pool().get('kefu.calendar.day').days()
        if date in days:
            return days[date]
        try:
            return chinese_calendar.is_workday(date)
        except NotImplementedError:
            if any(d.year == date.year for d in days):
                # The year was entered by hand: every day not entered
                # follows the week.
                return date.weekday() < 5
            raise CalendarError(gettext(
                    'kefu_base.msg_calendar_unknown_year',
                    date=date, year=date.year))

    @classmethod
    def add_working_days(cls, date, days):
        """Return the date that is the given number of working days after
        date (before it when days is negative); 0 gives date itself."""
        step = ONE_DAY if days >= 0 else -ONE_DAY
        remaining = abs(days)
        while remaining:
            date += step
            if cls.is_working_day(date):
                remaining -= 1
        return date

    @classmethod
    def working_days_between(cls, start, end):
        """Count the working days after start up to and including end, so
        that working_days_between(d, add_working_days(d, n)) == n;
        negative when end is before start."""
        if end < start:
            return -cls.working_days_between(end, start)
        count, date = 0, start
        while date < end:
            date += ONE_DAY
            if cls.is_working_day(date):
                count += 1
        return count

