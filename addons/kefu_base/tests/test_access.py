# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may do what in kefu_base: every group x model x operation, the
buttons, menus, actions and record rules, measured on a fresh database and
compared with the tables below.

The tables are the access policy written down.  A change of one access row
(or of the group hierarchy) makes a table differ and the test fail; a new
kefu.* model without a line fails too, so every model is given its access
on purpose."""
import unittest

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

# The columns of every table, in this order (fs_id group_<name>).
# The last column, none, is a user in no Kefu group (an accountant, say).
GROUPS = [
    'front_desk', 'specialist', 'supervisor', 'office_manager',
    'engineering', 'security', 'finance', 'title_deed', 'admin', None]
COLUMNS = ['fd', 'spec', 'sup', 'mgr', 'eng', 'sec', 'fin', 'deed', 'adm',
    'none']
HEADER = (' '.join(COLUMNS)
    + '   (front desk, specialist, supervisor, office manager, engineering, '
    'security, finance, title deed, admin, no Kefu group)')

# Model access: r(ead) w(rite) c(reate) d(elete), '-' when refused.
MODEL_ACCESS = """
#                             fd   spec sup  mgr  eng  sec  fin  deed adm  none
kefu.building                 r--- r--- r--- rwc- r--- r--- r--- r--- rwcd ----
kefu.building.area_balance    r--- r--- r--- rw-- r--- r--- r--- r--- rwcd ----
kefu.calendar                 rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd
kefu.calendar.day             r--- r--- r--- rwcd r--- r--- r--- r--- rwcd r---
kefu.calendar.import.start    rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd
kefu.calendar.year            r--- r--- r--- rwcd r--- r--- r--- r--- rwcd r---
kefu.configuration            r--- r--- r--- rw-- r--- r--- r--- r--- rw-- ----
kefu.configuration.sequence   r--- r--- r--- rwcd r--- r--- r--- r--- rwcd ----
kefu.duty.log                 rwcd rwcd rwcd rwcd r--- r--- ---- ---- rwcd ----
kefu.duty.log.entry           rwcd rwcd rwcd rwcd r--- r--- ---- ---- rwcd ----
kefu.estate                   r--- r--- r--- rw-- r--- r--- r--- r--- rwcd ----
kefu.estate-res.user          r--- r--- r--- rwcd r--- r--- r--- r--- rwcd ----
kefu.estate.occupancy         r--- r--- r--- rw-- r--- r--- r--- r--- rwcd ----
kefu.key                      r--- ---- r--- rwcd r--- r--- ---- ---- rwcd ----
kefu.key.lending              rwcd ---- rwcd rwcd rwcd rwcd ---- ---- rwcd ----
kefu.mail                     rwcd rwcd rwcd rwcd ---- ---- r--- ---- rwcd ----
kefu.unit                     rw-- rw-- rw-- rwc- r--- r--- r--- rw-- rwcd ----
kefu.unit.change_owners.owner rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd
kefu.unit.change_owners.start rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd rwcd
kefu.unit.log                 rw-- rw-- rw-- rwc- r--- r--- r--- rw-- rwcd ----
kefu.unit.ownership           rw-- rw-- rw-- rwc- r--- r--- r--- rw-- rwcd ----
kefu.unit.resident            rw-- rw-- rw-- rwc- r--- r--- r--- rw-- rwcd ----
kefu.visitor.slip             rwcd rwcd rwcd rwcd ---- rwcd ---- ---- rwcd ----
"""

# Buttons (ir.model.button): x may press, . may not (w: the button has no
# group, whoever may write the model may press it).
BUTTONS = """
kefu.calendar.year:make_official . . . x . . . . x .
kefu.calendar.year:reopen        . . . x . . . . x .
kefu.duty.log.entry:done         x x x x . . . . x .
kefu.duty.log.entry:reopen       x x x x . . . . x .
kefu.duty.log:confirm            x x x x . . . . x .
kefu.duty.log:hand_over          x x x x . . . . x .
kefu.key.lending:cancel          x . x x x x . . x .
kefu.key.lending:draft           x . x x x x . . x .
kefu.key.lending:lend            x . x x x x . . x .
kefu.key.lending:return_         x . x x x x . . x .
kefu.key:mark_found              . . x x . . . . x .
kefu.key:mark_lost               x . x x x x . . x .
kefu.mail:approve_return         . . x x . . . . x .
kefu.mail:hand_out               x x x x . . . . x .
kefu.visitor.slip:leave          x x x x . x . . x .
"""

# Menus of kefu_base: x sees it, . does not.
MENUS = """
menu_area_balance       x x x x x x x x x .
menu_building_form      x x x x x x x x x .
menu_calendar           . . . x . . . . x .
menu_calendar_day_form  . . . x . . . . x .
menu_calendar_import    . . . x . . . . x .
menu_configuration      . . . x . . . . x .
menu_configuration_form . . . x . . . . x .
menu_duty_entry_form    x x x x x x . . x .
menu_duty_log_form      x x x x x x . . x .
menu_estate_form        x x x x x x x x x .
menu_frontdesk          x x x x x x x . x .
menu_kefu               x x x x x x x x x .
menu_key_form           x . x x x x . . x .
menu_key_lending_form   x . x x x x . . x .
menu_mail_form          x x x x . . x . x .
menu_mail_return_form   x x x x . . x . x .
menu_occupancy          x x x x x x x x x .
menu_ownership_form     x x x x x x x x x .
menu_reporting          x x x x x x x x x .
menu_resident_form      x x x x x x x x x .
menu_unit_form          x x x x x x x x x .
menu_visitor_slip_form  x x x x . x . . x .
"""

# Actions of kefu_base restricted to groups (wizards): x may run it.
ACTIONS = """
wizard_calendar_import . . . x . . . . x .
wizard_change_owners   x . . . . . . x x .
"""

# Record rules besides the global ones, the same for read, write, create
# and delete: est = only the estates the user is assigned to (Estates of
# the user's form), * = every record the global rules leave (the user's
# companies).
RULES = """
#                             fd   spec sup  mgr  eng  sec  fin  deed adm  none
kefu.building                 est  est  est  *    est  est  *    est  *    *
kefu.building.area_balance    est  est  est  *    est  est  *    est  *    *
kefu.calendar                 *    *    *    *    *    *    *    *    *    *
kefu.calendar.day             *    *    *    *    *    *    *    *    *    *
kefu.calendar.import.start    *    *    *    *    *    *    *    *    *    *
kefu.calendar.year            *    *    *    *    *    *    *    *    *    *
kefu.configuration            *    *    *    *    *    *    *    *    *    *
kefu.configuration.sequence   *    *    *    *    *    *    *    *    *    *
kefu.duty.log                 est  est  est  *    est  est  *    est  *    *
kefu.duty.log.entry           est  est  est  *    est  est  *    est  *    *
kefu.estate                   est  est  est  *    est  est  *    est  *    *
kefu.estate-res.user          *    *    *    *    *    *    *    *    *    *
kefu.estate.occupancy         est  est  est  *    est  est  *    est  *    *
kefu.key                      est  est  est  *    est  est  *    est  *    *
kefu.key.lending              est  est  est  *    est  est  *    est  *    *
kefu.mail                     est  est  est  *    est  est  *    est  *    *
kefu.unit                     est  est  est  *    est  est  *    est  *    *
kefu.unit.change_owners.owner *    *    *    *    *    *    *    *    *    *
kefu.unit.change_owners.start *    *    *    *    *    *    *    *    *    *
kefu.unit.log                 est  est  est  *    est  est  *    est  *    *
kefu.unit.ownership           est  est  est  *    est  est  *    est  *    *
kefu.unit.resident            est  est  est  *    est  est  *    est  *    *
kefu.visitor.slip             est  est  est  *    est  est  *    est  *    *
"""

# Global rules (every user, whatever the group), by rule group xml id.
GLOBAL_RULES = """
kefu.building rule_group_building_companies
kefu.building.area_balance rule_group_estate_companies
kefu.duty.log rule_group_duty_log_companies
kefu.duty.log.entry rule_group_duty_log_companies
kefu.estate rule_group_estate_companies
kefu.estate.occupancy rule_group_estate_companies
kefu.key rule_group_key_companies
kefu.key.lending rule_group_key_companies
kefu.mail rule_group_mail_companies
kefu.unit rule_group_unit_companies
kefu.unit.log rule_group_unit_companies
kefu.unit.ownership rule_group_unit_companies
kefu.unit.resident rule_group_unit_companies
kefu.visitor.slip rule_group_visitor_slip_companies
"""

# Field access (ir.model.field.access): model.field then rwcd per group.
FIELD_ACCESS = """
#                        fd   spec sup  mgr  eng  sec  fin  deed adm  none
kefu.unit.building_area  r--- r--- r--- rw-- r--- r--- r--- r--- rw-- r---
kefu.unit.delivery_state r--- r--- r--- rw-- r--- r--- r--- rw-- rw-- r---
kefu.unit.inner_area     r--- r--- r--- rw-- r--- r--- r--- r--- rw-- r---
"""

# Sequence types (ir.sequence.type) whose sequences a group may edit.
SEQUENCE_TYPES = """
sequence_type_duty_log     . . . x . . . . x .
sequence_type_mail         . . . x . . . . x .
sequence_type_visitor_slip . . . x . . . . x .
"""


def parse(table):
    "Return {key: [cell per group]} of a table written above"
    rows = {}
    for line in table.strip().splitlines():
        if line.startswith('#'):
            continue
        key, *cells = line.split()
        assert len(cells) == len(GROUPS), line
        assert key not in rows, line
        rows[key] = cells
    return rows


def format_table(rows):
    "Write rows {key: [cell per group]} as a table of this file"
    width = max((len(k) for k in rows), default=0)
    cell = max((len(c) for r in rows.values() for c in r), default=0)
    header = cell >= 3
    if header:
        cell = max(cell, 4)
    lines = [k.ljust(width) + ' ' + ' '.join(c.ljust(cell) for c in r)
        for k, r in sorted(rows.items())]
    if rows and header:
        lines.insert(0, '#'.ljust(width) + ' '
            + ' '.join(c.ljust(cell) for c in COLUMNS))
    return '\n'.join(line.rstrip() for line in lines)


def fs_ids(model, ids):
    "Return {id: fs_id} of the kefu_base records of model"
    ModelData = Pool().get('ir.model.data')
    data = ModelData.search([
            ('model', '=', model),
            ('db_id', 'in', list(ids)),
            ])
    return {d.db_id: (d.fs_id if d.module == 'kefu_base'
            else f'{d.module}.{d.fs_id}') for d in data}


def create_users(company, estate):
    "One user per Kefu group, assigned to the estate, and one without group"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    users = {}
    for name in GROUPS:
        groups = []
        if name:
            groups = [ModelData.get_id('kefu_base', 'group_' + name)]
        user, = User.create([{
                    'login': 'access_' + (name or 'none'),
                    'name': name or "Nobody",
                    'groups': [('add', groups)],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'kefu_estates': [('add', [estate.id])],
                    }])
        users[name] = user
    return users


def as_user(user):
    "The transaction of the user as the client would open it"
    User = Pool().get('res.user')
    transaction = Transaction()
    with transaction.set_user(user.id):
        context = User.get_preferences(context_only=True)
    context['_check_access'] = True
    return transaction.set_user(user.id), transaction.set_context(context)


def kefu_models():
    "The names of every kefu.* model of the pool"
    return sorted(
        name for name, _ in Pool().iterobject()
        if name.startswith('kefu.'))


def measure_model_access(users):
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    all_models = sorted(name for name, _ in pool.iterobject())

    def access(user):
        user_ctx, context = as_user(user)
        with user_ctx, context:
            ModelAccess._get_access_cache.clear()
            return ModelAccess.get_access(all_models)

    per_group = {g: access(users[g]) for g in GROUPS}
    rows = {}
    for model in all_models:
        if (not model.startswith('kefu.')
                and all(per_group[g][model] == per_group[None][model]
                    for g in GROUPS)):
            continue
        rows[model] = [
            ''.join(p[0] if per_group[g][model][p] else '-'
                for p in ['read', 'write', 'create', 'delete'])
            for g in GROUPS]
    return rows


def measure_field_access(users):
    pool = Pool()
    FieldAccess = pool.get('ir.model.field.access')
    models = kefu_models()
    per_group = {}
    for group in GROUPS:
        user_ctx, context = as_user(users[group])
        with user_ctx, context:
            FieldAccess._get_access_cache.clear()
            # one model per call: get_access shares one dict between the
            # models it is given when none has a field access row
            per_group[group] = {
                m: FieldAccess.get_access([m])[m] for m in models}
    keys = {(m, f) for a in per_group.values() for m in a for f in a[m]}
    rows = {}
    for model, field in keys:
        cells = []
        for group in GROUPS:
            perms = per_group[group][model].get(field)
            if perms is None:
                cells.append('rwcd')
            else:
                cells.append(''.join(p[0] if perms[p] else '-'
                        for p in ['read', 'write', 'create', 'delete']))
        rows[f'{model}.{field}'] = cells
    return rows


def user_groups(user):
    "The groups of the user with the groups they inherit from"
    User = Pool().get('res.user')
    user_ctx, context = as_user(user)
    with user_ctx, context:
        return set(User.get_groups())


def measure_buttons(users):
    pool = Pool()
    Button = pool.get('ir.model.button')
    groups = {g: user_groups(users[g]) for g in GROUPS}
    rows = {}
    for button in Button.search([('model', 'like', 'kefu.%')]):
        allowed = Button.get_groups(button.model, button.name)
        rows[f'{button.model}:{button.name}'] = [
            'x' if allowed & groups[g] else ('.' if allowed else 'w')
            for g in GROUPS]
    return rows


def measure_menus(users):
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    ModelData = pool.get('ir.model.data')
    menus = ModelData.search([
            ('module', '=', 'kefu_base'), ('model', '=', 'ir.ui.menu')])
    seen = {}
    for group in GROUPS:
        user_ctx, context = as_user(users[group])
        with user_ctx, context:
            seen[group] = {m.id for m in Menu.search([])}
    return {
        m.fs_id: ['x' if m.db_id in seen[g] else '.' for g in GROUPS]
        for m in menus}


ACTION_MODELS = {
    'ir.action.act_window', 'ir.action.wizard', 'ir.action.report',
    'ir.action.url'}


def measure_actions(users):
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    groups = {g: user_groups(users[g]) for g in GROUPS}
    rows = {}
    for data in ModelData.search([
                ('module', '=', 'kefu_base'),
                ('model', 'like', 'ir.action%'),
                ]):
        if data.model not in ACTION_MODELS:
            continue
        action = pool.get(data.model)(data.db_id).action
        allowed = {g.id for g in action.groups}
        if not allowed:
            continue
        rows[data.fs_id] = [
            'x' if allowed & groups[g] else '.' for g in GROUPS]
    return rows


def measure_sequence_types(users):
    pool = Pool()
    SequenceType = pool.get('ir.sequence.type')
    groups = {g: user_groups(users[g]) for g in GROUPS}
    types = SequenceType.search([])
    names = fs_ids('ir.sequence.type', [t.id for t in types])
    rows = {}
    for type_ in types:
        allowed = {g.id for g in type_.groups}
        if not any(allowed & groups[g] for g in GROUPS):
            continue
        rows[names.get(type_.id, type_.name)] = [
            'x' if allowed & groups[g] else '.' for g in GROUPS]
    return rows


def unrestricted(domain):
    "Whether the rule domain lets every record through"
    if domain == []:
        return True
    if isinstance(domain, tuple) and len(domain) >= 3:
        # a rule inherited through __access__: (field, 'where', rule)
        return domain[1] == 'where' and unrestricted(domain[2])
    if isinstance(domain, list) and domain and domain[0] == 'OR':
        return any(unrestricted(d) for d in domain[1:])
    if isinstance(domain, list):
        return all(unrestricted(d) for d in domain if d != 'AND')
    return False


def rule_label(name):
    "rule_group_duty_log_estates -> est"
    label = name.rsplit('_', 1)[-1]
    return {'estates': 'est'}.get(label, label)


def measure_rules(users):
    """Return the non-global rules per group and the global rules per model,
    with the decoded domains (to compare the meaning, not only the names)"""
    pool = Pool()
    Rule = pool.get('ir.rule')
    RuleGroup = pool.get('ir.rule.group')
    rule_groups = RuleGroup.search([])
    names = fs_ids('ir.rule.group', [r.id for r in rule_groups])
    rows, global_rows, domains = {}, {}, {}
    for model in kefu_models():
        cells = []
        for group in GROUPS:
            per_mode = set()
            user_ctx, context = as_user(users[group])
            with user_ctx, context:
                for mode in ['read', 'write', 'create', 'delete']:
                    clause, clause_global = Rule.get(model, mode=mode)
                    glob = tuple(sorted(names[g.id] for g in clause_global))
                    global_rows.setdefault(model, set()).add(glob)
                    if not clause or any(
                            unrestricted(d) for d in clause.values()):
                        label, meaning = '*', '*'
                    else:
                        label = '+'.join(sorted(
                                {rule_label(names[g.id]) for g in clause}))
                        meaning = repr(sorted(
                                {repr(x) for d in clause.values()
                                    for x in d[1:]}))
                    per_mode.add(label)
                    domains[(model, group, mode)] = (meaning, repr(
                            sorted(repr(d) for d in clause_global.values())))
            cells.append(
                per_mode.pop() if len(per_mode) == 1 else '|'.join(
                    sorted(per_mode)))
        rows[model] = cells
    global_rows = {
        m: ' '.join(g.pop()) if len(g) == 1 else repr(g)
        for m, g in global_rows.items() if g != {()}}
    return rows, global_rows, domains


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
        rules, global_rules, domains = measure_rules(users)
        return {
            'MODEL_ACCESS': measure_model_access(users),
            'FIELD_ACCESS': measure_field_access(users),
            'BUTTONS': measure_buttons(users),
            'MENUS': measure_menus(users),
            'ACTIONS': measure_actions(users),
            'SEQUENCE_TYPES': measure_sequence_types(users),
            'RULES': rules,
            'GLOBAL_RULES': global_rules,
            'domains': domains,
            'ids': {estate_a.id: 'ESTATE_A', company.id: 'COMPANY'},
            }


class AccessTestCase(unittest.TestCase):
    "Every group's access equals the tables of this file"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kefu_base')

    def assertTable(self, name, measured, all_keys=()):
        expected = parse(globals()[name])
        missing = sorted(set(all_keys) - set(expected))
        self.assertFalse(missing, (
                f"{name} has no line for {', '.join(missing)}: decide each "
                "group's access and write it down. Measured:\n"
                + format_table({k: measured[k] for k in missing
                        if k in measured})))
        differ = {k for k in expected.keys() | measured.keys()
            if expected.get(k) != measured.get(k)}
        self.assertFalse(differ, (
                f"{name} differs from the access measured ({HEADER}); "
                "expected:\n"
                + format_table({k: expected[k] for k in differ
                        if k in expected})
                + "\nmeasured:\n"
                + format_table({k: measured[k] for k in differ
                        if k in measured})))

    @with_transaction()
    def test_tables(self):
        "Model, button, menu, action, rule and field access of every group"
        tables = measure()
        models = kefu_models()
        self.assertTable('MODEL_ACCESS', tables['MODEL_ACCESS'], models)
        self.assertTable('BUTTONS', tables['BUTTONS'], tables['BUTTONS'])
        self.assertTable('MENUS', tables['MENUS'], tables['MENUS'])
        self.assertTable('ACTIONS', tables['ACTIONS'])
        self.assertTable('SEQUENCE_TYPES', tables['SEQUENCE_TYPES'])
        self.assertTable('FIELD_ACCESS', tables['FIELD_ACCESS'])
        self.assertTable('RULES', tables['RULES'], models)
        expected_global = dict(
            line.split(None, 1) for line in GLOBAL_RULES.strip().splitlines())
        self.assertEqual(tables['GLOBAL_RULES'], expected_global)

    @with_transaction()
    def test_estate_records(self):
        "Staff of estate A read nothing of estate B; managers read both"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        company = create_company()
        other_company = create_company(
            name="Other Company", currency=company.currency)
        with set_company(company):
            estates = Estate.create([
                    {'name': "Estate A", 'code': 'A', 'company': company.id},
                    {'name': "Estate B", 'code': 'B', 'company': company.id},
                    {'name': "Estate C", 'code': 'C',
                        'company': other_company.id},
                    ])
            buildings = Building.create([
                    {'estate': e.id, 'code': '1', 'floors': 6}
                    for e in estates])
            units = Unit.create([{
                        'estate': b.estate.id, 'building': b.id,
                        'code': '1-1-101', 'building_area': 88,
                        } for b in buildings])
            users = create_users(company, estates[0])
        access = parse(MODEL_ACCESS)
        rules = parse(RULES)
        for Model, records in [
                (Estate, estates), (Building, buildings), (Unit, units)]:
            name = Model.__name__
            for column, group in enumerate(GROUPS):
                with self.subTest(model=name, group=group):
                    user_ctx, context = as_user(users[group])
                    with user_ctx, context:
                        if access[name][column][0] != 'r':
                            with self.assertRaises(AccessError):
                                Model.search([])
                            continue
                        seen = Model.search([], order=[('id', 'ASC')])
                        if rules[name][column] == 'est':
                            self.assertEqual(seen, records[:1])
                            with self.assertRaises(AccessError):
                                Model.read([records[1].id], ['id'])
                        else:
                            self.assertEqual(seen, records[:2])
                        with self.assertRaises(AccessError):
                            Model.read([records[2].id], ['id'])
