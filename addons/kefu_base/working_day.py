# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Chinese statutory working-day calendar.

Every deadline counted in working days (工作日) goes through kefu.calendar.
The years the chinese-calendar package knows follow it (the State
Council's published schedules, with their swapped working weekends 调休).
Any other year follows the statutory holidays of the law (全国年节及纪念日
放假办法: New Year, Spring Festival, Qingming, Labour Day, Dragon Boat,
Mid-Autumn, National Day, computed by the holidays package) and the
weekends; neither the make-up days (补假) nor the swaps, which only the State
Council's yearly notice fixes.  A kefu.calendar.year record holds the days
entered for its year (the notice's holidays and swapped working days); they
override the package or the law.

A year is *official* when the package knows it or when its record was made
official; otherwise it is *provisional*: its answers may change once its
schedule is entered.  A year with a record has that record's state.  When a year becomes official, kefu.calendar.years_became_official is
called so that later modules recompute the deadlines they computed on the
provisional year."""
import calendar
import datetime as dt
import json

import chinese_calendar
from holidays.countries import China

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    Index, Model, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from .exceptions import CalendarError

ONE_DAY = dt.timedelta(days=1)
UNITS = {'minutes', 'hours', 'calendar_days', 'working_days'}


class StatutoryHolidays(China):
    """The holidays the law gives: without the special days of the State
    Council's yearly notices (swaps, extensions) that the holidays package
    knows for past years, so that a provisional year never mixes the law
    with a guess."""

    def _add_special_holidays(self, mapping_names, *, observed=False):
        pass


def statutory_holidays(year):
    "Return {date: name} of the statutory holidays of year (in Chinese)"
    return dict(StatutoryHolidays(
            years=year, observed=False, language='zh_CN'))


def package_knows(year):
    "Tell whether the chinese-calendar package has the year's schedule"
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def days_of(year):
    date = dt.date(year, 1, 1)
    while date.year == year:
        yield date
        date += ONE_DAY


class CalendarYear(Workflow, ModelSQL, ModelView):
    __string__ = "Calendar Year"
    __name__ = 'kefu.calendar.year'

    year = fields.Integer(
        "Year", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The year whose schedule of holidays and swapped working days "
        "is entered here.")
    state = fields.Selection([
            ('provisional', "Provisional"),
            ('official', "Official"),
            ], "State", required=True, readonly=True, sort=False,
        help="Provisional: the State Council's schedule is not complete "
        "yet, so deadlines in this year may still change. Official: the "
        "schedule is entered. Either way a day not entered follows the "
        "statutory holidays and the weekends (or the chinese-calendar "
        "package for the years it knows).")
    days = fields.One2Many(
        'kefu.calendar.day', 'year', "Days",
        states={
            'readonly': Eval('state') != 'provisional',
            },
        help="The holidays and swapped working days of the State Council's "
        "notice for this year.")

    _years_cache = Cache('kefu_calendar_year.answers', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('year_unique', Unique(t, t.year),
                'kefu_base.msg_calendar_year_unique'),
            ]
        cls._order.insert(0, ('year', 'DESC'))
        cls._transitions |= {
            ('provisional', 'official'),
            ('official', 'provisional'),
            }
        cls._buttons.update({
                'make_official': {
                    'invisible': Eval('state') != 'provisional',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'official',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'provisional'

    def get_rec_name(self, name):
        return str(self.year)

    @classmethod
    def search_rec_name(cls, name, clause):
        value = str(clause[2] or '').strip('%')
        return [('year', '=', int(value) if value.isdigit() else None)]

    @classmethod
    def on_modification(cls, mode, years, field_names=None):
        super().on_modification(mode, years, field_names=field_names)
        cls._years_cache.clear()

    @classmethod
    def check_modification(cls, mode, years, values=None, external=False):
        super().check_modification(
            mode, years, values=values, external=external)
        if mode == 'delete':
            for year in years:
                if year.state == 'official':
                    raise CalendarError(gettext(
                            'kefu_base.msg_calendar_year_delete_official',
                            year=year.year))

    @classmethod
    @ModelView.button
    @Workflow.transition('official')
    def make_official(cls, years):
        # Written here, not after the transition, so that the hook already
        # reads the official schedule.
        cls.write(years, {'state': 'official'})
        if years:
            Pool().get('kefu.calendar').years_became_official(
                sorted(y.year for y in years))

    @classmethod
    @ModelView.button
    @Workflow.transition('provisional')
    def reopen(cls, years):
        pass

    @classmethod
    def get_or_create(cls, numbers):
        "Return {year number: record}, creating the missing provisional years"
        with without_check_access():
            years = {y.year: y for y in cls.search(
                    [('year', 'in', list(numbers))])}
            missing = [n for n in set(numbers) if n not in years]
            for year in cls.create([{'year': n} for n in missing]):
                years[year.year] = year
        return years

    @classmethod
    def answers(cls, year):
        """Return {'provisional': bool, 'days': {date: is working day}} for
        every day of year, whoever asks (the answers do not depend on the
        caller's access to the calendar's records)."""
        answers = cls._years_cache.get(year)
        if answers is None:
            with without_check_access():
                answers = cls._compute_answers(year)
            answers = cls._years_cache.set(year, answers)
        return answers

    @classmethod
    def _compute_answers(cls, year):
        records = cls.search([('year', '=', year)])
        if records:
            record, = records
            official = record.state == 'official'
            entered = {d.date: d.kind == 'working_day' for d in record.days}
        else:
            official, entered = package_knows(year), {}
        if package_knows(year):
            days = {d: chinese_calendar.is_workday(d) for d in days_of(year)}
        else:
            days = cls._statutory_days(year, official)
        days.update(entered)
        return {'provisional': not official, 'days': days}

    @classmethod
    def _statutory_days(cls, year, official):
        law = statutory_holidays(year)
        if not law and not official:
            raise CalendarError(gettext(
                    'kefu_base.msg_calendar_unknown_year', year=year))
        return {d: d.weekday() < 5 and d not in law for d in days_of(year)}

    @classmethod
    def warn_provisional(cls, date=None):
        """Notify the office managers, from the configured day of the year
        on, that next year's calendar is still provisional.  A manager who
        has not read the previous warning is not warned again."""
        pool = Pool()
        Date = pool.get('ir.date')
        Calendar = pool.get('kefu.calendar')
        date = date or Date.today()
        month, day = Calendar.settings()['warning_start']
        day = min(day, calendar.monthrange(date.year, month)[1])
        if date < dt.date(date.year, month, day):
            return
        number = date.year + 1
        if not cls.answers(number)['provisional']:
            return
        year = cls.get_or_create([number])[number]
        with without_check_access():
            cls._notify(year, cls._users_to_warn(year))

    @classmethod
    def _users_to_warn(cls, year):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        group = ModelData.get_id('kefu_base', 'group_office_manager')
        users = User.search([('groups', 'child_of', [group], 'parent')])
        warned = {n.user for n in Notification.search([
                    ('user', 'in', [u.id for u in users]),
                    ('model', '=', cls.__name__),
                    ('records', '=', json.dumps([year.id])),
                    ('unread', '=', True),
                    ])}
        return [u for u in users if u not in warned]

    @classmethod
    def _notify(cls, year, users):
        pool = Pool()
        Notification = pool.get('res.notification')
        notifications = []
        for user in users:
            language = user.language.code if user.language else None
            with Transaction().set_context(language=language):
                notifications.append(Notification(
                        user=user, icon='tryton-warning',
                        label=gettext('kefu_base.msg_calendar_warning_label'),
                        description=gettext(
                            'kefu_base.msg_calendar_warning', year=year.year),
                        model=cls.__name__, records=json.dumps([year.id])))
        Notification.save(notifications)


class CalendarDay(ModelSQL, ModelView):
    __string__ = "Calendar Day"
    __name__ = 'kefu.calendar.day'

    year = fields.Many2One(
        'kefu.calendar.year', "Year", required=True, ondelete='CASCADE',
        readonly=True,
        help="The year of the date; filled in from the date.")
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

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('year') and values.get('date'):
            Year = Pool().get('kefu.calendar.year')
            year = values['date'].year
            values['year'] = Year.get_or_create([year])[year].id
        return values

    @classmethod
    def validate_fields(cls, days, field_names):
        super().validate_fields(days, field_names)
        if field_names & {'date', 'year'}:
            for day in days:
                if day.date.year != day.year.year:
                    raise CalendarError(gettext(
                            'kefu_base.msg_calendar_day_year',
                            date=day.date, year=day.year.year))

    @classmethod
    def check_modification(cls, mode, days, values=None, external=False):
        super().check_modification(
            mode, days, values=values, external=external)
        for day in days:
            if day.year.state == 'official':
                raise CalendarError(gettext(
                        'kefu_base.msg_calendar_day_official',
                        date=day.date, year=day.year.year))

    @classmethod
    def on_modification(cls, mode, days, field_names=None):
        super().on_modification(mode, days, field_names=field_names)
        Pool().get('kefu.calendar.year')._years_cache.clear()


class Calendar(Model):
    __string__ = "Working-Day Calendar"
    __name__ = 'kefu.calendar'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'is_working_day': RPC(readonly=True),
                'is_provisional': RPC(readonly=True),
                'add_working_days': RPC(readonly=True),
                'working_days_between': RPC(readonly=True),
                'deadline': RPC(readonly=True),
                })

    @classmethod
    def settings(cls):
        """Return the calendar's settings: 'day_end', the time a working day
        ends for deadlines, and 'warning_start', the (month, day) from which
        the office managers are warned of a provisional next year."""
        Configuration = Pool().get('kefu.configuration')
        with without_check_access():
            config = Configuration(1)
            return {
                'day_end': config.working_day_end,
                'warning_start': (
                    config.calendar_warning_month,
                    config.calendar_warning_day),
                }

    @classmethod
    def is_working_day(cls, date):
        """Tell whether date is a working day on the Chinese statutory
        calendar (a naive UTC datetime is taken in the company's time zone)"""
        Year = Pool().get('kefu.calendar.year')
        date = cls._local_date(date)
        return Year.answers(date.year)['days'][date]

    @classmethod
    def is_provisional(cls, start, end=None):
        """Tell whether any day from start to end (start alone when end is
        None) falls in a provisional year, so that a deadline computed over
        these days may change once the year's schedule is official.  Dates
        or naive UTC datetimes (taken in the company's time zone)."""
        Year = Pool().get('kefu.calendar.year')
        first = cls._local_date(start)
        last = cls._local_date(end) if end is not None else first
        first, last = min(first, last), max(first, last)
        return any(Year.answers(y)['provisional']
            for y in range(first.year, last.year + 1))

    @classmethod
    def years_became_official(cls, years):
        """Called with the sorted year numbers whose schedule has just become
        official.  Later modules extend it to recompute the deadlines they
        computed while these years were provisional."""

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

    @classmethod
    def deadline(cls, start, amount, unit, company=None):
        """Return the deadline that is amount units after start.

        start and the result are naive UTC datetimes, as Tryton stores them;
        days are those of the company's time zone (company, else the
        context's company; the server's zone without one).  amount is a
        whole number >= 0 and unit one of:

        - minutes, hours: elapsed time, whatever the calendar;
        - calendar_days: the same time of day, amount days later;
        - working_days: the end of the amount-th working day after the day
          the start counts from.  A working day ends at the configured end
          of working day (kefu.configuration, by default 23:59:59, the last
          second of the day).  The start counts from its own day when that
          is a working day and the start is not after its end; otherwise
          (a weekend, a holiday, or after the end of the day) from the next
          working day, as if it came at the start of that day.  So with 1
          working day, Friday 10:00 gives Monday's end, and Saturday, or
          Friday after the end of the day, gives Tuesday's end; with 0
          working days, the end of the day the start counts from.

        A working-day deadline is provisional when
        is_provisional(start, deadline) is true; it is to be recomputed when
        years_became_official is called for its years."""
        if unit not in UNITS:
            raise ValueError(f"unknown deadline unit: {unit}")
        if unit == 'minutes':
            return start + dt.timedelta(minutes=amount)
        if unit == 'hours':
            return start + dt.timedelta(hours=amount)
        zone = cls._timezone(company)
        local = start.replace(tzinfo=tz.UTC).astimezone(zone)
        if unit == 'calendar_days':
            end = local + dt.timedelta(days=amount)
        else:
            day_end = cls.settings()['day_end']
            day = cls.add_working_days(cls._counts_from(local, day_end), amount)
            end = dt.datetime.combine(day, day_end, tzinfo=zone)
        return end.astimezone(tz.UTC).replace(tzinfo=None)

    @classmethod
    def _counts_from(cls, local, day_end):
        "Return the working day from which a start at local counts"
        day = local.date()
        if local.time() > day_end or not cls.is_working_day(day):
            day = cls.add_working_days(day, 1)
        return day

    @classmethod
    def _timezone(cls, company=None):
        Company = Pool().get('company.company')
        if company is None:
            company = Transaction().context.get('company')
        if isinstance(company, int):
            company = Company(company) if company >= 0 else None
        with without_check_access():
            if company and company.timezone:
                return tz.get_tzinfo(company.timezone)
        return tz.SERVER

    @classmethod
    def _local_date(cls, value):
        if isinstance(value, dt.datetime):
            zone = cls._timezone()
            return value.replace(tzinfo=tz.UTC).astimezone(zone).date()
        return value


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('kefu.calendar.year|warn_provisional',
                "Warn of a Provisional Working-Day Calendar"))
