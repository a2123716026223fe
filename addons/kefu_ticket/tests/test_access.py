# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may do what in kefu_ticket: every group x model x operation, the
buttons, menus, actions and record rules, measured on a fresh database and
compared with the tables below; then the rules the issue names, tried on
real tickets, work orders and return visits as each group's user.

The tables are written as kefu_base's tests/test_access.py writes its
own, with the same columns.  A database with kefu_ticket has kefu_base's
policy plus these tables: a line here for a kefu_base model (or
kefu_base.<xml id> for its menus, actions and sequence types) overrides
kefu_base's line.  A change of one access row makes a table differ and
the test fail; a new kefu.* model without a line fails too.

Model access follows __access__: a model whose records belong to another
(the ticket to its estate, a pause to its ticket) gets, per operation, the
most its group has on either (ir.model.access.get_access takes the
maximum), and the record rules of both."""
import datetime as dt
from types import SimpleNamespace
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kefu_base.tests import test_access as base
from trytond.modules.kefu_base.tests.test_access import (
    ACTION_MODELS, GROUPS, HEADER, create_users, format_table,
    measure_buttons, measure_field_access, measure_model_access,
    measure_rules, measure_sequence_types, parse, user_groups)
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, click, create_user)
from trytond.modules.kefu_ticket import sla
from trytond.modules.kefu_ticket.exceptions import (
    CallbackDeleteError, TicketAcceptanceError, TicketDeleteError,
    WorkOrderDeleteError)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

MODULE = 'kefu_ticket'

# The tables are the access measured; three lines are not what the XML
# says, through __access__: kefu.ticket.escalation (read only in ticket.xml)
# and kefu.ticket.pause take the ticket's rwc-, the admin's d on kefu.ticket
# and the office manager's w on the statistics come from kefu.estate, and
# finance reads the tickets of every estate (its rule on kefu.estate) but the
# work orders of its own estates only.

# Model access: r(ead) w(rite) c(reate) d(elete), '-' when refused.
MODEL_ACCESS = """
#                              fd   spec sup  mgr  eng  sec  fin  deed adm  none
kefu.callback                  rwc- rwc- rwc- rwc- r--- r--- ---- ---- rwcd ----
kefu.department                r--- r--- rw-- rwc- r--- r--- r--- r--- rwcd ----
kefu.department.member         r--- r--- rw-- rwcd r--- r--- r--- r--- rwcd ----
kefu.survey                    rwc- rwc- rwcd rwcd r--- r--- r--- r--- rwcd ----
kefu.survey.answer             rwc- rwc- rwcd rwcd r--- r--- r--- r--- rwcd ----
kefu.survey.statistics         r--- r--- r--- rw-- r--- r--- r--- r--- rwcd ----
kefu.survey.topic              r--- r--- r--- rwc- r--- r--- r--- r--- rwc- ----
kefu.ticket                    rwc- rwc- rwc- rwc- r--- r--- r--- r--- rwcd ----
kefu.ticket.assignment.rule    r--- r--- r--- rwcd r--- r--- r--- r--- rwcd ----
kefu.ticket.category           r--- r--- r--- rwc- r--- r--- r--- r--- rwc- ----
kefu.ticket.escalation         rwc- rwc- rwc- rwc- r--- r--- r--- r--- rwcd ----
kefu.ticket.escalation.step    r--- r--- r--- rwcd r--- r--- r--- r--- rwcd ----
kefu.ticket.pause              rwc- rwc- rwc- rwc- r--- r--- r--- r--- rwcd ----
kefu.ticket.sla.rule           r--- r--- r--- rwcd r--- r--- r--- r--- rwcd ----
kefu.ticket.statistics         r--- r--- r--- rw-- r--- r--- r--- r--- rwcd ----
kefu.ticket.statistics.context rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd
kefu.ticket.wait.start         rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd
kefu.work_order                rwc- rwc- rwc- rwc- rwc- rwc- r--- r--- rwcd ----
"""

# Buttons (ir.model.button): x may press, . may not (w: the button has no
# group, whoever may write the model may press it).
BUTTONS = """
kefu.callback:cancel          . . x x . . . . x .
kefu.callback:do              x x x x . . . . x .
kefu.ticket:accept_resident   x x x x . . . . x .
kefu.ticket:accept_specialist x x x x . . . . x .
kefu.ticket:answer            x x x x . . . . x .
kefu.ticket:cancel            x x x x . . . . x .
kefu.ticket:close             . . x x . . . . x .
kefu.ticket:give_feedback     x x x x . . . . x .
kefu.ticket:make_file_card    x x x x . . . . x .
kefu.ticket:notify_head       x x x x . . . . x .
kefu.ticket:open              x x x x . . . . x .
kefu.ticket:reopen            . . x x . . . . x .
kefu.ticket:resolve           x x x x . . . . x .
kefu.ticket:resume            x x x x . . . . x .
kefu.ticket:start             x x x x . . . . x .
kefu.ticket:wait              x x x x . . . . x .
kefu.work_order:arrive        . . . . x x . . . .
kefu.work_order:cancel        . . x x . . . . x .
kefu.work_order:check         x x x x . . . . x .
kefu.work_order:finish        . . . . x x . . . .
kefu.work_order:leave_early   . . . . x x . . . .
kefu.work_order:notify        x x x x x x . . x .
kefu.work_order:resume        . . . . x x . . . .
kefu.work_order:start         . . . . x x . . . .
"""

# Menus of kefu_ticket: x sees it, . does not.
MENUS = """
menu_assignment_rule_form         . . . x . . . . x .
menu_callback_form                x x x x x x . . x .
menu_category_form                . . . x . . . . x .
menu_department_duty              . . x x . . . . x .
menu_department_form              . . . x . . . . x .
menu_escalation_step_form         . . . x . . . . x .
menu_sla_rule_form                . . . x . . . . x .
menu_survey_form                  x x x x x x x x x .
menu_survey_statistics            x x x x x x x x x .
menu_survey_topic_form            . . . x . . . . x .
menu_ticket                       x x x x x x x x x .
menu_ticket_configuration         . . . x . . . . x .
menu_ticket_form                  x x x x x x x x x .
menu_ticket_statistics            x x x x x x x x x .
menu_ticket_statistics_class      x x x x x x x x x .
menu_ticket_statistics_department x x x x x x x x x .
menu_work_order_form              x x x x x x x x x .
"""

# Actions restricted to groups (wizards): x may run it.
ACTIONS = """
wizard_ticket_wait x x x x . . . . x .
"""

# Record rules besides the global ones, the same for read, write, create
# and delete: est = only the estates the user is assigned to, dept = the
# work of the departments the user (one of the user's employees) is a
# member of, or given to the user's employee; * = every record the global
# rules leave (the user's companies).
RULES = """
#                              fd   spec sup  mgr  eng  sec  fin  deed adm  none
kefu.callback                  est  est  est  *    dept dept *    *    *    *
kefu.department                *    *    *    *    *    *    *    *    *    *
kefu.department.member         *    *    *    *    *    *    *    *    *    *
kefu.survey                    est  est  est  *    est  est  *    est  *    *
kefu.survey.answer             est  est  est  *    est  est  *    est  *    *
kefu.survey.statistics         est  est  est  *    est  est  *    est  *    *
kefu.survey.topic              *    *    *    *    *    *    *    *    *    *
kefu.ticket                    est  est  est  *    est  est  *    est  *    *
kefu.ticket.assignment.rule    *    *    *    *    *    *    *    *    *    *
kefu.ticket.category           *    *    *    *    *    *    *    *    *    *
kefu.ticket.escalation         est  est  est  *    est  est  *    est  *    *
kefu.ticket.escalation.step    *    *    *    *    *    *    *    *    *    *
kefu.ticket.pause              est  est  est  *    est  est  *    est  *    *
kefu.ticket.sla.rule           *    *    *    *    *    *    *    *    *    *
kefu.ticket.statistics         est  est  est  *    est  est  *    est  *    *
kefu.ticket.statistics.context *    *    *    *    *    *    *    *    *    *
kefu.ticket.wait.start         *    *    *    *    *    *    *    *    *    *
kefu.work_order                est  est  est  *    dept dept *    est  *    *
"""

# Global rules (every user, whatever the group), by rule group xml id.
GLOBAL_RULES = """
kefu.callback rule_group_callback_companies
kefu.department rule_group_department_companies
kefu.department.member rule_group_department_member_companies
kefu.survey rule_group_survey_companies kefu_base.rule_group_estate_companies
kefu.survey.answer rule_group_survey_companies kefu_base.rule_group_estate_companies
kefu.survey.statistics kefu_base.rule_group_estate_companies
kefu.ticket rule_group_ticket_companies kefu_base.rule_group_estate_companies
kefu.ticket.assignment.rule rule_group_assignment_rule_companies
kefu.ticket.escalation rule_group_ticket_companies kefu_base.rule_group_estate_companies
kefu.ticket.pause rule_group_ticket_companies kefu_base.rule_group_estate_companies
kefu.ticket.statistics kefu_base.rule_group_estate_companies
kefu.work_order rule_group_work_order_companies
"""

# Field access (ir.model.field.access): model.field then rwcd per group.
FIELD_ACCESS = """
"""

# Sequence types (ir.sequence.type) whose sequences a group may edit.
SEQUENCE_TYPES = """
sequence_type_ticket     . . . x . . . . x .
sequence_type_work_order . . . x . . . . x .
"""

# Monday 3 March 2025, 10:00 in Shanghai
NOW = dt.datetime(2025, 3, 3, 2, 0)


def later(minutes):
    return NOW + dt.timedelta(minutes=minutes)


def at(moment):
    "Set the module's clock to moment"
    return patch.object(sla, 'now', return_value=moment)


def fs_name(data):
    "The xml id of an ir.model.data, prefixed with its module unless ours"
    return data.fs_id if data.module == MODULE else (
        f'{data.module}.{data.fs_id}')


def rename(name):
    """Name an xml id kefu_base's measure gave (bare for kefu_base's,
    module.fs_id for the others) the way this file does"""
    if name.startswith(MODULE + '.'):
        return name[len(MODULE) + 1:]
    if '.' not in name:
        return 'kefu_base.' + name
    return name


def base_table(name):
    "kefu_base's table name, keyed the way this file keys its tables"
    rows = parse(getattr(base, name))
    if name in {'MENUS', 'ACTIONS', 'SEQUENCE_TYPES'}:
        rows = {'kefu_base.' + k: v for k, v in rows.items()}
    return rows


def expected_table(name):
    "kefu_base's lines overridden by ours"
    return {**base_table(name), **parse(globals()[name])}


def measure_menus(users):
    "The menus of kefu_base and kefu_ticket each group sees"
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    ModelData = pool.get('ir.model.data')
    menus = ModelData.search([
            ('module', 'in', ['kefu_base', MODULE]),
            ('model', '=', 'ir.ui.menu'),
            ])
    seen = {}
    for group in GROUPS:
        with as_user(users[group]):
            seen[group] = {m.id for m in Menu.search([])}
    return {
        fs_name(m): ['x' if m.db_id in seen[g] else '.' for g in GROUPS]
        for m in menus}


def measure_actions(users):
    "The actions of kefu_base and kefu_ticket restricted to groups"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    groups = {g: user_groups(users[g]) for g in GROUPS}
    rows = {}
    for data in ModelData.search([
                ('module', 'in', ['kefu_base', MODULE]),
                ('model', 'in', list(ACTION_MODELS)),
                ]):
        action = pool.get(data.model)(data.db_id).action
        allowed = {g.id for g in action.groups}
        if allowed:
            rows[fs_name(data)] = [
                'x' if allowed & groups[g] else '.' for g in GROUPS]
    return rows


def rule_tables(users):
    "RULES and GLOBAL_RULES measured, labelled the way this file does"
    rules, global_rules, _ = measure_rules(users)
    labels = {'departments': 'dept'}
    rules = {m: ['+'.join(labels.get(p, p) for p in c.split('+'))
            for c in cells] for m, cells in rules.items()}
    global_rules = {m: ' '.join(rename(n) for n in g.split())
        for m, g in global_rules.items()}
    return rules, global_rules


def measure():
    "Create the users and return every table, measured"
    pool = Pool()
    Estate = pool.get('kefu.estate')
    company = create_company()
    with set_company(company):
        estate_a, _ = Estate.create([
                {'name': "Estate A", 'code': 'A', 'company': company.id},
                {'name': "Estate B", 'code': 'B', 'company': company.id},
                ])
        users = create_users(company, estate_a)
        rules, global_rules = rule_tables(users)
        return {
            'MODEL_ACCESS': measure_model_access(users),
            'FIELD_ACCESS': measure_field_access(users),
            'BUTTONS': measure_buttons(users),
            'MENUS': measure_menus(users),
            'ACTIONS': measure_actions(users),
            'SEQUENCE_TYPES': {
                rename(k): v
                for k, v in measure_sequence_types(users).items()},
            'RULES': rules,
            'GLOBAL_RULES': global_rules,
            }


# The records of the behaviour tests


def setup_company():
    "A company in Shanghai's time zone"
    company = create_company()
    company.timezone = 'Asia/Shanghai'
    company.save()
    return company


def create_estate(company, code):
    Estate = Pool().get('kefu.estate')
    estate = Estate(name="Estate %s" % code, code=code, company=company)
    estate.save()
    return estate


def create_staff(company, estate):
    """One user per column of the tables, each with an employee, assigned
    to estate"""
    User = Pool().get('res.user')
    users = {}
    for name in GROUPS:
        if name:
            users[name] = create_user(
                'staff_' + name, company, estate, 'group_' + name)
        else:
            employee = create_employee(company, name="Nobody")
            users[name] = User(
                login='staff_none', name="Nobody", companies=[company],
                company=company, employees=[employee], employee=employee,
                kefu_estates=[estate])
            users[name].save()
    return users


def create_department(company, code, kind, members):
    Department = Pool().get('kefu.department')
    department = Department(
        name="Department %s" % code, code=code, company=company, kind=kind,
        members=[{'employee': e.id, 'on_duty': True} for e in members])
    department.save()
    return department


def create_world(company):
    """Estates A and B; one user per column, assigned to estate A; the
    plumbing and lift teams (engineering) and the guards (security)"""
    estate_a = create_estate(company, 'A')
    estate_b = create_estate(company, 'B')
    users = create_staff(company, estate_a)
    sun = create_user('sun', company, estate_a, 'group_engineering')
    return SimpleNamespace(
        estate_a=estate_a, estate_b=estate_b, users=users, sun=sun,
        plumbing=create_department(
            company, 'PL', 'engineering', [users['engineering'].employee]),
        lifts=create_department(
            company, 'LF', 'engineering', [sun.employee]),
        guards=create_department(
            company, 'SC', 'security', [users['security'].employee]))


def create_ticket(estate, kind='repair', open_=True):
    "A ticket reported now, opened unless open_ is false"
    Ticket = Pool().get('kefu.ticket')
    ticket = Ticket(
        estate=estate, kind=kind, channel='phone',
        description="Water leaking under the kitchen sink")
    ticket.save()
    if open_:
        Ticket.open([ticket])
    return ticket


def create_order(ticket, department, notify=True):
    WorkOrder = Pool().get('kefu.work_order')
    order = WorkOrder(
        ticket=ticket, department=department,
        description=ticket.description)
    order.save()
    if notify:
        WorkOrder.notify([order])
    return order


def create_callback(ticket, order=None):
    Callback = Pool().get('kefu.callback')
    callback = Callback(
        ticket=ticket, work_order=order, due=later(2 * 24 * 60),
        method='phone')
    callback.save()
    return callback


class AccessTestCase(FreshDatabaseTestCase):
    "Every group's access equals the tables; the issue's rules on records"
    module = MODULE

    def assertTable(self, name, measured, all_keys=()):
        expected = expected_table(name)
        missing = sorted(set(all_keys) - set(expected))
        self.assertFalse(missing, (
                f"{name} has no line for {', '.join(missing)}: decide each "
                "group's access and write it down. Measured:\n"
                + format_table({k: measured[k] for k in missing
                        if k in measured})))
        differ = {k for k in expected.keys() | measured.keys()
            if expected.get(k) != measured.get(k)}
        self.assertFalse(differ, (
                f"{name} (this file's lines over kefu_base's) differs from "
                f"the access measured ({HEADER}); expected:\n"
                + format_table({k: expected[k] for k in differ
                        if k in expected})
                + "\nmeasured:\n"
                + format_table({k: measured[k] for k in differ
                        if k in measured})))

    @with_transaction()
    def test_tables(self):
        "Model, button, menu, action, rule and field access of every group"
        tables = measure()
        models = base.kefu_models()
        self.assertTable('MODEL_ACCESS', tables['MODEL_ACCESS'], models)
        self.assertTable('BUTTONS', tables['BUTTONS'], tables['BUTTONS'])
        self.assertTable('MENUS', tables['MENUS'], tables['MENUS'])
        self.assertTable('ACTIONS', tables['ACTIONS'])
        self.assertTable('SEQUENCE_TYPES', tables['SEQUENCE_TYPES'])
        self.assertTable('FIELD_ACCESS', tables['FIELD_ACCESS'])
        self.assertTable('RULES', tables['RULES'], models)
        expected_global = {
            m: ' '.join('kefu_base.' + n for n in g.split())
            for m, g in (line.split(None, 1)
                for line in base.GLOBAL_RULES.strip().splitlines())}
        expected_global.update(
            line.split(None, 1) for line in GLOBAL_RULES.strip().splitlines())
        self.assertEqual(tables['GLOBAL_RULES'], expected_global)

    @with_transaction()
    def test_front_desk_own_estates(self):
        """The front desk creates and reads the tickets of its estates;
        another estate's ticket is invisible, refused on read and write, and
        a ticket cannot be created there"""
        Ticket = Pool().get('kefu.ticket')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            other = create_ticket(world.estate_b)
            front_desk = world.users['front_desk']
            with as_user(front_desk):
                ticket, = Ticket.create([{
                            'estate': world.estate_a.id,
                            'kind': 'repair',
                            'channel': 'visit',
                            'description': "The door bell does not ring",
                            }])
                click(Ticket, 'open', [ticket])
                Ticket.write([ticket], {'phone': '13800138000'})

                self.assertEqual(Ticket.search([]), [ticket])
                self.assertEqual(
                    Ticket.search([('number', '=', other.number)]), [])
                with self.assertRaises(AccessError):
                    Ticket.read([other.id], ['number'])
                with self.assertRaises(AccessError):
                    Ticket.write([Ticket(other.id)], {'phone': '13800138000'})
                with self.assertRaises(AccessError):
                    click(Ticket, 'give_feedback', [other])
                with self.assertRaises(AccessError):
                    Ticket.create([{
                                'estate': world.estate_b.id,
                                'kind': 'repair',
                                'channel': 'visit',
                                'description': "The door bell does not ring",
                                }])
            ticket = Ticket(ticket.id)
            self.assertEqual(ticket.state, 'open')
            self.assertEqual(ticket.phone, '13800138000')
            self.assertEqual(ticket.reported_at, NOW)
            self.assertRegex(ticket.number, r'^KF\d{4}-\d{6}$')
            self.assertIsNone(Ticket(other.id).feedback_at)
            self.assertIsNone(Ticket(other.id).phone)

    @with_transaction()
    def test_engineering_department_orders(self):
        """Engineering sees the work orders of its departments only and
        presses arrive, start and finish on them; a specialist checks"""
        WorkOrder = Pool().get('kefu.work_order')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            ticket = create_ticket(world.estate_a)
            pipe = create_order(ticket, world.plumbing)
            lift = create_order(ticket, world.lifts)
        engineer = world.users['engineering']
        self.assertEqual(pipe.assignee, engineer.employee)
        self.assertEqual(lift.assignee, world.sun.employee)

        with as_user(engineer):
            self.assertEqual(WorkOrder.search([]), [pipe])
            with self.assertRaises(AccessError):
                WorkOrder.read([lift.id], ['number'])
            with self.assertRaises(AccessError):
                click(WorkOrder, 'arrive', [lift])
            with at(later(3)):
                click(WorkOrder, 'arrive', [pipe])
            with at(later(5)):
                click(WorkOrder, 'start', [pipe])
            WorkOrder.write([pipe], {'report': "Replaced the pipe joint"})
            with at(later(40)):
                click(WorkOrder, 'finish', [pipe])
            with self.assertRaises(AccessButtonError):
                click(WorkOrder, 'check', [pipe])
        with as_user(world.sun):
            self.assertEqual(WorkOrder.search([]), [lift])
            with self.assertRaises(AccessError):
                click(WorkOrder, 'arrive', [pipe])
        with as_user(world.users['front_desk']):
            with self.assertRaises(AccessButtonError):
                click(WorkOrder, 'arrive', [lift])

        pipe = WorkOrder(pipe.id)
        self.assertEqual(pipe.state, 'finished')
        self.assertEqual(
            (pipe.arrived_at, pipe.started_at, pipe.finished_at),
            (later(3), later(5), later(40)))
        self.assertEqual(WorkOrder(lift.id).state, 'notified')

        with as_user(world.users['specialist']), at(later(45)):
            click(WorkOrder, 'check', [pipe])
        pipe = WorkOrder(pipe.id)
        self.assertEqual(pipe.state, 'checked')
        self.assertEqual(
            pipe.checked_by, world.users['specialist'].employee)

    @with_transaction()
    def test_only_supervisors_close(self):
        """Only a supervisor (or above) closes a ticket, after the
        acceptance; every other group's close is refused"""
        Ticket = Pool().get('kefu.ticket')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            ticket = create_ticket(world.estate_a, kind='inquiry')
            ticket.result = "Told the resident the opening hours"
            ticket.save()
            Ticket.resolve([ticket])
        users = world.users
        self.assertEqual(ticket.state, 'resolved')
        self.assertIsNone(ticket.callback_due)

        with as_user(users['supervisor']):
            with self.assertRaises(TicketAcceptanceError):
                click(Ticket, 'close', [ticket])
        with as_user(users['front_desk']), at(later(60)):
            click(Ticket, 'accept_resident', [ticket])
        buttons = parse(BUTTONS)['kefu.ticket:close']
        access = expected_table('MODEL_ACCESS')['kefu.ticket']
        for column, group in enumerate(GROUPS):
            if buttons[column] == 'x':
                continue
            with self.subTest(group=group), as_user(users[group]):
                with self.assertRaises(
                        AccessButtonError if access[column][0] == 'r'
                        else AccessError):
                    click(Ticket, 'close', [ticket])
        self.assertEqual(Ticket(ticket.id).state, 'resolved')

        with as_user(users['supervisor']), at(later(90)):
            click(Ticket, 'close', [ticket])
        ticket = Ticket(ticket.id)
        self.assertEqual(ticket.state, 'closed')
        self.assertEqual(ticket.accepted_by, users['front_desk'].employee)
        self.assertEqual(ticket.reviewed_by, users['supervisor'].employee)
        self.assertEqual(ticket.reviewed_at, later(90))

    @with_transaction()
    def test_nobody_deletes_what_was_opened(self):
        """No group deletes an opened ticket, a work order notified or a
        return visit done: the access refuses, and the module refuses
        those who may delete (admin); a draft ticket the admin deletes"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        WorkOrder = pool.get('kefu.work_order')
        Callback = pool.get('kefu.callback')
        User = pool.get('res.user')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            opened = create_ticket(world.estate_a)
            repair = create_ticket(world.estate_a)
            notified = create_order(repair, world.plumbing)
            fixed = create_ticket(world.estate_a)
            checked = create_order(fixed, world.plumbing)
            draft = create_ticket(world.estate_a, open_=False)
        for step, moment in [
                ('arrive', later(3)), ('start', later(5)),
                ('finish', later(40)), ('check', later(45))]:
            if step == 'finish':
                WorkOrder.write([checked], {'report': "Replaced the joint"})
            with at(moment):
                getattr(WorkOrder, step)([checked])
        callback, = Callback.search([('ticket', '=', fixed.id)])
        callback.satisfaction = 5
        callback.result = 'ok'
        callback.save()
        with at(later(120)):
            Callback.do([callback])
        self.assertEqual(
            [r.state for r in [
                    Ticket(opened.id), Ticket(repair.id), Ticket(fixed.id),
                    WorkOrder(notified.id), WorkOrder(checked.id),
                    Callback(callback.id)]],
            ['open', 'in_progress', 'visited', 'notified', 'checked',
                'done'])

        # the administrator of the database is a Kefu administrator too
        root = User(Transaction().user)
        root.companies = [company]
        root.company = company
        root.save()
        staff = dict(world.users, root=root)
        columns = {g: i for i, g in enumerate(GROUPS)}
        columns['root'] = columns['admin']
        access = expected_table('MODEL_ACCESS')
        records = [
            (Ticket, opened, TicketDeleteError),
            (Ticket, repair, TicketDeleteError),
            (Ticket, fixed, TicketDeleteError),
            (WorkOrder, notified, WorkOrderDeleteError),
            (WorkOrder, checked, WorkOrderDeleteError),
            (Callback, callback, CallbackDeleteError),
            ]
        for name, user in staff.items():
            for Model, record, error in records:
                may_delete = access[Model.__name__][columns[name]][3] == 'd'
                with self.subTest(group=name, record=record.rec_name), \
                        as_user(user):
                    with self.assertRaises(
                            error if may_delete else AccessError):
                        Model.delete([Model(record.id)])
        for Model, record, _ in records:
            self.assertEqual(Model.search([('id', '=', record.id)]), [record])

        with as_user(world.users['admin']):
            Ticket.delete([draft])
        self.assertEqual(Ticket.search([('id', '=', draft.id)]), [])

    @with_transaction()
    def test_what_each_group_finds(self):
        """Each group finds the tickets, work orders and return visits its
        record rules give (est: estate A's; dept: its departments'; *: all)
        and nothing when it may not read"""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        WorkOrder = pool.get('kefu.work_order')
        Callback = pool.get('kefu.callback')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            ticket_a = create_ticket(world.estate_a)
            ticket_b = create_ticket(world.estate_b)
            orders = [
                create_order(ticket_a, world.plumbing),
                create_order(ticket_a, world.lifts),
                create_order(ticket_a, world.guards),
                create_order(ticket_b, world.plumbing),
                ]
            callbacks = [create_callback(o.ticket, o) for o in orders]
        access = expected_table('MODEL_ACCESS')
        rules = expected_table('RULES')

        def expected(records, label, user):
            if label == '*':
                return records
            if label == 'est':
                return [r for r in records if r.estate == world.estate_a]
            assert label == 'dept', label
            return [r for r in records
                if r.estate == world.estate_a and user.employee in {
                    m.employee for m in (
                        getattr(r, 'work_order', r).department.members)}]

        for Model, records in [
                (Ticket, [ticket_a, ticket_b]),
                (WorkOrder, orders),
                (Callback, callbacks)]:
            name = Model.__name__
            for column, group in enumerate(GROUPS):
                user = world.users[group]
                with self.subTest(model=name, group=group), as_user(user):
                    if access[name][column][0] != 'r':
                        with self.assertRaises(AccessError):
                            Model.search([])
                        continue
                    seen = expected(records, rules[name][column], user)
                    self.assertEqual(
                        set(Model.search([])), set(seen))
                    hidden = [r.id for r in records if r not in seen]
                    if hidden:
                        with self.assertRaises(AccessError):
                            Model.read(hidden[:1], ['id'])

    @with_transaction()
    def test_finance_title_deed_nobody(self):
        """Finance reads the tickets and the work orders (the paid repairs
        it invoices) of every estate of its company, and no return visits; the
        title-deed team reads the tickets and work orders of its estates,
        no return visits; a user in no Kefu group reads none of them.
        None of the three changes a ticket or a work order."""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        WorkOrder = pool.get('kefu.work_order')
        Callback = pool.get('kefu.callback')
        Department = pool.get('kefu.department')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            ticket_a = create_ticket(world.estate_a)
            ticket_b = create_ticket(world.estate_b)
            order_a = create_order(ticket_a, world.plumbing)
            order_b = create_order(ticket_b, world.plumbing)
            create_callback(ticket_a, order_a)
        finance = world.users['finance']
        title_deed = world.users['title_deed']
        nobody = world.users[None]

        with as_user(finance):
            self.assertEqual(
                set(Ticket.search([])), {ticket_a, ticket_b})
            self.assertEqual(set(WorkOrder.search([])), {order_a, order_b})
        with as_user(title_deed):
            self.assertEqual(Ticket.search([]), [ticket_a])
            self.assertEqual(WorkOrder.search([]), [order_a])
            with self.assertRaises(AccessError):
                Ticket.read([ticket_b.id], ['number'])
        for user in [finance, title_deed]:
            with self.subTest(user=user.login), as_user(user):
                self.assertTrue(Department.search([]))
                with self.assertRaises(AccessError):
                    Callback.search([])
                with self.assertRaises(AccessError):
                    Ticket.write([ticket_a], {'phone': '13800138000'})
                with self.assertRaises(AccessError):
                    WorkOrder.write([order_a], {'report': "Done"})
                with self.assertRaises(AccessButtonError):
                    click(Ticket, 'give_feedback', [ticket_a])
                with self.assertRaises(AccessButtonError):
                    click(WorkOrder, 'arrive', [order_a])
                with self.assertRaises(AccessError):
                    Ticket.create([{
                                'estate': world.estate_a.id,
                                'kind': 'inquiry',
                                'channel': 'phone',
                                'description': "When is the office open?",
                                }])
        with as_user(nobody):
            for Model in [Ticket, WorkOrder, Callback, Department]:
                with self.subTest(model=Model.__name__):
                    with self.assertRaises(AccessError):
                        Model.search([])
            with self.assertRaises(AccessError):
                click(Ticket, 'give_feedback', [ticket_a])
        self.assertIsNone(Ticket(ticket_a.id).phone)
        self.assertIsNone(Ticket(ticket_a.id).feedback_at)

    @with_transaction()
    def test_states_only_through_buttons(self):
        """A state is changed only by its button: the front desk cannot
        close a ticket, check a work order or record a return visit done by
        writing the state, and the administrator cannot put an opened work
        order back to draft to delete it.

        trytond does not enforce readonly fields on write or create: the
        module refuses the fields its buttons set when they come from the
        client."""
        pool = Pool()
        Ticket = pool.get('kefu.ticket')
        WorkOrder = pool.get('kefu.work_order')
        Callback = pool.get('kefu.callback')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            ticket = create_ticket(world.estate_a, kind='inquiry')
            ticket.result = "Told the resident the opening hours"
            ticket.save()
            Ticket.resolve([ticket])
            repair = create_ticket(world.estate_a)
            order = create_order(repair, world.plumbing)
            notified = create_order(repair, world.plumbing)
        refused = []
        with as_user(world.users['front_desk']):
            for name, write in [
                    ('close a ticket', lambda: Ticket.write(
                            [ticket], {'state': 'closed'})),
                    ('check a work order', lambda: WorkOrder.write(
                            [order], {
                                'state': 'checked', 'report': "Done"})),
                    ('record a return visit done', lambda: Callback.create([{
                                    'ticket': repair.id, 'method': 'phone',
                                    'state': 'done', 'satisfaction': 5,
                                    'result': 'ok', 'done_at': NOW}])),
                    ]:
                try:
                    write()
                except UserError:
                    refused.append(name)
        with as_user(world.users['admin']):
            try:
                WorkOrder.write([notified], {'state': 'draft'})
                WorkOrder.delete([notified])
            except UserError:
                refused.append('delete a notified work order')
        self.assertEqual(refused, [
                'close a ticket', 'check a work order',
                'record a return visit done', 'delete a notified work order'])

    @with_transaction()
    def test_escalation_log_read_only(self):
        """The escalation log is written by the module only: the front
        desk, which may write tickets, cannot add to it (the log takes the
        ticket's access through __access__, so the module refuses it)."""
        pool = Pool()
        Escalation = pool.get('kefu.ticket.escalation')
        company = setup_company()
        with set_company(company), at(NOW):
            world = create_world(company)
            ticket = create_ticket(world.estate_a)
        with as_user(world.users['front_desk']):
            with self.assertRaises(AccessError):
                Escalation.create([{
                            'ticket': ticket.id, 'reason': 'breach',
                            'level': 3, 'at': NOW}])
