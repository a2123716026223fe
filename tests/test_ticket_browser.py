# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The life of tickets in a real browser, clicked and typed as the staff
do it.

On a database filled by the project's demo generator (tools/kefu_demo.py,
DEMO_UNITS units, kefu_ticket activated: its demo gives the departments with
their members, the assignment rules and a year of tickets), Debian's
chromium driven by Playwright logs in to sao in Simplified Chinese as the
demo users, one browser context each, and, each step asserting what the
screen shows:

1. the front desk (`frontdesk`, 刘晓燕) opens 工单, writes a complaint: finds
   the unit by the last four digits of the owner's mobile in the unit
   field, picks the category, class and severity, describes it, saves,
   clicks 受理 (open) and reads the deadlines on the deadlines page, which
   must be those the server computed;
2. she writes a repair ticket of the same unit, opens it (it goes to
   工程部) and sends a work order (工作单) to engineering (通知); the
   engineer (`engineer`, 李强) opens it under 工作单 and clicks 到场,
   开工, writes what he did and clicks 完工; the front desk reloads it and
   checks the work (验收): the ticket is resolved and a return visit is
   planned;
3. the specialist (`specialist`, 陈静) opens 回访, the visit to do, enters
   the satisfaction and the result and clicks 完成回访: the ticket is
   visited;
4. the supervisor (`supervisor`, 王磊) opens the ticket, records that the
   resident accepted the work and closes it; then opens 报表 → the ticket
   statistics and sees the graph.

The server's state is asserted over JSON-RPC where it is the truth (the
complaint's deadlines, the order checked, the return visit done, the
ticket closed).  The browser runs in the demo company's time zone
(Asia/Shanghai).  The last screen of each step is saved as
var/screenshots/ticket-<step>.png.  Any console error or uncaught page
error, a server answer of 500 or more, or an error dialog fails the test
at once; on failure the page's screenshot and HTML are saved as
var/screenshots/failure-ticket.png/.html.

Menus, buttons, pages and selections are found by their technical names
(the menus' XML ids, the buttons' and fields' names) and their Chinese
labels are checked on the way: those the module's contract names (工单,
受理, 工作单 ...) must be exactly those, every other one must be Chinese.  A
wrong label does not stop the flow: the test fails at the end with the
list, so that one run shows both the flow and every missing translation.

It runs on SQLite only (the screens do not depend on the backend); on
PostgreSQL it is skipped with a printed reason.  A missing browser fails
it: it is never skipped on SQLite.

The waits, error checks and field helpers are those of the front-desk
flow (tests/test_frontdesk_browser.py): Staff extends its FrontDesk."""
import datetime as dt
import json
import os
import re
import sqlite3
import sys
import time
from zoneinfo import ZoneInfo

from tests.browser_flow import BrowserFlowTestCase
from tests.server import SCREENSHOTS, TrytonServer
from tests.test_browser import log_in, retry
from tests.test_frontdesk_browser import (
    ACTIVE, FORM, TIMEOUT, TIMEZONE, FrontDesk, pick_unit)

try:
    from playwright.sync_api import expect
except ImportError:
    pass

DEMO_UNITS = 200
CJK = re.compile('[\u4e00-\u9fff]')

# The labels the module's contract names; any other label must be Chinese.
EXPECTED = {
    'menu:kefu_base.menu_kefu': '客服中心',
    'menu:kefu_ticket.menu_ticket': '工单',
    'menu:kefu_ticket.menu_ticket_form': '工单',
    'menu:kefu_ticket.menu_work_order_form': '工作单',
    'menu:kefu_ticket.menu_callback_form': '回访',
    'menu:kefu_base.menu_reporting': '报表',
    'button:kefu.ticket.open': '受理',
    'button:kefu.work_order.notify': '通知',
    'button:kefu.work_order.arrive': '到场',
    'button:kefu.work_order.start': '开工',
    'button:kefu.work_order.finish': '完工',
    'button:kefu.work_order.check': '验收',
    'button:kefu.callback.do': '完成回访',
    }
# The fields of the deadlines page: (deadline, when it was met)
DEADLINES = [
    ('feedback_due', 'feedback_at'),
    ('head_due', 'head_notified_at'),
    ('answer_due', 'answered_at'),
    ('resolve_due', 'resolved_at'),
    ('file_card_due', 'file_card_at'),
    ('callback_due', 'callback_at'),
    ]
# Categories the complaint may take (XML ids), the first one the unit has
# no complaint of (no repeat: that would go to the general manager)
COMPLAINT_CATEGORIES = ['service', 'cleanliness', 'landscaping', 'fees',
    'security', 'noise']
REPAIR_CATEGORY = 'plumbing'
COMPLAINT_TEXT = '业主反映楼道垃圾两天没有清运，有异味，要求尽快处理。'
REPAIR_TEXT = '厨房水龙头漏水，关不紧，请工程部上门维修。'
REPORT_TEXT = '更换水龙头阀芯，试水正常，业主已确认。'
NOTES_TEXT = '业主表示维修及时，水龙头已不再漏水。'


class TicketServer(TrytonServer):
    "A TrytonServer whose SQLite file the test reads for XML ids"

    def query(self, sql, *args):
        conn = sqlite3.connect(
            os.path.join(self.tmp, self.database + '.sqlite'))
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def xml_id(self, xml_id):
        "The id of the record of xml_id (module.name)"
        module, name = xml_id.split('.')
        (id_,), = self.query('SELECT db_id FROM ir_model_data '
            'WHERE module = ? AND fs_id = ?', module, name)
        return id_


class TicketBrowserTestCase(BrowserFlowTestCase):
    "Tickets from the call to the close, in sao, as the staff click them"
    prefix = 'ticket'
    title = 'the ticket browser flow'
    server_class = TicketServer
    demo_units = DEMO_UNITS

    @classmethod
    def prepare(cls, server):
        return prepare(server)

    def test_ticket_life(self):
        "Complaint opened with its deadlines; repair, work order, visit, close"
        flow, seconds = self.run_flow(TicketFlow)
        print('\ntests.test_ticket_browser (%.0f s, server %s): %s\n'
            '  complaint %s deadlines shown: %s' % (
                seconds, self.server_timings(), ', '.join(flow.shots),
                self.data.get('complaint'),
                self.data.get('complaint_deadlines')),
            file=sys.stderr)
        flow.check_labels()


# What the staff know before the browser opens, read over JSON-RPC

def prepare(server):
    admin = server.client()
    admin.login('admin', server.password)
    zh = {'language': 'zh_CN'}
    users = {u['login']: u for u in admin.model('res.user', 'search_read',
            [('login', 'in', ['frontdesk', 'specialist', 'supervisor',
                        'engineer'])], 0, None, None,
            ['login', 'name', 'kefu_estates', 'employee'])}
    estate_id, = users['frontdesk']['kefu_estates']
    estate, = admin.model('kefu.estate', 'read', [estate_id], ['name'])
    desk = server.client()
    desk.login('frontdesk', server.password, 'zh_CN')
    data = {
        'users': {k: v['name'] for k, v in users.items()},
        'employees': {k: v['employee'] for k, v in users.items()},
        'estate_id': estate_id,
        'estate': estate['name'],
        }
    data.update(pick_unit(admin, desk, estate_id))
    data['unit_id'], = admin.model('kefu.unit', 'search',
        [('code', '=', data['unit_code']), ('estate', '=', estate_id)],
        0, None, None)

    def ref(xml_id):
        # ir.model.data is not open to JSON-RPC: read the SQLite file.
        return server.xml_id(xml_id)

    def categories(names):
        ids = [ref('kefu_ticket.category_' + n) for n in names]
        by_id = {c['id']: c['rec_name'] for c in admin.model(
                'kefu.ticket.category', 'read', ids, ['rec_name'],
                context=zh)}
        return [(i, by_id[i]) for i in ids]
    for category_id, name in categories(COMPLAINT_CATEGORIES):
        if not admin.model('kefu.ticket', 'search', [
                    ('kind', '=', 'complaint'),
                    ('unit', '=', data['unit_id']),
                    ('category', '=', category_id),
                    ], 0, 1, None):
            data['complaint_category'] = name
            break
    else:
        raise AssertionError('unit %s has complaints of every category'
            % data['unit_code'])
    (_, data['repair_category']), = categories([REPAIR_CATEGORY])

    # The menus: their ids and Chinese names, from the root
    menus = {}
    for xml_id in ['kefu_base.menu_kefu', 'kefu_base.menu_reporting',
            'kefu_ticket.menu_ticket', 'kefu_ticket.menu_ticket_form',
            'kefu_ticket.menu_work_order_form',
            'kefu_ticket.menu_callback_form',
            'kefu_ticket.menu_ticket_statistics']:
        menus[xml_id] = ref(xml_id)
    names = {m['id']: m for m in admin.model('ir.ui.menu', 'read',
            list(menus.values()), ['name', 'parent'], context=zh)}
    data['menus'] = {x: (i, names[i]['name'], names[i]['parent'])
        for x, i in menus.items()}

    # The tabs of the lists the staff look at
    tabs = {x: ref(x) for x in [
            'kefu_ticket.act_ticket_form_domain_to_close',
            'kefu_ticket.act_work_order_form_domain_mine',
            'kefu_ticket.act_callback_form_domain_pending']}
    names = {t['id']: t['name'] for t in admin.model(
            'ir.action.act_window.domain', 'read', list(tabs.values()),
            ['name'], context=zh)}
    data['tabs'] = {x: names[i] for x, i in tabs.items()}

    # The Chinese labels of the selections the flow reads
    data['selections'] = {}
    for model, fields in [
            ('kefu.ticket', ['kind', 'state', 'complaint_class', 'severity',
                    'channel', 'accepted_by_kind']),
            ('kefu.work_order', ['state']),
            ('kefu.callback', ['state', 'result']),
            ]:
        for name, desc in admin.model(model, 'fields_get', fields,
                context=zh).items():
            data['selections'][model, name] = dict(
                (k, v) for k, v in desc['selection'] if k)
    departments = admin.model('kefu.department', 'search_read',
        [('code', 'in', ['KF', 'GC'])], 0, None, None, ['code', 'rec_name'],
        context=zh)
    data['departments'] = {d['code']: d['rec_name'] for d in departments}
    employees = admin.model('company.employee', 'read',
        [e for e in data['employees'].values() if e], ['rec_name'])
    data['employee_names'] = {e['id']: e['rec_name'] for e in employees}
    return data


def local(value):
    """The text sao shows for the datetime of a JSON-RPC answer (naive UTC)
    in the company's time zone"""
    if not value:
        return ''
    moment = dt.datetime(value['year'], value['month'], value['day'],
        value['hour'], value['minute'], value['second'],
        tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(TIMEZONE)).strftime('%Y-%m-%d %H:%M:%S')


class Staff(FrontDesk):
    "One browser context of a staff member, with the front desk's helpers"
    prefix = 'ticket'

    def __init__(self, flow, browser, login):
        super().__init__(flow.test, browser, flow.server, flow.data)
        self.flow = flow
        self.login = login
        self.name = flow.data['users'][login]

    def log_in(self):
        page = self.page
        self.step = 'log in as %s' % self.login
        log_in(page, self.server, self.login)
        page.locator('#menu .column-char').first.wait_for(state='visible')
        self.settle('!!Sao.main_menu_screen', what='the menu')
        expect(page.locator('#user-preferences')).to_contain_text(self.name)

    def screenshot(self, name):
        path = os.path.join(SCREENSHOTS, '%s-%s.png' % (self.prefix, name))
        self.page.screenshot(path=path)
        self.flow.shots.append(os.path.basename(path))
        return path

    def menu_entry(self, xml_id):
        """Expand the parents of the menu entry xml_id from the root, as a
        person does; return the entry's cell and the menu's path.

        Parent and child may have the same name (工单 → 工单): each entry
        is looked for in the rows after its parent's."""
        page = self.page
        chain = []
        menus = self.data['menus']
        by_id = {i: x for x, (i, _, _) in menus.items()}
        current = xml_id
        while current:
            chain.insert(0, current)
            parent = menus[current][2]
            current = by_id.get(parent) if parent else None
            if parent and not current:
                raise AssertionError('the parent %s of %s is not read' % (
                        parent, chain[0]))
        path = [menus[x][1] for x in chain]
        for x in chain:
            self.flow.label('menu:' + x, menus[x][1])
        page.evaluate("jQuery('#menu tr').removeAttr('data-kefu-menu')")
        find = """([depth, title]) => {
            const rows = jQuery('#menu tr:visible');
            let start = 0;
            if (depth) {
                const parent = rows.filter(
                    '[data-kefu-menu="' + (depth - 1) + '"]');
                if (!parent.length) {
                    return false;
                }
                start = rows.index(parent) + 1;
            }
            for (let i = start; i < rows.length; i++) {
                const cell = jQuery(rows[i]).find('.column-char').filter(
                    (_, e) => e.getAttribute('title') === title);
                if (cell.length) {
                    jQuery(rows[i]).attr('data-kefu-menu', depth);
                    return true;
                }
            }
            return false;
        }"""
        for depth, title in enumerate(path):
            def mark(timeout, depth=depth, title=title):
                page.wait_for_function(find, arg=[depth, title],
                    timeout=timeout)
            if depth:
                parent = page.locator(
                    '#menu tr[data-kefu-menu="%s"]' % (depth - 1))

                def expand(depth=depth, title=title, parent=parent):
                    if not page.evaluate(find, [depth, title]):
                        parent.locator('.expander').first.click()
                retry(expand, mark, timeout=TIMEOUT)
            else:
                mark(TIMEOUT)
        item = page.locator('#menu tr[data-kefu-menu="%s"] .column-char'
            % (len(path) - 1)).first
        return item, path

    def open_menu(self, xml_id):
        """Open the menu entry xml_id as a person does: expand its parents
        from the root and click it; return the tab's list."""
        page = self.page
        item, path = self.menu_entry(xml_id)
        title = page.locator('#tablist li.active', has_text=path[-1])
        retry(item.click,
            lambda t: title.wait_for(state='visible', timeout=t),
            timeout=TIMEOUT)
        self.settle("Sao.Tab.tabs.get_current().screen.current_view",
            what='the tab %s' % ' / '.join(path))
        # trytond names the tab by the menu's path, without a parent of
        # the same name as the entry
        shown = path[:-2] if path[-2:-1] == path[-1:] else path[:-1]
        expect(page.locator(ACTIVE + ' .tab-form .title').first
            ).to_have_attribute('title', ' / '.join(shown + path[-1:]))
        return page.locator(ACTIVE + ' .treeview').first

    def search(self, text, rows=1):
        "Type text in the list's search box, press Enter, wait for rows"
        search = self.page.locator(ACTIVE + ' .filter-box input.form-control')
        search.fill(text)
        search.press('Enter')
        self.settle("jQuery('%s .treeview tbody tr:visible').length == %s"
            % (ACTIVE, rows), what='the search of %s' % text)

    def list_tab(self, xml_id):
        "Click the tab xml_id (an action's domain) of the list"
        name = self.data['tabs'][xml_id]
        self.flow.label('tab:' + xml_id, name)
        link = self.page.locator(ACTIVE + ' .tab-domain .nav a').filter(
            has_text=re.compile(r'^%s\s' % re.escape(name)))
        link.first.click()
        self.settle("jQuery('%s .tab-domain .nav li.active a').text()"
            ".startsWith(%s)" % (ACTIVE, json.dumps(name)),
            what='the tab %s' % name)

    def pick(self, name, value, model='kefu.ticket'):
        "Choose the value (its key) of the selection `name`; check its label"
        field = self.field(name)
        field.select_option(value=json.dumps(value))
        self.settle(what='the field %s' % name)
        shown = field.locator('option:checked').inner_text().strip()
        expected = self.data['selections'][model, name][value]
        self.test.assertEqual(shown, expected)
        self.flow.label('selection:%s.%s.%s' % (model, name, value), shown)

    def expect_selection(self, name, value, model):
        "Expect the selection `name` to show the label of value"
        expected = self.data['selections'][model, name][value]
        self.expect_value(name, expected)
        self.flow.label('selection:%s.%s.%s' % (model, name, value), expected)

    def press(self, name, model, confirm=False):
        """Click the form's button `name` (its label checked on the way)
        and wait for sao"""
        button = self.page.locator('%s button[name="%s"]' % (FORM, name))
        expect(button).to_be_visible()
        shown = button.inner_text().strip()
        self.flow.label('button:%s.%s' % (model, name), shown)
        button.click()
        if confirm:
            dialog = self.shown_dialog('.confirmation-dialog')
            dialog.locator('.modal-footer .btn-primary').click()
        self.settle(what='the button %s (%s)' % (shown, name))
        return shown

    def show_page_of(self, name):
        """Show the notebook page holding the field `name`; return its
        label"""
        page = self.page
        pane = page.locator(FORM + ' .form-notebook .tab-pane').filter(
            has=page.locator('[name="%s"]' % name)).first
        link = page.locator('%s .form-notebook .nav-tabs a[aria-controls="%s"]'
            % (FORM, pane.get_attribute('id')))
        label = link.inner_text().strip()
        link.click()
        self.settle("jQuery('%s .form-notebook .tab-pane.active "
            "[name=\"%s\"]').length" % (FORM, name),
            what='the page of %s' % name)
        return label

    def type_in(self, name, text):
        """Type text in the field `name`: in its visible entry (sao's
        number fields have a hidden text entry of the same name)"""
        entry = self.page.locator(
            '%s [name="%s"]:not(button):visible' % (FORM, name)).first
        entry.click()
        entry.fill(text)
        entry.press('Tab')
        self.settle(what='the field %s' % name)

    def open_row(self, tree, text):
        """Open the form of the list's row holding text, as the front desk
        does (a click, then a double-click), on a cell that holds no link:
        sao opens the record of a many2one cell's link in a new tab"""
        row = tree.locator('tbody tr:visible', has_text=text).first
        cell = row.locator('td[data-title]:visible').filter(
            has_not=self.page.locator('a, input, button')).first
        cell.click()
        self.settle(what='the selected row')
        cell.dblclick()
        self.settle("Sao.Tab.tabs.get_current().screen.current_view"
            ".view_type == 'form'", what='the form')

    def reload(self):
        "Reload (重新载入) in the tab's toolbar"
        self.page.locator(ACTIVE + ' button#reload').click()
        self.settle(what='reloading')


class TicketFlow:
    """The staff, each in a browser context, working the tickets in turn.
    The cashier's and the accountant's flows are flows of this kind with
    their own steps, staff and labels."""
    name = 'tickets'
    staff_class = Staff
    expected = EXPECTED     # labels: key → the Chinese shown

    def __init__(self, test, browser, server, data):
        self.test = test
        self.browser = browser
        self.server = server
        self.data = data
        self.shots = []
        self.labels = []    # (key, shown)
        self.staff = {}
        self.current = None
        self.step = None
        self.timings = []   # (step, seconds)
        self.rpc = server.client()
        self.rpc.login('admin', server.password)

    def label(self, key, shown):
        self.labels.append((key, shown))

    def check_labels(self):
        "Fail with every label that is not the one named or not Chinese"
        wrong, seen = [], set()
        for key, shown in self.labels:
            if key in seen:
                continue
            seen.add(key)
            expected = self.expected.get(key)
            if expected is not None and shown != expected:
                wrong.append('%s: shows %r, not %r' % (key, shown, expected))
            elif not CJK.search(shown):
                wrong.append('%s: shows %r, not Chinese' % (key, shown))
        if wrong:
            self.test.fail('%s labels are not the Chinese expected '
                '(missing zh_CN translations?):\n    %s' % (
                    len(wrong), '\n    '.join(wrong)))

    def as_(self, login):
        "The browser of login, logged in at the first call"
        staff = self.staff.get(login)
        if staff is None:
            staff = self.staff[login] = self.staff_class(
                self, self.browser, login)
            self.current = staff
            staff.log_in()
        self.current = staff
        return staff

    def steps(self):
        return [self.complaint, self.repair, self.work, self.check_work,
            self.return_visit, self.close, self.statistics]

    def run(self):
        "Run the steps in turn, each checked for errors and timed"
        try:
            for step in self.steps():
                self.step = step.__name__
                start = time.monotonic()
                step()
                for staff in self.staff.values():
                    staff.check()
                self.timings.append((step.__name__,
                        time.monotonic() - start))
        except BaseException as exc:
            paths = self.current.save_failure() if self.current else []
            errors = {login: s.errors for login, s in self.staff.items()}
            raise AssertionError('%s, step %s (%s): %s\nsaved: %s\n'
                'errors: %s\nserver log:\n%s' % (self.name, self.step,
                    self.current.login if self.current else None, exc,
                    ', '.join(paths), errors,
                    self.server.log(3000))) from exc
        finally:
            for staff in self.staff.values():
                staff.context.close()

    def ticket(self, number, fields):
        ticket, = self.rpc.model('kefu.ticket', 'search_read',
            [('number', '=', number)], 0, None, None, fields)
        return ticket

    # 1. The complaint

    def new_ticket(self, desk, kind, category, description):
        "New ticket of the desk's estate for the unit found by phone digits"
        data = self.data
        desk.new()
        desk.expect_value('estate', data['estate'])
        desk.pick('kind', kind)
        desk.pick('channel', 'phone')
        # The owner gives the last four digits of the mobile: the unit
        # field finds the unit by them.
        entry = desk.field('unit')
        entry.click()
        entry.press_sequentially(data['digits'], delay=30)
        completion = desk.page.locator(
            '%s .dropdown.open li.completion a' % FORM,
            has_text=data['unit_name']).first
        completion.wait_for(state='visible')
        shot = None
        if kind == 'complaint':
            shot = desk.screenshot('1-unit-search')
        completion.click()
        desk.settle(what='the field unit')
        expect(entry).to_have_value(data['unit_name'])
        # The owner and the number to call back come with the unit.
        owners = [name for name, _ in data['owners']]
        self.test.assertIn(desk.field('party').input_value(), owners)
        desk.expect_filled('phone')
        desk.choose('category', category[:2], category)
        desk.type_in('description', description)
        return shot

    def complaint(self):
        "The front desk writes a complaint, opens it, reads its deadlines"
        data = self.data
        desk = self.as_('frontdesk')
        desk.open_menu('kefu_ticket.menu_ticket_form')
        self.new_ticket(desk, 'complaint', data['complaint_category'],
            COMPLAINT_TEXT)
        desk.pick('complaint_class', 'class_1')
        desk.pick('severity', 'minor')
        desk.expect_selection('state', 'draft', 'kefu.ticket')
        desk.save()
        desk.expect_filled('number')
        number = desk.field('number').input_value()
        data['complaint'] = number
        desk.press('open', 'kefu.ticket')
        desk.expect_selection('state', 'open', 'kefu.ticket')
        # The assignment rules send complaints to 客服部.
        desk.expect_value('department', data['departments']['KF'])
        desk.expect_filled('assignee')

        label = desk.show_page_of('feedback_due')
        self.label('page:kefu.ticket.deadlines', label)
        ticket = self.ticket(number, ['state', 'department'] + [
                f for pair in DEADLINES for f in pair])
        self.test.assertEqual(ticket['state'], 'open')
        shown = {}
        for due, met in DEADLINES:
            shown[due] = desk.field(due).input_value()
            self.test.assertEqual(shown[due], local(ticket[due]),
                'the page shows %s %r, the server has %r' % (
                    due, shown[due], local(ticket[due])))
            self.test.assertEqual(desk.field(met).input_value(),
                local(ticket[met]))
        # A complaint must be answered and solved: both have a deadline,
        # after the report; the return visit's comes with the resolution.
        for due in ['feedback_due', 'resolve_due']:
            self.test.assertTrue(shown[due], '%s is empty' % due)
        self.test.assertEqual(shown['callback_due'], '')
        self.test.assertLess(shown['feedback_due'], shown['resolve_due'])
        data['complaint_deadlines'] = {k: v for k, v in shown.items() if v}
        desk.screenshot('1-deadlines')

    # 2. The repair and its work order

    def repair(self):
        "The front desk writes a repair, opens it and notifies engineering"
        data = self.data
        desk = self.as_('frontdesk')
        self.new_ticket(desk, 'repair', data['repair_category'], REPAIR_TEXT)
        desk.save()
        number = data['repair'] = desk.field('number').input_value()
        self.test.assertTrue(number)
        desk.press('open', 'kefu.ticket')
        desk.expect_selection('state', 'open', 'kefu.ticket')
        # The assignment rules send repairs to 工程部.
        desk.expect_value('department', data['departments']['GC'])
        desk.screenshot('2-repair')

        # The work order, from the menu 工作单
        desk.open_menu('kefu_ticket.menu_work_order_form')
        desk.new()
        desk.choose('ticket', number, number)
        # It takes the department and the description of the ticket.
        desk.expect_value('department', data['departments']['GC'])
        desk.expect_value('description', REPAIR_TEXT)
        desk.expect_value('unit', data['unit_name'])
        desk.save()
        desk.expect_filled('number')
        data['order'] = desk.field('number').input_value()
        desk.expect_selection('state', 'draft', 'kefu.work_order')
        desk.press('notify', 'kefu.work_order')
        desk.expect_selection('state', 'notified', 'kefu.work_order')
        # The only engineer on duty gets it.
        engineer = data['employee_names'][data['employees']['engineer']]
        desk.expect_value('assignee', engineer)
        desk.expect_filled('notified_at')
        desk.screenshot('2-order-notified')
        ticket = self.ticket(number, ['state'])
        self.test.assertEqual(ticket['state'], 'in_progress')

    def work(self):
        "The engineer goes on site, works, writes the report, finishes"
        data = self.data
        engineer = self.as_('engineer')
        tree = engineer.open_menu('kefu_ticket.menu_work_order_form')
        # His orders
        engineer.list_tab('kefu_ticket.act_work_order_form_domain_mine')
        engineer.search(data['order'])
        engineer.open_row(tree, data['order'])
        engineer.expect_value('number', data['order'])
        engineer.expect_value('description', REPAIR_TEXT)
        engineer.press('arrive', 'kefu.work_order')
        engineer.expect_selection('state', 'on_site', 'kefu.work_order')
        engineer.press('start', 'kefu.work_order')
        engineer.expect_selection('state', 'in_progress', 'kefu.work_order')
        engineer.type_in('report', REPORT_TEXT)
        engineer.press('finish', 'kefu.work_order')
        engineer.expect_selection('state', 'finished', 'kefu.work_order')
        label = engineer.show_page_of('finished_at')
        self.label('page:kefu.work_order.timeline', label)
        for name in ['notified_at', 'arrived_at', 'started_at',
                'finished_at', 'check_due']:
            engineer.expect_filled(name)
        engineer.screenshot('2-order-finished')

    def check_work(self):
        "The front desk reloads the order and checks the work"
        data = self.data
        desk = self.as_('frontdesk')
        desk.reload()
        desk.expect_selection('state', 'finished', 'kefu.work_order')
        desk.expect_value('report', REPORT_TEXT)
        desk.press('check', 'kefu.work_order')
        desk.expect_selection('state', 'checked', 'kefu.work_order')
        desk.expect_value('checked_by', data['employee_names'][
                data['employees']['frontdesk']])
        desk.expect_filled('checked_at')
        desk.screenshot('2-order-checked')
        order, = self.rpc.model('kefu.work_order', 'search_read',
            [('number', '=', data['order'])], 0, None, None,
            ['state', 'checked_by'])
        self.test.assertEqual(order['state'], 'checked')
        self.test.assertEqual(order['checked_by'],
            data['employees']['frontdesk'])
        # All its orders checked, the ticket is resolved with the report
        # as its result, and its return visit is planned.
        ticket = self.ticket(data['repair'],
            ['state', 'result', 'callback_due', 'id'])
        self.test.assertEqual(ticket['state'], 'resolved')
        self.test.assertIn(REPORT_TEXT, ticket['result'])
        self.test.assertTrue(ticket['callback_due'])
        callbacks = self.rpc.model('kefu.callback', 'search_read',
            [('ticket', '=', ticket['id'])], 0, None, None,
            ['state', 'due'])
        self.test.assertEqual([c['state'] for c in callbacks], ['pending'])
        data['repair_id'] = ticket['id']

    # 3. The return visit

    def return_visit(self):
        "The specialist calls the resident back: satisfied, solved"
        data = self.data
        specialist = self.as_('specialist')
        tree = specialist.open_menu('kefu_ticket.menu_callback_form')
        specialist.list_tab('kefu_ticket.act_callback_form_domain_pending')
        specialist.search(data['repair'])
        specialist.open_row(tree, data['repair'])
        specialist.expect_value('ticket', data['repair'])
        specialist.expect_value('work_order', data['order'])
        specialist.expect_selection('state', 'pending', 'kefu.callback')
        specialist.type_in('satisfaction', '5')
        specialist.pick('result', 'ok', model='kefu.callback')
        specialist.type_in('notes', NOTES_TEXT)
        specialist.press('do', 'kefu.callback')
        specialist.expect_selection('state', 'done', 'kefu.callback')
        specialist.expect_filled('done_at')
        specialist.expect_value('done_by', data['employee_names'][
                data['employees']['specialist']])
        specialist.screenshot('3-return-visit')
        callback, = self.rpc.model('kefu.callback', 'search_read',
            [('ticket', '=', data['repair_id'])], 0, None, None,
            ['state', 'satisfaction', 'result', 'done_by'])
        self.test.assertEqual(
            (callback['state'], callback['satisfaction'], callback['result']),
            ('done', 5, 'ok'))
        ticket = self.ticket(data['repair'], ['state', 'callback_at'])
        self.test.assertEqual(ticket['state'], 'visited')
        self.test.assertTrue(ticket['callback_at'])

    # 4. Acceptance, close, statistics

    def close(self):
        "The supervisor records the resident's acceptance and closes"
        data = self.data
        supervisor = self.as_('supervisor')
        tree = supervisor.open_menu('kefu_ticket.menu_ticket_form')
        supervisor.list_tab('kefu_ticket.act_ticket_form_domain_to_close')
        supervisor.search(data['repair'])
        supervisor.open_row(tree, data['repair'])
        supervisor.expect_value('number', data['repair'])
        supervisor.expect_selection('state', 'visited', 'kefu.ticket')
        supervisor.expect_value('result', REPORT_TEXT)
        supervisor.press('accept_resident', 'kefu.ticket')
        label = supervisor.show_page_of('accepted_at')
        self.label('page:kefu.ticket.acceptance', label)
        supervisor.expect_filled('accepted_at')
        supervisor.expect_selection(
            'accepted_by_kind', 'resident', 'kefu.ticket')
        supervisor.press('close', 'kefu.ticket')
        supervisor.expect_selection('state', 'closed', 'kefu.ticket')
        supervisor.expect_filled('reviewed_at')
        supervisor.expect_value('reviewed_by', data['employee_names'][
                data['employees']['supervisor']])
        supervisor.screenshot('4-closed')
        ticket = self.ticket(data['repair'],
            ['state', 'accepted_by_kind', 'reviewed_by', 'callback_at'])
        self.test.assertEqual(ticket['state'], 'closed')
        self.test.assertEqual(ticket['accepted_by_kind'], 'resident')
        self.test.assertEqual(ticket['reviewed_by'],
            data['employees']['supervisor'])

    def statistics(self):
        "The supervisor opens the ticket statistics: a bar per month"
        supervisor = self.as_('supervisor')
        page = supervisor.page
        supervisor.open_menu('kefu_ticket.menu_ticket_statistics')
        bars = page.locator(ACTIVE + ' .graph svg .bb-bars path')
        supervisor.settle("jQuery('%s .graph svg .bb-bars path').length"
            % ACTIVE, what='the graph')
        self.test.assertGreater(bars.count(), 0)
        # The legend names the measures in Chinese.
        legend = [t.strip() for t in page.locator(
                ACTIVE + ' .graph svg .bb-legend-item text'
                ).all_text_contents()]
        self.test.assertTrue(legend)
        for text in legend:
            self.label('graph:legend:' + text, text)
        supervisor.screenshot('4-statistics')
