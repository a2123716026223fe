# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the shift hands over (交接班): the duty log shows the estate's
tickets still open, and at the configured hour (17:00) every department
gets its open work orders and the front desk the whole list (seed 001)."""
import datetime as dt
from email.message import EmailMessage

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.sendmail import send_message_transactional
from trytond.tools import timezone as tz
from trytond.tools.email_ import format_address
from trytond.transaction import Transaction, without_check_access

from . import sla
from .department import users_of
from .deadline import MILESTONE_FIELDS, RUNNING

OPEN_TICKETS = ['open', 'in_progress', 'waiting']
OPEN_ORDERS = ['draft', 'notified', 'on_site', 'in_progress', 'left_early',
    'finished']


class DutyLog(metaclass=PoolMeta):
    __name__ = 'kefu.duty.log'

    open_tickets = fields.Function(
        fields.Many2Many(
            'kefu.ticket', None, None, "Open Tickets",
            help="The estate's tickets not solved yet, for the next shift "
            "to follow up."),
        'get_open_tickets')

    def get_open_tickets(self, name):
        Ticket = Pool().get('kefu.ticket')
        if not self.estate:
            return []
        return [t.id for t in Ticket.search([
                    ('estate', '=', self.estate.id),
                    ('state', 'in', OPEN_TICKETS),
                    ], order=[('reported_at', 'ASC'), ('id', 'ASC')])]


class Configuration(metaclass=PoolMeta):
    __name__ = 'kefu.configuration'

    digest_hour = fields.Integer(
        "Daily Follow-Up Hour", required=True,
        domain=[('digest_hour', '>=', 0), ('digest_hour', '<=', 23)],
        help="At this hour (the company's time) every department gets the "
        "list of its open work orders and the front desk the list of the "
        "open tickets, to follow them up (17: five in the afternoon).")

    @classmethod
    def default_digest_hour(cls):
        return 17


class Digest:
    "The daily follow-up list of a company"

    def __init__(self, company, now):
        self.company = company
        self.now = now

    @classmethod
    def due(cls, now):
        """The companies whose follow-up hour is the hour of now in their
        time zone"""
        pool = Pool()
        Company = pool.get('company.company')
        Configuration = pool.get('kefu.configuration')
        hour = Configuration(1).digest_hour
        companies = []
        for company in Company.search([]):
            zone = tz.get_tzinfo(company.timezone) if company.timezone else (
                tz.UTC)
            local = now.replace(tzinfo=tz.UTC).astimezone(zone)
            if local.hour == hour:
                companies.append(company)
        return companies

    def orders(self, department):
        WorkOrder = Pool().get('kefu.work_order')
        return WorkOrder.search([
                ('department', '=', department.id),
                ('state', 'in', OPEN_ORDERS),
                ], order=[('id', 'ASC')])

    def tickets(self):
        Ticket = Pool().get('kefu.ticket')
        return Ticket.search([
                ('company', '=', self.company.id),
                ('state', 'in', OPEN_TICKETS),
                ], order=[('estate', 'ASC'), ('reported_at', 'ASC'),
                ('id', 'ASC')])

    def order_lines(self, orders, language=None):
        return [gettext('kefu_ticket.msg_digest_order_line',
                language=language,
                number=o.number, ticket=o.ticket.rec_name,
                place=self._place(o.ticket),
                assignee=o.assignee.rec_name if o.assignee else '-',
                state=o.state_string,
                late=self._late(o.late, language))
            for o in orders]

    def ticket_lines(self, tickets, language=None):
        return [gettext('kefu_ticket.msg_digest_ticket_line',
                language=language,
                number=t.number, kind=t.kind_string,
                place=self._place(t),
                department=t.department.rec_name if t.department else '-',
                state=t.state_string,
                late=self._late(t.late, language))
            for t in tickets]

    def _place(self, ticket):
        return ticket.unit.rec_name if ticket.unit else ticket.estate.rec_name

    def _late(self, late, language):
        return gettext('kefu_ticket.msg_digest_late',
            language=language) if late else ''

    def send(self):
        "Tell each department its open work orders and the front desk all"
        pool = Pool()
        Department = pool.get('kefu.department')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        for department in Department.search([
                    ('company', '=', self.company.id)]):
            orders = self.orders(department)
            if not orders:
                continue
            employees = [m.employee for m in department.members]
            self._tell(User.browse(users_of(employees)), orders,
                self.order_lines, 'msg_digest_orders_label',
                department=department.rec_name)
            if department.email:
                self._mail(department.email, orders, self.order_lines,
                    'msg_digest_orders_label', department=department.rec_name)
        tickets = self.tickets()
        if tickets:
            front_desk = User.search([
                    ('groups', '=', ModelData.get_id(
                            'kefu_base', 'group_front_desk')),
                    ('companies', '=', self.company.id),
                    ])
            self._tell(front_desk, tickets, self.ticket_lines,
                'msg_digest_tickets_label')

    def _tell(self, users, records, lines, label, **variables):
        for user in users:
            language = user.language.code if user.language else None
            records[0].__class__.notify_user(
                records, 'tryton-notification',
                gettext('kefu_ticket.%s' % label, language=language,
                    count=len(records), **variables),
                description='\n'.join(lines(records, language)),
                user=user.id)

    def _mail(self, address, records, lines, label, **variables):
        msg = EmailMessage()
        msg['From'] = config.get('email', 'from')
        msg['To'] = format_address(address)
        msg['Subject'] = gettext('kefu_ticket.%s' % label,
            count=len(records), **variables)
        msg.set_content('\n'.join(lines(records)))
        send_message_transactional(msg)


def send_digests(now=None):
    """Send the daily follow-up lists of the companies whose follow-up
    hour has come; the scheduled action runs every hour"""
    now = now or sla.now()
    with without_check_access():
        for company in Digest.due(now):
            with Transaction().set_context(company=company.id):
                Digest(company, now).send()


class Ticket(metaclass=PoolMeta):
    __name__ = 'kefu.ticket'

    @classmethod
    def send_digests(cls):
        "The scheduled action of the daily follow-up lists"
        send_digests()


class Calendar(metaclass=PoolMeta):
    __name__ = 'kefu.calendar'

    @classmethod
    def years_became_official(cls, years):
        """Recompute the unmet deadlines that fall in the years now
        official: a working-day deadline counted on the provisional
        calendar may move"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        super().years_became_official(years)
        clauses = ['OR']
        for year in years:
            start = dt.datetime(year, 1, 1) - dt.timedelta(days=1)
            end = dt.datetime(year + 1, 1, 1) + dt.timedelta(days=1)
            for due_field, met_field in MILESTONE_FIELDS.values():
                clauses.append([
                        (due_field, '>=', start),
                        (due_field, '<', end),
                        (met_field, '=', None),
                        ])
        with without_check_access():
            tickets = Ticket.search([('state', 'in', RUNNING), clauses])
            Ticket.recompute(tickets)
