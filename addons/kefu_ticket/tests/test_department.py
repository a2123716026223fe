# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The departments: work in turn among the members on duty, the rules that
choose the department of a ticket, and the employees of the user in the
context of the record rules."""
import datetime as dt
import os

from trytond import backend
from trytond.model.exceptions import SQLConstraintError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_ticket.department import users_of
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


def create_department(company, code='GC', kind='engineering', members=()):
    """A department of company whose members are the employees given as
    (name, on duty) pairs"""
    Department = Pool().get('kefu.department')
    department = Department(
        name="Department %s" % code, code=code, company=company, kind=kind,
        members=[{
                'employee': create_employee(company, name=name).id,
                'on_duty': on_duty,
                } for name, on_duty in members])
    department.save()
    return department


def create_estate(company, code):
    Estate = Pool().get('kefu.estate')
    estate = Estate(name="Estate %s" % code, code=code, company=company)
    estate.save()
    return estate


class DepartmentTestCase(FreshDatabaseTestCase):
    "Test the departments and the assignment of tickets"
    module = 'kefu_ticket'

    @with_transaction()
    def test_next_assignee_round_robin(self):
        "The members on duty take the work in turn; those off duty never"
        company = create_company()
        with set_company(company):
            department = create_department(company, members=[
                    ("Zhang", True), ("Off Duty", False),
                    ("Li", True), ("Wang", True)])
            names = [department.next_assignee().party.name
                for _ in range(5)]
            self.assertEqual(names, ["Zhang", "Li", "Wang", "Zhang", "Li"])

            off_duty = [m for m in department.members if not m.on_duty][0]
            self.assertIsNone(off_duty.last_assigned_at)
            on_duty = sorted(
                (m for m in department.members if m.on_duty),
                key=lambda m: m.last_assigned_at)
            self.assertEqual(
                [m.employee.party.name for m in on_duty],
                ["Wang", "Zhang", "Li"])

    @with_transaction()
    def test_next_assignee_new_member_first(self):
        "A member who never had work goes before those who had"
        DepartmentMember = Pool().get('kefu.department.member')
        company = create_company()
        with set_company(company):
            department = create_department(company, members=[
                    ("Zhang", True), ("Li", True)])
            self.assertEqual(department.next_assignee().party.name, "Zhang")
            DepartmentMember.create([{
                        'department': department.id,
                        'employee': create_employee(company, "Zhao").id,
                        }])
            self.assertEqual(
                [department.next_assignee().party.name for _ in range(3)],
                ["Li", "Zhao", "Zhang"])

    @with_transaction()
    def test_next_assignee_nobody(self):
        "Without a member on duty, or one still employed, there is nobody"
        Employee = Pool().get('company.employee')
        company = create_company()
        with set_company(company):
            empty = create_department(company, code='BJ', kind='cleaning')
            self.assertIsNone(empty.next_assignee())

            department = create_department(
                company, members=[("Zhang", False), ("Li", True)])
            member, = [m for m in department.members if m.on_duty]
            Employee.write([member.employee], {
                    'end_date': dt.date.today() - dt.timedelta(days=1),
                    })
            self.assertIsNone(department.next_assignee())
            self.assertEqual(
                [m.last_assigned_at for m in department.members],
                [None, None])

    @with_transaction()
    def test_next_assignee_by_front_desk(self):
        "A front-desk clerk who cannot edit members still gets the turn"
        Department = Pool().get('kefu.department')
        company = create_company()
        with set_company(company):
            department = create_department(
                company, members=[("Zhang", True), ("Li", True)])
            clerk = create_user('clerk', company)
            with as_user(clerk):
                department = Department(department.id)
                self.assertEqual(
                    department.next_assignee().party.name, "Zhang")
                self.assertEqual(department.next_assignee().party.name, "Li")

    @with_transaction()
    def test_find_rule(self):
        "The first matching rule by sequence gives the department"
        pool = Pool()
        Rule = pool.get('kefu.ticket.assignment.rule')
        Category = pool.get('kefu.ticket.category')
        company = create_company("Company A")
        other_company = create_company("Company B")
        with set_company(other_company):
            other_estate = create_estate(other_company, 'B1')
            other = create_department(other_company, code='GC')
            Rule.create([{
                        'sequence': 1, 'company': other_company.id,
                        'department': other.id,
                        }])
        with set_company(company):
            garden = create_estate(company, 'A1')
            park = create_estate(company, 'A2')
            lift = Category(name="Lift")
            lift.save()
            lawn = Category(name="Lawn")
            lawn.save()
            garden_engineering = create_department(company, code='GC1')
            engineering = create_department(company, code='GC2')
            customer_service = create_department(
                company, code='KF', kind='customer_service')
            cleaning = create_department(company, code='BJ', kind='cleaning')
            closed = create_department(company, code='XX', kind='other')
            closed.active = False
            closed.save()
            Rule.create([{
                        'sequence': 5, 'company': company.id,
                        'category': lawn.id, 'kind': 'inquiry',
                        'department': closed.id,
                        }, {
                        'sequence': 10, 'company': company.id,
                        'estate': garden.id, 'kind': 'repair',
                        'department': garden_engineering.id,
                        }, {
                        'sequence': 20, 'company': company.id,
                        'kind': 'repair', 'department': engineering.id,
                        }, {
                        'sequence': 30, 'company': company.id,
                        'category': lift.id, 'department': engineering.id,
                        }, {
                        'sequence': 40, 'company': company.id,
                        'kind': 'complaint',
                        'department': customer_service.id,
                        }, {
                        'sequence': 50, 'company': company.id,
                        'category': lawn.id, 'department': cleaning.id,
                        }])

            self.assertEqual(
                Rule.find(garden, 'repair', lift, company),
                garden_engineering)
            self.assertEqual(
                Rule.find(park, 'repair', lift, company), engineering)
            # the company is the estate's when not given
            self.assertEqual(Rule.find(park, 'repair', None), engineering)
            self.assertEqual(
                Rule.find(garden, 'complaint', lift, company), engineering)
            self.assertEqual(
                Rule.find(garden, 'complaint', None, company),
                customer_service)
            # the rule of the deactivated department is skipped
            self.assertEqual(
                Rule.find(garden, 'inquiry', lawn, company), cleaning)
            self.assertIsNone(Rule.find(garden, 'inquiry', None, company))
            self.assertIsNone(Rule.find(None, 'inquiry', None, company))
            self.assertIsNone(Rule.find(None, 'inquiry', None))
            self.assertEqual(Rule.find(other_estate, 'inquiry', None), other)

            # reordering the rules makes the general one win
            rule, = Rule.search([('department', '=', engineering.id),
                    ('kind', '=', 'repair')])
            rule.sequence = 1
            rule.save()
            self.assertEqual(
                Rule.find(garden.id, 'repair', None, company.id), engineering)

    @with_transaction()
    def test_code_unique_per_company(self):
        "Two departments of a company cannot share a code; two companies can"
        Translation = Pool().get('ir.translation')
        company = create_company("Company A")
        other_company = create_company("Company B")
        Translation.translation_import(
            'zh_CN', 'kefu_ticket',
            os.path.join(os.path.dirname(__file__), '..', 'locale',
                'zh_CN.po'))
        with set_company(other_company):
            create_department(other_company, code='GC')
        with set_company(company):
            department = create_department(company, code='GC')
            self.assertEqual(department.code, 'GC')
            # a failed insert ends the transaction on PostgreSQL, whose
            # test transaction then reads the message untranslated: last,
            # and the Chinese text checked on SQLite
            message = r'^本公司已有部门使用该编号，请换一个部门编号。'
            if backend.name != 'sqlite':
                message = r'uses this code|使用该编号'
            with Transaction().set_context(language='zh_CN'), \
                    self.assertRaisesRegex(SQLConstraintError, message):
                create_department(company, code='GC', kind='security')

    @with_transaction()
    def test_member_unique(self):
        "An employee is a member of a department once"
        DepartmentMember = Pool().get('kefu.department.member')
        company = create_company()
        with set_company(company):
            department = create_department(company, members=[("Zhang", True)])
            member, = department.members
            with self.assertRaisesRegex(
                    SQLConstraintError,
                    r'already a member of this department'):
                DepartmentMember.create([{
                            'department': department.id,
                            'employee': member.employee.id,
                            }])

    @with_transaction()
    def test_rule_context_employees(self):
        "Record rules see the employees of the user as kefu_employees"
        pool = Pool()
        Rule = pool.get('ir.rule')
        RuleGroup = pool.get('ir.rule.group')
        DepartmentMember = pool.get('kefu.department.member')
        company = create_company()
        with set_company(company):
            department = create_department(
                company, members=[("Zhang", True), ("Li", True)])
            engineer = create_user(
                'engineer', company, group='group_engineering')
            member = DepartmentMember(
                department=department, employee=engineer.employee)
            member.save()
            RuleGroup.create([{
                        'name': "Own memberships",
                        'model': 'kefu.department.member',
                        'global_p': True,
                        'rules': [('create', [{
                                        'domain': (
                                            '[["employee", "in", {"__class__":'
                                            ' "Eval", "v": "kefu_employees",'
                                            ' "d": []}]]'),
                                        }])],
                        }])
            self.assertEqual(users_of([engineer.employee]), [engineer.id])
            self.assertEqual(users_of([]), [])
            with as_user(engineer):
                self.assertEqual(
                    Rule._get_context('kefu.department.member')[
                        'kefu_employees'],
                    (engineer.employee.id,))
                self.assertIn(
                    (engineer.employee.id,),
                    Rule._get_cache_key({'kefu.department.member'}))
                self.assertEqual(DepartmentMember.search([]), [member])
