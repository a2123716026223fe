# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The monthly figures of the tickets (投诉情况月度汇总): how many, how many
solved in time, return visits made and the residents' satisfaction, per
estate, kind, complaint class, severity, category and department."""
from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.kefu_base.report import (
    MonthRangeContextMixin, default_estate, percent, ratio)
from trytond.pool import Pool

from .department import KINDS
from .sla import COMPLAINT_CLASSES, SEVERITIES


def flag(condition):
    "1 when condition holds, else 0: summed, it counts the rows"
    return Case((condition, 1), else_=0)



class TicketStatistics(ModelSQL, ModelView):
    """Monthly figures of the tickets.

    One row per month, estate, kind, complaint class, severity, category
    and department; drafts and cancelled tickets are not counted.  The
    query reads no context (the action's context_domain filters it), so it
    can be materialised on PostgreSQL."""
    __string__ = "Ticket Statistics"
    __name__ = 'kefu.ticket.statistics'

    month = fields.Date(
        "Month", readonly=True,
        help="The month the tickets were reported in (its first day).")
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, readonly=True,
        help="The estate the tickets are about.")
    kind = fields.Selection(
        KINDS, "Kind", readonly=True,
        help="Complaint, repair, inquiry, suggestion, help or emergency.")
    complaint_class = fields.Selection(
        [(None, "")] + COMPLAINT_CLASSES, "Complaint Class", readonly=True,
        help="The class of the complaints; empty for the other kinds.")
    severity = fields.Selection(
        [(None, "")] + SEVERITIES, "Severity", readonly=True,
        help="The severity of the complaints; empty for the other kinds.")
    category = fields.Many2One(
        'kefu.ticket.category', "Category", readonly=True,
        help="What the tickets are about.")
    department = fields.Many2One(
        'kefu.department', "Department", readonly=True,
        help="The department that handles the tickets.")
    count = fields.Integer(
        "Tickets", readonly=True,
        help="The tickets reported (drafts and cancelled ones excluded).")
    resolved = fields.Integer(
        "Resolved", readonly=True,
        help="The tickets solved so far.")
    resolved_on_time = fields.Integer(
        "Resolved on Time", readonly=True,
        help="The tickets solved by their deadline, or solved when they had "
        "no deadline.")
    on_time_rate = fields.Numeric(
        "On-Time Rate (%)", digits=(5, 2), readonly=True,
        help="The tickets solved by their deadline in percent of the "
        "tickets that have a deadline; those still open count as not on "
        "time (处理及时率).")
    feedback_on_time_rate = fields.Numeric(
        "Feedback On-Time Rate (%)", digits=(5, 2), readonly=True,
        help="The tickets whose resident heard from us by the feedback "
        "deadline in percent of the tickets with a feedback deadline.")
    callbacks_due = fields.Integer(
        "Return Visits Due", readonly=True,
        help="The tickets that need a return visit (回访).")
    callbacks_done = fields.Integer(
        "Return Visits Made", readonly=True,
        help="The tickets whose return visit was made.")
    callback_rate = fields.Numeric(
        "Return Visit Rate (%)", digits=(5, 2), readonly=True,
        help="The return visits made in percent of those due (回访率).")
    satisfaction = fields.Numeric(
        "Satisfaction", digits=(3, 2), readonly=True,
        help="The average score (1 to 5) the residents gave at the return "
        "visits made.")
    repeats = fields.Integer(
        "Repeats", readonly=True,
        help="The tickets that repeat an earlier complaint about the same "
        "matter.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('estate')
        cls._order = [
            ('month', 'DESC'), ('estate', 'ASC'), ('kind', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        tickets = cls._tickets()
        return tickets.select(
            # Each ticket is in one group: the smallest id is unique.
            Min(tickets.id).as_('id'),
            *(getattr(tickets, n).as_(n) for n in cls._groups()),
            Count(tickets.id).as_('count'),
            Sum(tickets.resolved).as_('resolved'),
            Sum(tickets.resolved_on_time).as_('resolved_on_time'),
            percent(cls.on_time_rate,
                Sum(tickets.met_resolve_due), Sum(tickets.resolve_due)
                ).as_('on_time_rate'),
            percent(cls.feedback_on_time_rate,
                Sum(tickets.met_feedback_due), Sum(tickets.feedback_due)
                ).as_('feedback_on_time_rate'),
            Sum(tickets.callback_due).as_('callbacks_due'),
            Sum(tickets.callback_done).as_('callbacks_done'),
            percent(cls.callback_rate,
                Sum(tickets.callback_done), Sum(tickets.callback_due)
                ).as_('callback_rate'),
            ratio(cls.satisfaction,
                Sum(tickets.score_total), Sum(tickets.score_count)
                ).as_('satisfaction'),
            Sum(tickets.repeat).as_('repeats'),
            group_by=[getattr(tickets, n) for n in cls._groups()])

    @classmethod
    def _groups(cls):
        return ['month', 'estate', 'kind', 'complaint_class', 'severity',
            'category', 'department']

    @classmethod
    def _tickets(cls):
        """One row per ticket counted: its group and 0/1 flags to sum.

        The month is computed here and grouped on by name outside: the
        same expression twice would be two parameters on PostgreSQL, which
        it does not see as one group."""
        pool = Pool()
        ticket = pool.get('kefu.ticket').__table__()
        callback = pool.get('kefu.callback').__table__()
        scores = callback.select(
            callback.ticket,
            Sum(callback.satisfaction).as_('total'),
            Count(callback.satisfaction).as_('count'),
            where=(callback.state == 'done')
            & (callback.satisfaction != Null),
            group_by=[callback.ticket])
        resolved = ticket.resolved_at != Null
        return ticket.join(
            scores, 'LEFT', condition=scores.ticket == ticket.id
            ).select(
                ticket.id.as_('id'),
                cls.month.sql_cast(
                    DateTrunc('month', ticket.reported_date)).as_('month'),
                ticket.estate.as_('estate'),
                ticket.kind.as_('kind'),
                ticket.complaint_class.as_('complaint_class'),
                ticket.severity.as_('severity'),
                ticket.category.as_('category'),
                ticket.department.as_('department'),
                flag(resolved).as_('resolved'),
                flag(resolved & ((ticket.resolve_due == Null)
                        | (ticket.resolved_at <= ticket.resolve_due))
                    ).as_('resolved_on_time'),
                flag(ticket.resolve_due != Null).as_('resolve_due'),
                flag(ticket.resolved_at <= ticket.resolve_due).as_(
                    'met_resolve_due'),
                flag(ticket.feedback_due != Null).as_('feedback_due'),
                flag(ticket.feedback_at <= ticket.feedback_due).as_(
                    'met_feedback_due'),
                flag(ticket.callback_due != Null).as_('callback_due'),
                flag(ticket.callback_at != Null).as_('callback_done'),
                Coalesce(scores.total, 0).as_('score_total'),
                Coalesce(scores.count, 0).as_('score_count'),
                flag(ticket.repeat_of != Null).as_('repeat'),
                where=~ticket.state.in_(['draft', 'cancelled']))


class TicketStatisticsContext(MonthRangeContextMixin, ModelView):
    __string__ = "Ticket Statistics Context"
    __name__ = 'kefu.ticket.statistics.context'

    estate = fields.Many2One(
        'kefu.estate', "Estate",
        help="Only this estate; empty for every estate you look after.")

    @classmethod
    def default_estate(cls):
        return default_estate()
