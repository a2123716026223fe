# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What several models of kefu_base share: the search on several fields for
a record's name, and for the front-desk registers (duty log, visitor slips,
registered mail) a number from the sequence of the configuration, the
company of the estate, the staff member who acted and date-times written
in the estate's time zone."""
from trytond.model import fields
from trytond.modules.company.model import employee_field
from trytond.pool import Pool
from trytond.tools.timezone import UTC, get_tzinfo
from trytond.transaction import Transaction


def rec_name_domain(clause, *names):
    "Return the domain searching clause's value in each of the fields names"
    _, operator, operand, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((n, operator, operand, *extra) for n in names)]


def join_names(names):
    "Join names as the user's language lists them: 张三、李四 in Chinese"
    language = Transaction().language or ''
    return ('、' if language.startswith('zh') else ', ').join(names)


def local_time(value, estate):
    "Format a stored (UTC) date-time in the time zone of the estate's company"
    if not value:
        return ''
    zone = estate.company.timezone
    zone = get_tzinfo(zone) if zone else UTC
    return value.replace(tzinfo=UTC).astimezone(zone).strftime(
        '%Y-%m-%d %H:%M')


def staff_field(string, help):
    "The employee who did a staff action; set by the action, never typed"
    field = employee_field(string)
    field.readonly = True
    field.ondelete = 'RESTRICT'
    field.help = help
    return field


def employee_for(company, user=None):
    """Return the id of the employee of user (the current user by default)
    working for company, or None.

    The current user's employee is the one chosen in the preferences
    (the context's employee)."""
    User = Pool().get('res.user')
    if user is None:
        user = User(Transaction().user)
    employee = user.employee
    if employee and company and employee.company == company:
        return employee.id


class NumberMixin:
    """A human number taken, when the record is saved, from the sequence the
    configuration holds for the company of the record's estate; and who
    registered it: the current user's employee of that company"""
    __slots__ = ()
    # the name of the sequence field of kefu.configuration
    _number_sequence = None
    # the name of the staff field of who registered the record, if any
    _registered_by = None
    number = fields.Char(
        "Number", readonly=True,
        help="The number given automatically when the record is saved; "
        "quote it when you talk about this record.")

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Estate = pool.get('kefu.estate')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('estate'):
            company = Estate(values['estate']).company
            if not values.get('number'):
                values['number'] = Configuration(1).get_number(
                    cls._number_sequence, company)
            if cls._registered_by and not values.get(cls._registered_by):
                values[cls._registered_by] = employee_for(company)
        return values

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(records, default=default)


class EstateCompanyMixin:
    "The company of the record's estate, whose employees act on the record"
    __slots__ = ()
    company = fields.Function(
        fields.Many2One(
            'company.company', "Company",
            help="The company that runs the estate."),
        'on_change_with_company', searcher='search_company')

    @fields.depends('estate', '_parent_estate.company')
    def on_change_with_company(self, name=None):
        return self.estate.company if self.estate else None

    @classmethod
    def search_company(cls, name, clause):
        return [('estate.company' + clause[0][len(name):], *clause[1:])]
