# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The working-day calendar: official and provisional years, the entry and
import of a year's schedule, the recompute hook, the warning of a
provisional next year and deadlines with a time of day."""
import datetime as dt
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_base.exceptions import CalendarError
from trytond.modules.kefu_base.working_day import statutory_holidays
from trytond.modules.kefu_base.working_day_import import parse_schedule
from trytond.modules.kefu_base.tests.tools import FreshDatabaseTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

D = dt.date
T = dt.datetime

# The 2027 schedule as a notice would give it (hypothetical, for the tests):
# Spring Festival 02-05..02-11 off with 02-20 (Saturday) worked.
SCHEDULE_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-05,holiday,春节
2027/2/6,休,春节
2027-02-07\tholiday\t春节
2027-02-08，holiday，春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-20,working_day,春节调休
"""


def calendar():
    return Pool().get('kefu.calendar')


def shanghai_company():
    company = create_company()
    company.timezone = 'Asia/Shanghai'
    company.save()
    return company


def office_manager(login):
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user, = User.create([{
                'name': login, 'login': login,
                'groups': [('add', [ModelData.get_id(
                                'kefu_base', 'group_office_manager')])],
                }])
    return user


class CalendarTestCase(FreshDatabaseTestCase):
    "Test the working-day calendar"
    module = 'kefu_base'

    def enter_2027(self):
        "Enter the 2027 schedule through the import wizard"
        Import = Pool().get('kefu.calendar.import', type='wizard')
        session_id, _, _ = Import.create()
        wizard = Import(session_id)
        wizard.start.file = None
        wizard.start.text = SCHEDULE_2027
        wizard.transition_import_()

    @with_transaction()
    def test_working_days_national_day(self):
        "10 working days across the 2025 National Day holiday"
        Calendar = calendar()
        # 2025-09-28 (Sunday) is a swapped working day, 10-01..10-08 off.
        self.assertEqual(
            Calendar.add_working_days(D(2025, 9, 26), 3), D(2025, 9, 30))
        self.assertEqual(
            Calendar.add_working_days(D(2025, 9, 26), 5), D(2025, 10, 10))
        self.assertEqual(
            Calendar.working_days_between(D(2025, 9, 26), D(2025, 10, 10)),
            5)
        self.assertEqual(
            Calendar.working_days_between(D(2025, 10, 10), D(2025, 9, 26)),
            -5)
        self.assertEqual(
            Calendar.add_working_days(D(2025, 10, 10), -5), D(2025, 9, 26))

    @with_transaction()
    def test_working_days_spring_festival(self):
        "Working days across the 2026 Spring Festival and its swapped days"
        Calendar = calendar()
        # 2026-02-14 (Saturday) works, 02-15..02-23 off.
        self.assertTrue(Calendar.is_working_day(D(2026, 2, 14)))
        self.assertFalse(Calendar.is_working_day(D(2026, 2, 16)))
        self.assertEqual(
            Calendar.add_working_days(D(2026, 2, 12), 3), D(2026, 2, 24))
        self.assertEqual(
            Calendar.working_days_between(D(2026, 2, 1), D(2026, 2, 28)), 16)
        self.assertEqual(
            Calendar.add_working_days(D(2026, 2, 14), 0), D(2026, 2, 14))
        self.assertFalse(Calendar.is_provisional(D(2026, 2, 14)))

    @with_transaction()
    def test_working_days_swapped_sunday(self):
        "A swapped working Sunday counts: 2025-01-26"
        Calendar = calendar()
        self.assertEqual(D(2025, 1, 26).isoweekday(), 7)
        self.assertEqual(
            Calendar.add_working_days(D(2025, 1, 24), 1), D(2025, 1, 26))
        self.assertEqual(
            Calendar.add_working_days(D(2025, 1, 27), 1), D(2025, 2, 5))

    @with_transaction()
    def test_working_day_override(self):
        "An entered day overrides the package, at once"
        pool = Pool()
        Calendar = calendar()
        Day = pool.get('kefu.calendar.day')
        day = D(2026, 3, 2)
        self.assertTrue(Calendar.is_working_day(day))
        Day.create([{'date': day, 'kind': 'holiday'}])
        self.assertFalse(Calendar.is_working_day(day))
        entered, = Day.search([])
        self.assertEqual(entered.year.year, 2026)
        # The year being corrected is provisional until made official again.
        self.assertTrue(Calendar.is_provisional(day))

    @with_transaction()
    def test_answers_without_calendar_access(self):
        "A user outside the Kefu groups gets answers with an empty cache"
        pool = Pool()
        User = pool.get('res.user')
        Year = pool.get('kefu.calendar.year')
        Calendar = calendar()
        accountant, = User.create([{'name': "Accountant", 'login': 'acc'}])
        Year._years_cache.clear()
        with Transaction().set_user(accountant.id), \
                Transaction().set_context(_check_access=True):
            self.assertTrue(Calendar.is_working_day(D(2026, 3, 2)))
            self.assertFalse(Calendar.is_working_day(D(2026, 10, 1)))
            self.assertTrue(Calendar.is_provisional(D(2027, 3, 1)))

    @with_transaction()
    def test_one_entered_day_keeps_year_provisional(self):
        "Entering one day of an unknown year does not make the year known"
        pool = Pool()
        Calendar = calendar()
        Day = pool.get('kefu.calendar.day')
        Day.create([{'date': D(2028, 1, 3), 'kind': 'holiday'}])
        self.assertFalse(Calendar.is_working_day(D(2028, 1, 3)))
        # National Day, a Monday, stays a statutory holiday.
        self.assertFalse(Calendar.is_working_day(D(2028, 10, 2)))
        self.assertTrue(Calendar.is_working_day(D(2028, 3, 1)))
        self.assertTrue(Calendar.is_provisional(D(2028, 3, 1)))

    def test_statutory_holidays(self):
        "Statutory days only: no swap of the State Council, no make-up day"
        days_2025 = statutory_holidays(2025)
        self.assertEqual(len(days_2025), 13)
        self.assertNotIn(D(2025, 2, 3), days_2025)
        self.assertEqual(days_2025[D(2025, 1, 28)], "农历除夕")
        self.assertEqual(sorted(statutory_holidays(2027)), [
                D(2027, 1, 1),
                D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8),
                D(2027, 4, 5), D(2027, 5, 1), D(2027, 5, 2), D(2027, 6, 9),
                D(2027, 9, 15), D(2027, 10, 1), D(2027, 10, 2),
                D(2027, 10, 3)])

    @with_transaction()
    def test_provisional_2027(self):
        "2027: statutory holidays and weekends, provisional"
        Calendar = calendar()
        self.assertTrue(Calendar.is_provisional(D(2027, 3, 1)))
        self.assertFalse(Calendar.is_working_day(D(2027, 1, 1)))
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 5)))
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 8)))
        # No make-up day is guessed for the festival days on the weekend.
        self.assertTrue(Calendar.is_working_day(D(2027, 2, 9)))
        self.assertTrue(Calendar.is_working_day(D(2027, 10, 4)))
        self.assertEqual(
            Calendar.working_days_between(D(2027, 1, 31), D(2027, 2, 28)),
            18)
        self.assertEqual(
            Calendar.add_working_days(D(2026, 12, 31), 1), D(2027, 1, 4))
        self.assertFalse(Calendar.is_provisional(D(2026, 12, 31)))
        self.assertTrue(Calendar.is_provisional(
                D(2026, 12, 31), D(2027, 1, 4)))

    @with_transaction()
    def test_provisional_2030(self):
        "2030: the Spring Festival on a weekend, National Day mid-week"
        Calendar = calendar()
        self.assertTrue(Calendar.is_provisional(D(2030, 6, 1)))
        self.assertFalse(Calendar.is_working_day(D(2030, 2, 4)))
        self.assertFalse(Calendar.is_working_day(D(2030, 2, 5)))
        self.assertTrue(Calendar.is_working_day(D(2030, 2, 6)))
        self.assertFalse(Calendar.is_working_day(D(2030, 9, 12)))
        self.assertEqual(
            Calendar.add_working_days(D(2030, 9, 30), 3), D(2030, 10, 8))

    @with_transaction()
    def test_unknown_year(self):
        "A year the law cannot be computed for is refused until official"
        Year = Pool().get('kefu.calendar.year')
        with self.assertRaises(CalendarError):
            calendar().is_working_day(D(2200, 3, 3))
        Year.make_official(Year.create([{'year': 2200, 'days': [
                            ('create', [{'date': D(2200, 1, 1),
                                        'kind': 'holiday'}])]}]))
        self.assertFalse(calendar().is_working_day(D(2200, 1, 1)))
        self.assertTrue(calendar().is_working_day(D(2200, 3, 3)))

    @with_transaction()
    def test_year_made_official(self):
        "Made official, the entered schedule replaces the law"
        pool = Pool()
        Calendar = calendar()
        Year = pool.get('kefu.calendar.year')
        Day = pool.get('kefu.calendar.day')
        year, = Year.create([{'year': 2027, 'days': [('create', [
                            {'date': D(2027, 2, 9), 'kind': 'holiday'},
                            {'date': D(2027, 2, 20), 'kind': 'working_day'},
                            ])]}])
        self.assertTrue(Calendar.is_provisional(D(2027, 2, 9)))
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 9)))
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 8)))
        with patch.object(Calendar, 'years_became_official') as hook:
            Year.make_official([year])
        hook.assert_called_once_with([2027])
        self.assertEqual(year.state, 'official')
        self.assertFalse(Calendar.is_provisional(D(2027, 2, 9)))
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 9)))
        self.assertTrue(Calendar.is_working_day(D(2027, 2, 20)))
        # A day not entered still follows the law and the week.
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 8)))
        self.assertTrue(Calendar.is_working_day(D(2027, 2, 10)))

        with self.assertRaises(CalendarError):
            Day.create([{'date': D(2027, 3, 1), 'kind': 'holiday'}])
        with self.assertRaises(CalendarError):
            Day.write(list(year.days), {'kind': 'holiday'})
        with self.assertRaises(CalendarError):
            Year.delete([year])

    @with_transaction()
    def test_hook_only_when_a_year_becomes_official(self):
        "The recompute hook is called with the years made official only"
        pool = Pool()
        Calendar = calendar()
        Year = pool.get('kefu.calendar.year')
        Day = pool.get('kefu.calendar.day')
        with patch.object(Calendar, 'years_became_official') as hook:
            Day.create([{'date': D(2028, 1, 3), 'kind': 'holiday'}])
            y2028, = Year.search([('year', '=', 2028)])
            y2029, = Year.create([{'year': 2029}])
            Year.reopen([y2028])
            hook.assert_not_called()
            Year.make_official([y2029, y2028])
            hook.assert_called_once_with([2028, 2029])
            Year.make_official([y2028])
            hook.assert_called_once()
            Year.reopen([y2028])
            Year.make_official([y2028])
            self.assertEqual(hook.call_args_list[-1].args, ([2028],))
            self.assertEqual(hook.call_count, 2)

    @with_transaction()
    def test_import(self):
        "Importing a schedule enters its days and makes its year official"
        pool = Pool()
        Calendar = calendar()
        Year = pool.get('kefu.calendar.year')
        Day = pool.get('kefu.calendar.day')
        Day.create([
                {'date': D(2027, 3, 1), 'kind': 'holiday'},
                {'date': D(2027, 2, 5), 'kind': 'working_day'},
                ])
        with patch.object(Calendar, 'years_became_official') as hook:
            self.enter_2027()
        hook.assert_called_once_with([2027])
        year, = Year.search([('year', '=', 2027)])
        self.assertEqual(year.state, 'official')
        self.assertEqual(
            [(d.date, d.kind, d.name) for d in sorted(
                    year.days, key=lambda d: d.date)][-3:], [
                (D(2027, 2, 10), 'holiday', "春节"),
                (D(2027, 2, 11), 'holiday', "春节"),
                (D(2027, 2, 20), 'working_day', "春节调休"),
                ])
        self.assertEqual(len(year.days), 9)
        # The days entered before are replaced by the schedule.
        self.assertTrue(Calendar.is_working_day(D(2027, 3, 1)))
        self.assertFalse(Calendar.is_working_day(D(2027, 2, 5)))
        self.assertFalse(Calendar.is_provisional(D(2027, 2, 5)))

        with self.assertRaises(CalendarError):
            self.enter_2027()

    @with_transaction()
    def test_import_file(self):
        "A CSV file saved by a Chinese spreadsheet (GB18030) is read"
        Import = Pool().get('kefu.calendar.import', type='wizard')
        session_id, _, _ = Import.create()
        wizard = Import(session_id)
        wizard.start.file = SCHEDULE_2027.encode('gb18030')
        wizard.start.text = None
        wizard.transition_import_()
        self.assertFalse(calendar().is_working_day(D(2027, 2, 10)))

    @with_transaction()
    def test_import_bad_lines(self):
        "A bad line is refused with a message naming it"
        for text, message in [
                ("2027-01-01,holiday\n2027-13-01,holiday", 'Line 2'),
                ("2027-01-01,holiday\n\n2027-01-02", 'Line 3'),
                ("date,kind\n2027-01-01,day off", 'Line 2'),
                ("1/1/2027,holiday", 'Line 1'),
                ("2027-01-01,holiday\n2027-01-01,holiday", 'Line 2'),
                ("date,kind,name\n", 'no day'),
                ]:
            with self.subTest(text=text), \
                    self.assertRaisesRegex(CalendarError, message):
                parse_schedule(text)

    @with_transaction()
    def test_bad_import_changes_nothing(self):
        "A refused import leaves the year provisional and its days as they were"
        pool = Pool()
        Import = pool.get('kefu.calendar.import', type='wizard')
        Day = pool.get('kefu.calendar.day')
        Day.create([{'date': D(2027, 3, 1), 'kind': 'holiday'}])
        session_id, _, _ = Import.create()
        wizard = Import(session_id)
        wizard.start.file = None
        wizard.start.text = "2027-02-05,holiday\n2027-02-06,rest"
        with self.assertRaisesRegex(CalendarError, 'Line 2'):
            wizard.transition_import_()
        self.assertEqual([d.date for d in Day.search([])], [D(2027, 3, 1)])
        self.assertTrue(calendar().is_provisional(D(2027, 3, 1)))

    @with_transaction()
    def test_answers_are_cached(self):
        "Once a year is loaded, no answer reads the database"
        pool = Pool()
        Calendar = calendar()
        Year = pool.get('kefu.calendar.year')
        Calendar.add_working_days(D(2027, 1, 1), 1)
        with patch.object(Year, 'search', side_effect=AssertionError):
            self.assertEqual(
                Calendar.working_days_between(D(2027, 1, 1), D(2027, 12, 31)),
                254)

    @with_transaction()
    def test_settings_default(self):
        "The end of a working day and the warning start have defaults"
        self.assertEqual(calendar().settings(), {
                'day_end': dt.time(23, 59, 59),
                'warning_start': (11, 1),
                })

    @with_transaction()
    def test_deadline_elapsed_time(self):
        "Minutes and hours count elapsed time, calendar days the same hour"
        Calendar = calendar()
        with set_company(shanghai_company()):
            self.assertEqual(
                Calendar.deadline(T(2026, 2, 13, 15, 50), 30, 'minutes'),
                T(2026, 2, 13, 16, 20))
            self.assertEqual(
                Calendar.deadline(T(2026, 2, 13, 10), 48, 'hours'),
                T(2026, 2, 15, 10))
            # 2026-10-01 01:00 in Shanghai, a holiday: calendar days ignore it.
            self.assertEqual(
                Calendar.deadline(T(2026, 9, 30, 17), 1, 'calendar_days'),
                T(2026, 10, 1, 17))
            with self.assertRaises(ValueError):
                Calendar.deadline(T(2026, 9, 30, 17), 1, 'weeks')

    @with_transaction()
    def test_deadline_spring_festival(self):
        "Working-day deadlines across the 2026 Spring Festival, in Shanghai"
        Calendar = calendar()
        company = shanghai_company()
        with set_company(company):
            # Friday 2026-02-13 10:00 in Shanghai; 02-14 (Saturday) works.
            start = T(2026, 2, 13, 2)
            self.assertEqual(
                Calendar.deadline(start, 0, 'working_days'),
                T(2026, 2, 13, 15, 59, 59))
            self.assertEqual(
                Calendar.deadline(start, 1, 'working_days'),
                T(2026, 2, 14, 15, 59, 59))
            self.assertEqual(
                Calendar.deadline(start, 2, 'working_days'),
                T(2026, 2, 24, 15, 59, 59))
            # A start on a holiday counts from the next working day.
            self.assertEqual(
                Calendar.deadline(T(2026, 2, 17, 2), 1, 'working_days'),
                T(2026, 2, 25, 15, 59, 59))

    @with_transaction()
    def test_deadline_midnight(self):
        "The day is Shanghai's, not UTC's"
        Calendar = calendar()
        company = shanghai_company()
        # 2026-02-13 16:30 UTC is Saturday 02-14 00:30 in Shanghai, a
        # swapped working day: it counts from 02-14.
        start = T(2026, 2, 13, 16, 30)
        self.assertEqual(
            Calendar.deadline(start, 1, 'working_days', company=company),
            T(2026, 2, 24, 15, 59, 59))
        company.timezone = 'UTC'
        company.save()
        self.assertEqual(
            Calendar.deadline(start, 1, 'working_days', company=company),
            T(2026, 2, 14, 23, 59, 59))

    @with_transaction()
    def test_deadline_national_day(self):
        "Working-day deadlines across the 2025 National Day"
        Calendar = calendar()
        with set_company(shanghai_company()):
            # Tuesday 2025-09-30 09:00 in Shanghai; 10-01..10-08 off.
            self.assertEqual(
                Calendar.deadline(T(2025, 9, 30, 1), 1, 'working_days'),
                T(2025, 10, 9, 15, 59, 59))
            # Saturday 10-04 counts from Thursday 10-09.
            self.assertEqual(
                Calendar.deadline(T(2025, 10, 4, 1), 0, 'working_days'),
                T(2025, 10, 9, 15, 59, 59))
            self.assertEqual(
                Calendar.deadline(T(2025, 10, 4, 1), 1, 'working_days'),
                T(2025, 10, 10, 15, 59, 59))
            # Sunday 09-28 is a swapped working day: it counts itself.
            self.assertEqual(
                Calendar.deadline(T(2025, 9, 28, 1), 1, 'working_days'),
                T(2025, 9, 29, 15, 59, 59))

    @with_transaction()
    def test_deadline_end_of_working_day(self):
        "A configured end of day ends deadlines and moves later starts on"
        pool = Pool()
        Calendar = calendar()
        Configuration = pool.get('kefu.configuration')
        config = Configuration(1)
        config.working_day_end = dt.time(17, 30)
        config.save()
        with set_company(shanghai_company()):
            # 2025-09-30 17:00 in Shanghai, before the end of the day.
            self.assertEqual(
                Calendar.deadline(T(2025, 9, 30, 9), 1, 'working_days'),
                T(2025, 10, 9, 9, 30))
            # 18:00, after it: counts from 10-09.
            self.assertEqual(
                Calendar.deadline(T(2025, 9, 30, 10), 1, 'working_days'),
                T(2025, 10, 10, 9, 30))

    @with_transaction()
    def test_deadline_provisional_years(self):
        "Deadlines in 2027 and 2030 are computed and marked provisional"
        Calendar = calendar()
        with set_company(shanghai_company()):
            # Thursday 2027-02-04 10:00; 02-05 and 02-08 are statutory.
            deadline = Calendar.deadline(T(2027, 2, 4, 2), 1, 'working_days')
            self.assertEqual(deadline, T(2027, 2, 9, 15, 59, 59))
            self.assertTrue(Calendar.is_provisional(deadline))
            self.assertEqual(
                Calendar.deadline(T(2030, 9, 30, 2), 3, 'working_days'),
                T(2030, 10, 8, 15, 59, 59))
            # 2026-12-31 16:30 UTC is already 2027 in Shanghai.
            self.assertTrue(Calendar.is_provisional(T(2026, 12, 31, 16, 30)))
            self.assertFalse(Calendar.is_provisional(T(2026, 12, 31, 15, 30)))
            self.assertFalse(Calendar.is_provisional(D(2026, 12, 31)))

    @with_transaction()
    def test_deadline_year_made_official(self):
        "A 2027 deadline follows the official schedule once entered"
        Calendar = calendar()
        with set_company(shanghai_company()):
            start = T(2027, 2, 4, 2)
            self.assertEqual(
                Calendar.deadline(start, 1, 'working_days'),
                T(2027, 2, 9, 15, 59, 59))
            self.enter_2027()
            deadline = Calendar.deadline(start, 1, 'working_days')
            self.assertEqual(deadline, T(2027, 2, 12, 15, 59, 59))
            self.assertFalse(Calendar.is_provisional(start, deadline))

    @with_transaction()
    def test_warn_provisional(self):
        "From 1 November the office managers hear of a provisional next year"
        pool = Pool()
        Year = pool.get('kefu.calendar.year')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        manager = office_manager('manager')
        other, = User.create([{'name': "Front", 'login': 'front'}])

        Year.warn_provisional(D(2026, 10, 31))
        self.assertEqual(Notification.search([]), [])

        Year.warn_provisional(D(2026, 11, 1))
        # The administrators are office managers too (a child group).
        admin, = User.search([('login', '=', 'admin')])
        self.assertEqual(
            {n.user for n in Notification.search([])}, {manager, admin})
        notification, = Notification.search([('user', '=', manager.id)])
        self.assertIn("2027", notification.description)
        self.assertEqual(notification.model, 'kefu.calendar.year')
        year, = Year.search([('year', '=', 2027)])
        self.assertEqual(notification.records, '[%s]' % year.id)

        # Not again while the warning is unread; again once read.
        mine = [('user', '=', manager.id)]
        Year.warn_provisional(D(2026, 11, 2))
        self.assertEqual(len(Notification.search(mine)), 1)
        Notification.write([notification], {'unread': False})
        Year.warn_provisional(D(2026, 11, 3))
        self.assertEqual(len(Notification.search(mine)), 2)
        self.assertEqual(
            Notification.search([('user', '=', other.id)]), [])

        Notification.write(Notification.search([]), {'unread': False})
        Year.make_official([year])
        Year.warn_provisional(D(2026, 11, 4))
        self.assertEqual(len(Notification.search(mine)), 2)

    @with_transaction()
    def test_warn_provisional_cron(self):
        "The scheduled action runs the warning, from the configured day"
        pool = Pool()
        Cron = pool.get('ir.cron')
        Date = pool.get('ir.date')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        Configuration = pool.get('kefu.configuration')
        manager = office_manager('manager')
        mine = [('user', '=', manager.id)]
        cron = Cron(ModelData.get_id(
                'kefu_base', 'cron_calendar_warn_provisional'))
        self.assertEqual(cron.method, 'kefu.calendar.year|warn_provisional')
        config = Configuration(1)
        config.calendar_warning_month = 12
        config.calendar_warning_day = 15
        config.save()
        with patch.object(Date, 'today', return_value=D(2026, 12, 14)):
            Cron.run_once([cron])
        self.assertEqual(Notification.search(mine), [])
        with patch.object(Date, 'today', return_value=D(2026, 12, 15)):
            Cron.run_once([cron])
        self.assertEqual(len(Notification.search(mine)), 1)
