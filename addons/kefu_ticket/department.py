# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The departments that do the work of the tickets (工程部, 秩序维护部,
保洁部, 客服部 ...), who of their staff is on duty, and the rules that say
which department a new ticket goes to."""
import datetime as dt

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.modules.kefu_base.model import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

# The kinds of ticket; kefu.ticket and the rules of this module share them.
KINDS = [
    ('complaint', "Complaint"),
    ('repair', "Repair"),
    ('inquiry', "Inquiry"),
    ('suggestion', "Suggestion"),
    ('help', "Help"),
    ('emergency', "Emergency"),
    ]
DEPARTMENT_KINDS = [
    ('engineering', "Engineering"),
    ('security', "Security"),
    ('cleaning', "Cleaning"),
    ('customer_service', "Customer Service"),
    ('other', "Other"),
    ]


def users_of(employees):
    "Return the ids of the active users working as one of the employees"
    User = Pool().get('res.user')
    employee_ids = [int(e) for e in employees if e]
    if not employee_ids:
        return []
    with without_check_access():
        users = User.search([('employees', 'in', employee_ids)])
    return sorted(u.id for u in users)


class Department(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Department"
    __name__ = 'kefu.department'

    name = fields.Char(
        "Name", required=True, translate=True,
        help="The name of the department as staff and residents know it, "
        "e.g. 工程部.")
    code = fields.Char(
        "Code", required=True, strip=True,
        help="A short code of the department, unique within the company, "
        "used in reports.")
    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE',
        help="The property-management company the department belongs to.")
    kind = fields.Selection(
        DEPARTMENT_KINDS, "Kind", required=True,
        help="What the department does; emergencies go to the duty manager "
        "of the security or the engineering department.")
    head = fields.Many2One(
        'company.employee', "Head", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        help="The head of the department (部门负责人), told of its important "
        "complaints.")
    duty_manager = fields.Many2One(
        'company.employee', "Duty Manager", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        help="The duty manager (值班经理) of the current shift, told at once "
        "of an emergency; change it at each shift handover.")
    email = fields.Char(
        "E-Mail",
        help="The mailbox of the department; the day's open work is sent "
        "to it at 17:00.")
    members = fields.One2Many(
        'kefu.department.member', 'department', "Members",
        help="The staff of the department who take tickets and work orders "
        "in turn while they are on duty.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_code_unique', Unique(t, t.company, t.code),
                'kefu_ticket.msg_department_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'code')

    def next_assignee(self):
        """Return the employee whose turn it is among the members on duty,
        or None when nobody is on duty, and record that it was their turn."""
        pool = Pool()
        Member = pool.get('kefu.department.member')
        # Two tickets assigned at once wait here for each other: the
        # second one then sees the turn the first one took.
        self.lock()
        with without_check_access():
            members = Member.search([
                    ('department', '=', self.id),
                    ('on_duty', '=', True),
                    ('employee.active', '=', True),
                    ], order=[
                    ('last_assigned_at', 'ASC NULLS FIRST'),
                    ('id', 'ASC'),
                    ], limit=1)
            if not members:
                return None
            member, = members
            member.last_assigned_at = dt.datetime.now()
            member.save()
        return member.employee


class DepartmentMember(ModelSQL, ModelView):
    __string__ = "Department Member"
    __name__ = 'kefu.department.member'

    department = fields.Many2One(
        'kefu.department', "Department", required=True, ondelete='CASCADE',
        help="The department the employee works in.")
    company = fields.Function(
        fields.Many2One(
            'company.company', "Company",
            help="The company of the department."),
        'on_change_with_company', searcher='search_company')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        help="The staff member who takes the department's work in turn.")
    on_duty = fields.Boolean(
        "On Duty",
        help="The member is on duty and takes the next work in turn; "
        "untick it for those off shift, on leave or out sick.")
    # A timestamp keeps the microseconds a DateTime drops: the turns of
    # several tickets assigned within the same second stay in order.
    last_assigned_at = fields.Timestamp(
        "Last Assigned At", readonly=True,
        help="When the member last got work in turn; the member who waited "
        "longest is next.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('department_employee_unique',
                Unique(t, t.department, t.employee),
                'kefu_ticket.msg_department_member_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.employee, Index.Range())))
        cls._order = [('department', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_on_duty(cls):
        return True

    @fields.depends('department', '_parent_department.company')
    def on_change_with_company(self, name=None):
        return self.department.company if self.department else None

    @classmethod
    def search_company(cls, name, clause):
        return [('department.company' + clause[0][len(name):], *clause[1:])]

    def get_rec_name(self, name):
        return '%s - %s' % (
            self.department.rec_name, self.employee.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(
            clause, 'department.rec_name', 'employee.rec_name')

    @classmethod
    def copy(cls, members, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('last_assigned_at', None)
        return super().copy(members, default=default)


class AssignmentRule(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Ticket Assignment Rule"
    __name__ = 'kefu.ticket.assignment.rule'

    company = fields.Many2One(
        'company.company', "Company", required=True, ondelete='CASCADE',
        help="The company whose tickets the rule assigns.")
    estate = fields.Many2One(
        'kefu.estate', "Estate", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        help="The rule applies only to the tickets of this estate; "
        "leave empty for every estate.")
    kind = fields.Selection(
        [(None, "")] + KINDS, "Kind",
        help="The rule applies only to the tickets of this kind; "
        "leave empty for every kind.")
    category = fields.Many2One(
        'kefu.ticket.category', "Category", ondelete='CASCADE',
        help="The rule applies only to the tickets of this category; "
        "leave empty for every category.")
    department = fields.Many2One(
        'kefu.department', "Department", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        help="The department that gets the tickets the rule matches.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return self.department.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('department.rec_name', *clause[1:])]

    @classmethod
    def find(cls, estate, kind, category, company=None):
        """Return the department of the first rule, by sequence, whose
        criteria all match (an empty criterion matches anything), or None.

        estate, category and company are records or ids (or None); company
        defaults to the estate's."""
        Estate = Pool().get('kefu.estate')
        if company is None and estate:
            company = Estate(int(estate)).company
        if not company:
            return None

        def any_or(name, value):
            value = int(value) if value else None
            if value is None:
                return [(name, '=', None)]
            return ['OR', (name, '=', None), (name, '=', value)]
        with without_check_access():
            rules = cls.search([
                    ('company', '=', int(company)),
                    ('department.active', '=', True),
                    any_or('estate', estate),
                    any_or('category', category),
                    ['OR', ('kind', '=', None), ('kind', '=', kind or None)],
                    ], limit=1)
        if rules:
            rule, = rules
            return rule.department
