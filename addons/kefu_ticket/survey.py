# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The yearly owner opinion survey (业主意见征询表): each owner scores the
service topics from 1 to 5, and the figures per year, estate and topic."""
from decimal import Decimal

from sql import Null
from sql.aggregate import Count, Min, Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.modules.kefu_base.report import default_estate, percent, ratio
from trytond.modules.kefu_base.model import EstateCompanyMixin
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import SurveyScoreError
from .statistics import flag

MIN_SCORE, MAX_SCORE = 1, 5
# A score from this up is a satisfied answer (满意).
SATISFIED = 4


class SurveyTopic(
        sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Survey Topic"
    __name__ = 'kefu.survey.topic'

    name = fields.Char(
        "Name", required=True, translate=True,
        help="What the owners are asked to score, e.g. the service "
        "attitude.")


class Survey(EstateCompanyMixin, ModelSQL, ModelView):
    __string__ = "Owner Opinion Survey"
    __name__ = 'kefu.survey'

    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='RESTRICT',
        help="The estate the owner lives in.")
    year = fields.Integer(
        "Year", required=True,
        help="The year of the survey round the form belongs to.")
    unit = fields.Many2One(
        'kefu.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        help="The owner's unit.")
    party = fields.Many2One(
        'party.party', "Owner", ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The owner who filled in the form; empty if anonymous.")
    date = fields.Date(
        "Date", required=True,
        help="The day the form was filled in.")
    answers = fields.One2Many(
        'kefu.survey.answer', 'survey', "Answers",
        help="The owner's score for each topic.")
    comments = fields.Text(
        "Comments",
        help="The owner's other opinions and suggestions, in their words.")
    average_score = fields.Function(
        fields.Numeric(
            "Average Score", digits=(3, 2),
            help="The average of the scores given on this form."),
        'get_average_score')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.estate, Index.Equality()), (t.year, Index.Range())))
        cls._order = [('year', 'DESC'), ('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_year(cls):
        return cls.default_date().year

    @classmethod
    def default_estate(cls):
        return default_estate()

    @classmethod
    def default_answers(cls):
        "A new form has a line for each topic asked this year"
        pool = Pool()
        Topic = pool.get('kefu.survey.topic')
        Answer = pool.get('kefu.survey.answer')
        return [Answer(topic=t) for t in Topic.search([])]

    @fields.depends('unit', 'estate', 'party')
    def on_change_unit(self):
        if self.unit:
            self.estate = self.unit.estate
            owners = [o.party for o in self.unit.current_ownerships]
            if not self.party and owners:
                self.party = owners[0]

    def get_rec_name(self, name):
        who = self.unit or self.party or self.estate
        return '%s %s' % (self.year, who.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('unit.rec_name', *clause[1:]),
            ('party.rec_name', *clause[1:]),
            ]

    def get_average_score(self, name):
        scores = [a.score for a in self.answers if a.score is not None]
        if scores:
            return (Decimal(sum(scores)) / len(scores)).quantize(
                Decimal('0.01'))


class SurveyAnswer(ModelSQL, ModelView):
    __string__ = "Survey Answer"
    __name__ = 'kefu.survey.answer'

    survey = fields.Many2One(
        'kefu.survey', "Survey", required=True, ondelete='CASCADE',
        help="The form the answer is on.")
    topic = fields.Many2One(
        'kefu.survey.topic', "Topic", required=True, ondelete='RESTRICT',
        help="What the owner scores.")
    score = fields.Integer(
        "Score",
        help="From 1 (very dissatisfied) to 5 (very satisfied); empty when "
        "the owner gave no score.")
    comment = fields.Char(
        "Comment",
        help="What the owner says about this topic.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('survey')
        t = cls.__table__()
        cls._sql_constraints += [
            ('survey_topic_unique', Unique(t, t.survey, t.topic),
                'kefu_ticket.msg_survey_answer_topic_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.topic, Index.Equality())))
        cls._order = [('topic', 'ASC'), ('id', 'ASC')]

    @classmethod
    def validate_fields(cls, answers, field_names):
        super().validate_fields(answers, field_names)
        if field_names is None or 'score' in field_names:
            for answer in answers:
                if (answer.score is not None
                        and not MIN_SCORE <= answer.score <= MAX_SCORE):
                    raise SurveyScoreError(gettext(
                            'kefu_ticket.msg_survey_score_range',
                            topic=answer.topic.rec_name,
                            score=answer.score,
                            min=MIN_SCORE, max=MAX_SCORE))


class SurveyStatistics(ModelSQL, ModelView):
    "The scores of the surveys per year, estate and topic"
    __string__ = "Survey Statistics"
    __name__ = 'kefu.survey.statistics'

    year = fields.Integer(
        "Year", readonly=True,
        help="The year of the survey round.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True,
        help="The estate surveyed.")
    topic = fields.Many2One(
        'kefu.survey.topic', "Topic", readonly=True,
        help="What the owners scored.")
    responses = fields.Integer(
        "Responses", readonly=True,
        help="The forms that gave this topic a score.")
    satisfied = fields.Integer(
        "Satisfied", readonly=True,
        help="The responses scoring 4 or 5.")
    average_score = fields.Numeric(
        "Average Score", digits=(3, 2), readonly=True,
        help="The average score, from 1 (very dissatisfied) to 5 (very "
        "satisfied).")
    satisfaction_rate = fields.Numeric(
        "Satisfaction Rate (%)", digits=(5, 2), readonly=True,
        help="The scores of 4 or 5 in percent of the responses (满意率).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [
            ('year', 'DESC'), ('estate', 'ASC'), ('topic', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        survey = pool.get('kefu.survey').__table__()
        answer = pool.get('kefu.survey.answer').__table__()
        responses = Count(answer.score)
        satisfied = Sum(flag(answer.score >= SATISFIED))
        return answer.join(survey, condition=answer.survey == survey.id
            ).select(
                # Each answer is in one group: the smallest id is unique.
                Min(answer.id).as_('id'),
                survey.year.as_('year'),
                survey.estate.as_('estate'),
                answer.topic.as_('topic'),
                responses.as_('responses'),
                satisfied.as_('satisfied'),
                ratio(cls.average_score, Sum(answer.score), responses
                    ).as_('average_score'),
                percent(cls.satisfaction_rate, satisfied, responses
                    ).as_('satisfaction_rate'),
                where=answer.score != Null,
                group_by=[survey.year, survey.estate, answer.topic])
