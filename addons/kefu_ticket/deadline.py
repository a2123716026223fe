# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The deadlines of a ticket: computed from the policy table with the
pauses, stored as pairs (due, met), the next check for the sweep, and the
sweep that escalates what is late."""
import datetime as dt

from trytond.pool import Pool
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from . import escalation, sla
from .sla import due

# Milestone -> (deadline field, the field recording when it was met).
MILESTONE_FIELDS = {
    'feedback': ('feedback_due', 'feedback_at'),
    'head': ('head_due', 'head_notified_at'),
    'answer': ('answer_due', 'answered_at'),
    'resolve': ('resolve_due', 'resolved_at'),
    'file_card': ('file_card_due', 'file_card_at'),
    'callback': ('callback_due', 'callback_at'),
    }
# The states in which the clocks run; waiting stops them, the others end.
RUNNING = ['open', 'in_progress', 'resolved', 'visited']
# A change of these recomputes the unmet deadlines and the next check (the
# state and the met moments change which clocks run).
SLA_FIELDS = {'kind', 'complaint_class', 'severity', 'category',
    'requested_by', 'reported_at', 'estate', 'state'} | {
    met for _, met in MILESTONE_FIELDS.values()}
SWEEP_BATCH = 200


class DeadlineMixin:
    "The clocks of the manual on a ticket"
    __slots__ = ()


    def _criteria(self):
        category = self.category
        return {
            'kind': self.kind,
            'complaint_class': (
                self.complaint_class if self.kind == 'complaint' else None),
            'severity': self.severity if self.kind == 'complaint' else None,
            'category': category.id if category else None,
            'safety': category.safety if category else None,
            'leak': category.leak if category else None,
            }

    def _pauses(self):
        return [(p.start, p.end) for p in self.pauses]

    def compute_deadlines(self):
        """Return the values of the unmet deadlines from the policy table,
        counted from the report (the return visit from the resolution) with
        every pause; a met deadline is never moved."""
        SlaRule = Pool().get('kefu.ticket.sla.rule')
        criteria = self._criteria()
        pauses = self._pauses()
        company = self.estate.company
        values = {}
        for milestone, (due_field, met_field) in MILESTONE_FIELDS.items():
            # met before its deadline was ever computed (the head told as
            # the ticket opened): computed once, then never moved
            if getattr(self, met_field) and getattr(self, due_field):
                continue
            start = self.reported_at
            if milestone == 'callback':
                start = self.resolved_at
            value = SlaRule.due_for(
                'ticket', milestone, criteria, start, pauses, company)
            if (milestone == 'resolve' and self.requested_by
                    and (value is None or self.requested_by < value)):
                value = self.requested_by
            if (milestone == 'file_card' and self.resolved_at
                    and not self.file_card_at):
                value = None
            values[due_field] = value
        return values

    def unmet(self):
        "The unmet milestones that have a deadline, with the deadline"
        for milestone, (due_field, met_field) in MILESTONE_FIELDS.items():
            deadline = getattr(self, due_field)
            if deadline and not getattr(self, met_field):
                yield milestone, deadline

    def compute_next_check(self, escalated=None):
        """Return the next moment the sweep must look at the ticket: the
        earliest next escalation step of an unmet deadline; None when the
        clocks are stopped."""
        Step = Pool().get('kefu.ticket.escalation.step')
        if self.state not in RUNNING:
            return None
        if escalated is None:
            escalated = self._escalated_levels()
        company = self.estate.company
        moments = []
        for milestone, deadline in self.unmet():
            done = escalated.get(milestone, set())
            for step in Step.steps(milestone):
                if step['level'] not in done:
                    moments.append(due(
                            deadline, step['delay'], step['delay_unit'],
                            company=company))
                    break
        return min(moments, default=None)

    def _escalated_levels(self):
        levels = {}
        for step in self.escalations:
            if step.reason == 'breach':
                levels.setdefault(step.milestone, set()).add(step.level)
        return levels

    def get_late(self, name):
        now = sla.now()
        return any(d < now for _, d in self.unmet()) and (
            self.state in RUNNING)

    def get_due_today(self, name):
        end = self._end_of_today()
        return any(d <= end for _, d in self.unmet()) and (
            self.state in RUNNING)

    def get_next_due(self, name):
        return min((d for _, d in self.unmet()), default=None)

    @classmethod
    def _unmet_before(cls, moment):
        return ['OR'] + [[
                (due_field, '<', moment),
                (met_field, '=', None),
                ] for due_field, met_field in MILESTONE_FIELDS.values()]

    @classmethod
    def search_late(cls, name, clause):
        _, operator, value = clause
        domain = [
            ('state', 'in', RUNNING),
            cls._unmet_before(sla.now()),
            ]
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return domain

    @classmethod
    def _end_of_today(cls):
        Calendar = Pool().get('kefu.calendar')
        zone = Calendar._timezone()
        local = sla.now().replace(tzinfo=tz.UTC).astimezone(zone)
        end = dt.datetime.combine(
            local.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return end.astimezone(tz.UTC).replace(tzinfo=None)

    @classmethod
    def search_due_today(cls, name, clause):
        _, operator, value = clause
        domain = [
            ('state', 'in', RUNNING),
            cls._unmet_before(cls._end_of_today()),
            ]
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return domain

    @classmethod
    def recompute(cls, tickets):
        """Recompute the unmet deadlines and the next check of tickets
        (after a change of severity, kind or class, a pause, a calendar
        made official)"""
        to_write = []
        for ticket in cls.browse([t.id for t in tickets]):
            if ticket.state == 'draft':
                continue
            values = {}
            if ticket.state not in ['waiting', 'closed', 'cancelled']:
                values = ticket.compute_deadlines()
                for field, value in values.items():
                    setattr(ticket, field, value)
            values['sla_next_at'] = ticket.compute_next_check()
            to_write.extend(([ticket], values))
        if to_write:
            with Transaction().set_context(_kefu_recompute=True):
                cls.write(*to_write)


    @classmethod
    def sla_sweep(cls, now=None):
        """Escalate the tickets whose next check has come, in batches,
        selecting only the due rows (the partial index on sla_next_at);
        on PostgreSQL rows another sweep holds are skipped"""
        now = now or sla.now()
        transaction = Transaction()
        database = transaction.database
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        seen = set()
        while True:
            query = table.select(
                table.id,
                where=(table.sla_next_at <= now)
                & ~table.id.in_(list(seen) or [-1]),
                order_by=[table.sla_next_at.asc],
                limit=SWEEP_BATCH)
            if database.has_select_for():
                query.for_ = database.get_select_for_skip_locked()('UPDATE')
            cursor.execute(*query)
            ids = [i for i, in cursor]
            if not ids:
                break
            seen.update(ids)
            with without_check_access(), transaction.set_context(_log=True):
                escalation.escalate(cls.browse(ids), now)
            if len(ids) < SWEEP_BATCH:
                break
