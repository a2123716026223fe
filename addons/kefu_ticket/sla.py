# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The clocks of the manual (服务时限): the policy table of deadlines, the
escalation ladder, and the one function that turns a start, an amount and
the pauses into a deadline on the working-day calendar."""
import datetime as dt

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from .department import KINDS
from .exceptions import SlaRuleError

UNITS = [
    ('minutes', "Minutes"),
    ('hours', "Hours"),
    ('calendar_days', "Calendar Days"),
    ('working_days', "Working Days"),
    ]
DOCUMENTS = [
    ('ticket', "Ticket"),
    ('work_order', "Work Order"),
    ]
MILESTONES = [
    ('feedback', "Feedback to the Resident"),
    ('head', "Head Notified"),
    ('answer', "Clear Answer"),
    ('resolve', "Resolved"),
    ('file_card', "Complaint File Card"),
    ('callback', "Return Visit"),
    ('notify', "Repairer Notified"),
    ('arrive', "On Site"),
    ('start', "Work Started"),
    ('check', "Work Checked"),
    ]
TICKET_MILESTONES = [
    'feedback', 'head', 'answer', 'resolve', 'file_card', 'callback']
WORK_ORDER_MILESTONES = ['notify', 'arrive', 'start', 'check']
COMPLAINT_CLASSES = [
    ('class_1', "Class 1: Our Service"),
    ('class_2', "Class 2: Developer and Building Quality"),
    ('class_3', "Class 3: Outside Our Remit"),
    ]
SEVERITIES = [
    ('major', "Major"),
    ('important', "Important"),
    ('minor', "Minor"),
    ]
RECIPIENTS = [
    ('assignee', "Assignee"),
    ('department_head', "Department Head"),
    ('office_head', "Office Head"),
    ('duty_manager', "Duty Manager"),
    ('general_manager', "General Manager"),
    ]
# The criteria a rule may set, in the order they make it more specific.
CRITERIA = ['kind', 'complaint_class', 'severity', 'category', 'safety',
    'leak']


def now():
    """The current time, naive UTC; every clock of the module reads it here
    so that tests can set it (patch trytond.modules.kefu_ticket.sla.now)"""
    return dt.datetime.now().replace(microsecond=0)


def due(start, amount, unit, pauses=(), company=None, end_of_day=False):
    """Return the deadline amount units after start, the clock stopped
    during pauses, or None while a pause that began before the deadline is
    still running.

    start and the result are naive UTC datetimes; pauses are (begin, end)
    pairs (end None: still paused).  Minutes, hours and calendar days
    are moved by the paused time; working days by the working days a pause
    covers (its first day not counted, so a pause within one day moves
    nothing), on kefu_base's calendar in the company's time zone.  With
    end_of_day the deadline is the end of its (local) day."""
    Calendar = Pool().get('kefu.calendar')
    deadline = Calendar.deadline(start, amount, unit, company)
    extra = dt.timedelta() if unit != 'working_days' else 0
    for begin, end in sorted(pauses, key=lambda p: p[0]):
        begin = max(begin, start)
        if begin >= deadline or (end is not None and end <= begin):
            continue
        if end is None:
            return None
        if unit == 'working_days':
            extra += Calendar.working_days_between(
                Calendar._local_date(begin), Calendar._local_date(end))
            deadline = Calendar.deadline(
                start, amount + extra, unit, company)
        else:
            extra += end - begin
            deadline = Calendar.deadline(
                start, amount, unit, company) + extra
    if end_of_day and unit != 'working_days':
        deadline = _end_of_day(deadline, company)
    return deadline


def _end_of_day(value, company):
    Calendar = Pool().get('kefu.calendar')
    zone = Calendar._timezone(company)
    day_end = Calendar.settings()['day_end']
    local = value.replace(tzinfo=tz.UTC).astimezone(zone)
    end = dt.datetime.combine(local.date(), day_end, tzinfo=zone)
    return end.astimezone(tz.UTC).replace(tzinfo=None)


class SlaRule(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Service Time Limit"
    __name__ = 'kefu.ticket.sla.rule'

    document = fields.Selection(
        DOCUMENTS, "Document", required=True,
        help="Whether the time limit applies to tickets or to work orders.")
    milestone = fields.Selection(
        MILESTONES, "Milestone", required=True,
        domain=[
            ('milestone', 'in', If(Eval('document') == 'work_order',
                    WORK_ORDER_MILESTONES, TICKET_MILESTONES)),
            ],
        help="What must happen before the time limit: feedback to the "
        "resident, head notified, clear answer, resolved, complaint file "
        "card, return visit; for work orders: repairer notified, on site, "
        "work started, work checked.")
    kind = fields.Selection(
        [(None, "")] + KINDS, "Kind",
        help="Only tickets of this kind; empty for every kind.")
    complaint_class = fields.Selection(
        [(None, "")] + COMPLAINT_CLASSES, "Complaint Class",
        help="Only complaints of this class; empty for every class.")
    severity = fields.Selection(
        [(None, "")] + SEVERITIES, "Severity",
        help="Only complaints of this severity; empty for every severity.")
    category = fields.Many2One(
        'kefu.ticket.category', "Category", ondelete='CASCADE',
        help="Only tickets of this category; empty for every category.")
    safety = fields.Selection([
            (None, ""),
            ('yes', "Safety Facility"),
            ('no', "Not a Safety Facility"),
            ], "Safety",
        help="Only tickets whose category is (or is not) a safety "
        "facility; empty for both.")
    leak = fields.Selection([
            (None, ""),
            ('yes', "Leak"),
            ('no', "Not a Leak"),
            ], "Leak",
        help="Only tickets whose category is (or is not) a leak; empty for "
        "both.")
    amount = fields.Integer(
        "Amount", required=True,
        help="How many units the time limit is: 24 hours, 2 working days "
        "...; 0 with 'end of day' means the same day.")
    unit = fields.Selection(
        UNITS, "Unit", required=True,
        help="Minutes and hours count elapsed time; calendar days keep the "
        "time of day; working days end at the end of the working day and "
        "skip weekends and statutory holidays (with the swapped working "
        "weekends, 调休).")
    end_of_day = fields.Boolean(
        "End of Day",
        help="The time limit runs to the end of the day it falls on, e.g. "
        "'the same day' is 0 calendar days to the end of the day.")
    recipient = fields.Selection(
        [(None, "")] + RECIPIENTS, "Tell",
        states={'invisible': Eval('milestone') != 'head'},
        help="For 'head notified': whom the system tells when the ticket "
        "is opened.")
    milestone_string = milestone.translated('milestone')
    unit_string = unit.translated('unit')
    start = fields.Function(
        fields.Char(
            "Counted From",
            help="The moment the time limit is counted from."),
        'get_start')

    _rules_cache = Cache(__name__ + '.rules', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('document', 'ASC'))
        cls._order.insert(1, ('milestone', 'ASC'))

    @classmethod
    def default_document(cls):
        return 'ticket'

    @classmethod
    def default_unit(cls):
        return 'hours'

    @classmethod
    def default_end_of_day(cls):
        return False

    def get_start(self, name):
        return gettext('kefu_ticket.msg_sla_start_%s' % self.milestone)

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        for rule in rules:
            if rule.amount is not None and rule.amount < 0:
                raise SlaRuleError(gettext(
                        'kefu_ticket.msg_sla_rule_amount_negative',
                        rule=rule.rec_name, amount=rule.amount))

    def get_rec_name(self, name):
        return '%s: %s %s' % (
            self.milestone_string, self.amount, self.unit_string)

    @classmethod
    def on_modification(cls, mode, rules, field_names=None):
        super().on_modification(mode, rules, field_names=field_names)
        cls._rules_cache.clear()

    @classmethod
    def _rules(cls):
        "Every active rule as a tuple of plain values, most specific first"
        rules = cls._rules_cache.get(None)
        if rules is None:
            with without_check_access(), Transaction().set_context(
                    active_test=True):
                records = cls.search([])
            rules = [{
                    'document': r.document,
                    'milestone': r.milestone,
                    'kind': r.kind,
                    'complaint_class': r.complaint_class,
                    'severity': r.severity,
                    'category': r.category.id if r.category else None,
                    'safety': r.safety,
                    'leak': r.leak,
                    'amount': r.amount,
                    'unit': r.unit,
                    'end_of_day': r.end_of_day,
                    'recipient': r.recipient,
                    'sequence': r.sequence or 0,
                    'id': r.id,
                    } for r in records]
            rules.sort(key=lambda r: (
                    -sum(r[c] is not None for c in CRITERIA),
                    r['sequence'], r['id']))
            cls._rules_cache.set(None, rules)
        return rules

    @classmethod
    def find(cls, document, milestone, criteria):
        """Return the most specific rule (a dict) of document and milestone
        matching criteria, or None.

        criteria maps kind, complaint_class, severity, category (an id),
        safety and leak (booleans) to the ticket's values; a rule's empty
        criterion matches anything, a set one must be equal.  A rule that
        sets more criteria wins, then the lower sequence."""
        values = dict(criteria)
        for flag in ['safety', 'leak']:
            if flag in values and values[flag] is not None:
                values[flag] = 'yes' if values[flag] else 'no'
        for rule in cls._rules():
            if rule['document'] != document or rule['milestone'] != milestone:
                continue
            if all(rule[c] is None or rule[c] == values.get(c)
                    for c in CRITERIA):
                return rule

    @classmethod
    def due_for(cls, document, milestone, criteria, start, pauses=(),
            company=None):
        """Return the deadline of milestone for a document matching
        criteria, counted from start with the pauses, or None when no rule
        applies (or a pause is running)."""
        rule = cls.find(document, milestone, criteria)
        if rule is None or start is None:
            return None
        return due(start, rule['amount'], rule['unit'], pauses, company,
            end_of_day=rule['end_of_day'])


class EscalationStep(ModelSQL, ModelView):
    __string__ = "Escalation Step"
    __name__ = 'kefu.ticket.escalation.step'

    milestone = fields.Selection(
        [m for m in MILESTONES if m[0] in TICKET_MILESTONES],
        "Milestone", required=True,
        help="The ticket's time limit whose breach starts this ladder.")
    level = fields.Integer(
        "Level", required=True,
        domain=[('level', '>=', 1)],
        help="1 for the first step after the breach, 2 for the next ...")
    delay = fields.Integer(
        "Delay", required=True,
        domain=[('delay', '>=', 0)],
        help="How long after the breach this step is taken; 0: at once.")
    delay_unit = fields.Selection(
        UNITS, "Delay Unit", required=True,
        help="The unit of the delay.")
    recipient = fields.Selection(
        RECIPIENTS, "Tell", required=True,
        help="Whom this step tells: the assignee, the head of the "
        "assignee's department, the head of the management office (the "
        "estate's manager), the department's duty manager, or the "
        "general manager (总经理信箱).")
    reassign = fields.Boolean(
        "Reassign",
        help="Also give the ticket to the next staff member on duty in its "
        "department.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('milestone', 'ASC'), ('level', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_delay(cls):
        return 0

    @classmethod
    def default_delay_unit(cls):
        return 'hours'

    @classmethod
    def default_reassign(cls):
        return False

    milestone_string = milestone.translated('milestone')

    def get_rec_name(self, name):
        return '%s %s' % (self.milestone_string, self.level)

    _steps_cache = Cache(__name__ + '.steps', context=False)

    @classmethod
    def on_modification(cls, mode, steps, field_names=None):
        super().on_modification(mode, steps, field_names=field_names)
        cls._steps_cache.clear()

    @classmethod
    def steps(cls, milestone):
        "The steps of milestone as dicts, by level"
        steps = cls._steps_cache.get(None)
        if steps is None:
            with without_check_access():
                records = cls.search([])
            steps = {}
            for s in records:
                steps.setdefault(s.milestone, []).append({
                        'level': s.level,
                        'delay': s.delay,
                        'delay_unit': s.delay_unit,
                        'recipient': s.recipient,
                        'reassign': s.reassign,
                        })
            for value in steps.values():
                value.sort(key=lambda s: s['level'])
            cls._steps_cache.set(None, steps)
        return steps.get(milestone, [])

    @classmethod
    def max_level(cls):
        levels = [s['level'] for m in TICKET_MILESTONES for s in cls.steps(m)]
        return max(levels, default=1)
