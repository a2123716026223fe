# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The ticket statistics and the owner opinion survey, with figures
counted by hand.

The tickets are written as they would be at the end of their life
(states, deadlines and the times they were met): the statistics only read
them.  The company is in Asia/Shanghai (UTC+8), so a ticket reported on
31 March at 20:00 UTC is an April ticket."""
import datetime as dt
from decimal import Decimal

from trytond.model.exceptions import AccessError, SQLConstraintError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_ticket.exceptions import SurveyScoreError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction

D = dt.datetime
FIGURES = [
    'count', 'resolved', 'resolved_on_time', 'on_time_rate',
    'feedback_on_time_rate', 'callbacks_due', 'callbacks_done',
    'callback_rate', 'satisfaction', 'repeats']


def create_estate(company, code):
    Estate = Pool().get('kefu.estate')
    estate = Estate(name="Estate %s" % code, code=code, company=company)
    estate.save()
    return estate


def create_tickets(estate, *values):
    "Tickets of estate, each from its values, as if they had lived"
    Ticket = Pool().get('kefu.ticket')
    complaint = {'complaint_class': 'class_1', 'severity': 'minor'}
    return Ticket.create([{
                'estate': estate.id,
                'kind': 'complaint',
                'channel': 'phone',
                'description': "Noise at night",
                'result': "Settled with the neighbour",
                'state': 'open',
                **(complaint if v.get('kind', 'complaint') == 'complaint'
                    else {}),
                **v,
                } for v in values])


def create_callbacks(*values):
    Callback = Pool().get('kefu.callback')
    return Callback.create([{
                'method': 'phone',
                'state': 'done',
                'result': 'ok',
                **v,
                } for v in values])


class StatisticsTestCase(FreshDatabaseTestCase):
    "Test the ticket statistics and the owner opinion survey"
    module = 'kefu_ticket'

    def company(self):
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        return company

    def statistics(self, domain=None):
        "{(month, kind): figures} of the statistics rows found by domain"
        Statistics = Pool().get('kefu.ticket.statistics')
        rows = Statistics.search(domain or [])
        result = {}
        for row in rows:
            key = (row.month, row.kind)
            self.assertNotIn(key, result)
            result[key] = {f: getattr(row, f) for f in FIGURES}
        return result

    def march_and_april(self, estate):
        """Complaints and repairs of estate in March and April 2026, with
        their return visits"""
        complaint = {'kind': 'complaint'}
        c1, c2, c3, c6, c7 = create_tickets(estate, {
                # resolved and heard in time, visited: all on time
                **complaint, 'state': 'closed',
                'reported_at': D(2026, 3, 2, 2),
                'feedback_due': D(2026, 3, 2, 4),
                'feedback_at': D(2026, 3, 2, 3),
                'resolve_due': D(2026, 3, 5),
                'resolved_at': D(2026, 3, 4),
                'callback_due': D(2026, 3, 10),
                'callback_at': D(2026, 3, 8),
                }, {
                # resolved late, heard late, return visit still to make
                **complaint, 'state': 'resolved',
                'reported_at': D(2026, 3, 10),
                'feedback_due': D(2026, 3, 10, 12),
                'feedback_at': D(2026, 3, 11),
                'resolve_due': D(2026, 3, 12),
                'resolved_at': D(2026, 3, 15),
                'callback_due': D(2026, 3, 22),
                }, {
                # still in progress: not on time (yet)
                **complaint, 'state': 'in_progress',
                'reported_at': D(2026, 3, 20),
                'feedback_due': D(2026, 3, 20, 12),
                'resolve_due': D(2026, 3, 25),
                }, {
                # 1 April 04:00 in Shanghai
                **complaint, 'state': 'open',
                'reported_at': D(2026, 3, 31, 20),
                'resolve_due': D(2026, 4, 3),
                }, {
                **complaint, 'state': 'closed',
                'reported_at': D(2026, 4, 10),
                'resolve_due': D(2026, 4, 12),
                'resolved_at': D(2026, 4, 11),
                })
        c3.repeat_of = c1
        c3.save()
        # Neither the draft nor the cancelled ticket is counted.
        create_tickets(estate, {
                **complaint, 'state': 'draft',
                'reported_at': D(2026, 3, 21),
                'resolve_due': D(2026, 3, 25),
                }, {
                **complaint, 'state': 'cancelled',
                'reported_at': D(2026, 3, 22),
                'resolve_due': D(2026, 3, 25),
                'repeat_of': c1.id,
                })
        r1, r2 = create_tickets(estate, {
                # no deadline: on time, but not in the on-time rate
                'kind': 'repair', 'state': 'visited',
                'reported_at': D(2026, 3, 5),
                'resolved_at': D(2026, 3, 6),
                'callback_due': D(2026, 3, 8),
                'callback_at': D(2026, 3, 7),
                }, {
                'kind': 'repair', 'state': 'closed',
                'reported_at': D(2026, 3, 6),
                'resolve_due': D(2026, 3, 8),
                'resolved_at': D(2026, 3, 7),
                'callback_due': D(2026, 3, 9),
                'callback_at': D(2026, 3, 9),
                })
        create_callbacks(
            {'ticket': c1.id, 'satisfaction': 5, 'done_at': D(2026, 3, 8)},
            # the first visit found a problem; the second is to do
            {'ticket': c2.id, 'satisfaction': 2, 'result': 'problem',
                'done_at': D(2026, 3, 16)},
            {'ticket': c2.id, 'state': 'pending'},
            {'ticket': c2.id, 'state': 'cancelled', 'result': None},
            {'ticket': r1.id, 'satisfaction': 4, 'done_at': D(2026, 3, 7)},
            {'ticket': r2.id, 'satisfaction': 5, 'done_at': D(2026, 3, 9)},
            )
        return c1, c2, c3, c6, c7, r1, r2

    @with_transaction()
    def test_figures_per_month_and_kind(self):
        "Each month and kind has its counts, rates and satisfaction"
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            self.march_and_april(estate)

            self.assertEqual(self.statistics(), {
                    (dt.date(2026, 3, 1), 'complaint'): {
                        'count': 3, 'resolved': 2, 'resolved_on_time': 1,
                        'on_time_rate': Decimal('33.33'),
                        'feedback_on_time_rate': Decimal('33.33'),
                        'callbacks_due': 2, 'callbacks_done': 1,
                        'callback_rate': Decimal('50.00'),
                        'satisfaction': Decimal('3.50'),
                        'repeats': 1,
                        },
                    (dt.date(2026, 3, 1), 'repair'): {
                        'count': 2, 'resolved': 2, 'resolved_on_time': 2,
                        'on_time_rate': Decimal('100.00'),
                        'feedback_on_time_rate': None,
                        'callbacks_due': 2, 'callbacks_done': 2,
                        'callback_rate': Decimal('100.00'),
                        'satisfaction': Decimal('4.50'),
                        'repeats': 0,
                        },
                    (dt.date(2026, 4, 1), 'complaint'): {
                        'count': 2, 'resolved': 1, 'resolved_on_time': 1,
                        'on_time_rate': Decimal('50.00'),
                        'feedback_on_time_rate': None,
                        'callbacks_due': 0, 'callbacks_done': 0,
                        'callback_rate': None,
                        'satisfaction': None,
                        'repeats': 0,
                        },
                    })

    @with_transaction()
    def test_groups(self):
        """A row per group, whose id is its smallest ticket's; the
        category and the department make groups of their own"""
        pool = Pool()
        Statistics = pool.get('kefu.ticket.statistics')
        Category = pool.get('kefu.ticket.category')
        Department = pool.get('kefu.department')
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            lift, = Category.create([{'name': "Lift"}])
            engineering, = Department.create([{
                        'name': "Engineering", 'code': 'GC',
                        'company': company.id, 'kind': 'engineering',
                        }])
            march = {'kind': 'repair', 'reported_at': D(2026, 3, 5)}
            t1, t2, t3, t4 = create_tickets(
                estate, march, {**march, 'category': lift.id}, march,
                {**march, 'category': lift.id,
                    'department': engineering.id})

            rows = Statistics.search([])
            self.assertEqual(
                {r.id: (r.category, r.department, r.count) for r in rows},
                {
                    t1.id: (None, None, 2),
                    t2.id: (lift, None, 1),
                    t4.id: (lift, engineering, 1),
                    })
            self.assertEqual(
                [r.count for r in Statistics.browse([t2.id])], [1])

    @with_transaction()
    def test_context_domain(self):
        "The filter bar's months and estate narrow the rows"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action.act_window')
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            other = create_estate(company, 'JD')
            self.march_and_april(estate)
            create_tickets(other, {
                    'kind': 'repair', 'reported_at': D(2026, 4, 2)})

            for name in ['act_ticket_statistics',
                    'act_ticket_statistics_class',
                    'act_ticket_statistics_department']:
                action = Action(ModelData.get_id('kefu_ticket', name))

                def domain(**context):
                    return PYSONDecoder(context).decode(
                        action.context_domain)
                self.assertEqual(
                    len(self.statistics(domain())), 4)
                self.assertEqual(
                    set(self.statistics(domain(
                                from_month=dt.date(2026, 4, 1)))),
                    {(dt.date(2026, 4, 1), 'complaint'),
                        (dt.date(2026, 4, 1), 'repair')})
                self.assertEqual(
                    set(self.statistics(domain(
                                to_month=dt.date(2026, 3, 1),
                                estate=estate.id))),
                    {(dt.date(2026, 3, 1), 'complaint'),
                        (dt.date(2026, 3, 1), 'repair')})
                self.assertEqual(
                    set(self.statistics(domain(estate=other.id))),
                    {(dt.date(2026, 4, 1), 'repair')})

    @with_transaction()
    def test_context_month_first_day(self):
        "Any day picked in the filter bar stands for its month"
        Context = Pool().get('kefu.ticket.statistics.context')
        context = Context(
            from_month=dt.date(2026, 3, 17), to_month=dt.date(2026, 4, 30))
        context.on_change_from_month()
        context.on_change_to_month()
        self.assertEqual(context.from_month, dt.date(2026, 3, 1))
        self.assertEqual(context.to_month, dt.date(2026, 4, 1))

    @with_transaction()
    def test_estates_of_the_user(self):
        "Staff see the figures of their estates only"
        Statistics = Pool().get('kefu.ticket.statistics')
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            other = create_estate(company, 'JD')
            create_tickets(estate, {'reported_at': D(2026, 3, 2)})
            create_tickets(other, {'reported_at': D(2026, 3, 2)}, {
                    'reported_at': D(2026, 3, 3)})
            clerk = create_user('clerk', company, estate)
            with as_user(clerk):
                rows = Statistics.search([])
                self.assertEqual(
                    [(r.estate.id, r.count) for r in rows],
                    [(estate.id, 1)])

    @with_transaction()
    def test_new_survey_has_every_topic(self):
        "A new form has a line for each active topic, in their order"
        pool = Pool()
        Survey = pool.get('kefu.survey')
        Topic = pool.get('kefu.survey.topic')
        fees, = Topic.search([('name', '=', "Transparency of fees")])
        fees.active = False
        fees.save()
        answers = Survey.default_get(['answers'])['answers']
        self.assertEqual(
            [a['topic.']['rec_name'] for a in answers], [
                "Service attitude", "Timeliness of repairs", "Cleanliness",
                "Security and order", "Landscaping", "Complaint handling",
                ])

    @with_transaction()
    def test_survey_access(self):
        """The front desk enters the forms of its estates; engineering only
        reads them; the office manager sees every estate"""
        pool = Pool()
        Survey = pool.get('kefu.survey')
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            other = create_estate(company, 'JD')
            hidden, = Survey.create([{
                        'estate': other.id, 'year': 2026,
                        'date': dt.date(2026, 11, 5),
                        }])
            clerk = create_user('clerk', company, estate)
            engineer = create_user(
                'engineer', company, estate, group='group_engineering')
            manager = create_user(
                'manager', company, group='group_office_manager')
            with as_user(clerk):
                survey, = Survey.create([{
                            'estate': estate.id, 'year': 2026,
                            'date': dt.date(2026, 11, 6),
                            }])
                self.assertEqual(len(survey.answers), 7)
                self.assertEqual(Survey.search([]), [survey])
            with as_user(engineer):
                self.assertEqual(Survey.search([]), [survey])
                with self.assertRaises(AccessError):
                    Survey.create([{
                                'estate': estate.id, 'year': 2026,
                                'date': dt.date(2026, 11, 6),
                                }])
            with as_user(manager):
                self.assertEqual(Survey.search([]), [survey, hidden])

    @with_transaction()
    def test_survey_score_range(self):
        "A score outside 1 to 5 is refused; an empty one is no answer"
        pool = Pool()
        Survey = pool.get('kefu.survey')
        Answer = pool.get('kefu.survey.answer')
        Topic = pool.get('kefu.survey.topic')
        attitude = Topic.search([])[0]
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            survey, = Survey.create([{
                        'estate': estate.id, 'year': 2026,
                        'date': dt.date(2026, 11, 5),
                        'answers': [('create', [{
                                        'topic': attitude.id, 'score': 5,
                                        }])],
                        }])
            answer, = survey.answers
            for score in [0, 6, -1]:
                with self.subTest(score=score):
                    with self.assertRaises(SurveyScoreError) as cm:
                        Answer.write([answer], {'score': score})
                    self.assertIn(str(score), cm.exception.message)
            Answer.write([answer], {'score': None})
            Answer.write([answer], {'score': 1})
            with self.assertRaises(SQLConstraintError):
                Answer.create([{
                            'survey': survey.id, 'topic': attitude.id,
                            'score': 3,
                            }])

    @with_transaction()
    def test_survey_statistics(self):
        "Responses, average score and satisfaction rate per topic"
        pool = Pool()
        Survey = pool.get('kefu.survey')
        Statistics = pool.get('kefu.survey.statistics')
        Topic = pool.get('kefu.survey.topic')
        attitude, repairs = Topic.search([], limit=2)
        company = self.company()
        with set_company(company):
            estate = create_estate(company, 'HY')
            other = create_estate(company, 'JD')

            def survey(estate, year, attitude_score, repairs_score):
                return {
                    'estate': estate.id, 'year': year,
                    'date': dt.date(year, 11, 5),
                    'answers': [('create', [
                                {'topic': attitude.id,
                                    'score': attitude_score},
                                {'topic': repairs.id,
                                    'score': repairs_score},
                                ])],
                    }
            Survey.create([
                    survey(estate, 2026, 5, 2),
                    survey(estate, 2026, 4, None),
                    survey(estate, 2026, 3, 4),
                    survey(estate, 2025, 1, 1),
                    survey(other, 2026, 5, 5),
                    ])

            rows = Statistics.search([])
            self.assertEqual(
                [(r.year, r.estate, r.topic, r.responses, r.satisfied,
                        r.average_score, r.satisfaction_rate)
                    for r in rows],
                [
                    (2026, estate, attitude, 3, 2, Decimal('4.00'),
                        Decimal('66.67')),
                    (2026, estate, repairs, 2, 1, Decimal('3.00'),
                        Decimal('50.00')),
                    (2026, other, attitude, 1, 1, Decimal('5.00'),
                        Decimal('100.00')),
                    (2026, other, repairs, 1, 1, Decimal('5.00'),
                        Decimal('100.00')),
                    (2025, estate, attitude, 1, 0, Decimal('1.00'),
                        Decimal('0.00')),
                    (2025, estate, repairs, 1, 0, Decimal('1.00'),
                        Decimal('0.00')),
                    ])
            self.assertEqual(len({r.id for r in rows}), len(rows))

