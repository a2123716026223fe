# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The front desk's day in a real browser, clicked and typed as a person
does it.

On a database filled by the project's demo generator (tools/kefu_demo.py,
DEMO_UNITS units), Debian's chromium driven by Playwright logs in to sao in
Simplified Chinese as the demo user `frontdesk` (刘晓燕: the front-desk
group, one estate) and, each step asserting what the screen shows:

1. 房屋: types the last four digits of an owner's mobile in the search box,
   presses Enter, finds the unit, opens it and reads its owners with their
   phones;
2. 钥匙管理 → 钥匙借用登记: lends a key (借出) and takes it back (归还), then
   tries to lend a key a colleague has out and reads the module's refusal
   in the error dialog;
3. 前台 → 值班记录: opens today's day shift (值班中, which the demo leaves
   open for this clerk), writes an entry and hands the shift over (交班);
4. 前台 → 访客单: registers a visitor arriving, saves, and marks them leaving
   (离开);
5. 前台 → 挂号邮件收发登记: registers a registered-mail item, saves and hands
   it out (发放) to a signed name.

The data a person would know (an owner's phone, a key's tag, a colleague
who has a key out) is read or prepared over JSON-RPC as admin or as a
colleague before the browser starts.  The browser runs in the demo
company's time zone (Asia/Shanghai), as the desk's does: sao shows
date-times in the browser's zone and the duty log's date is the company's
today.  The last screen of each step is saved
as var/screenshots/frontdesk-<step>.png.  Any console error or uncaught page
error, a server answer of 500 or more, or an error dialog other than the
refusal the test asks for fails the test; on failure the page's screenshot
and HTML are saved as var/screenshots/failure-frontdesk.png/.html.

It runs on SQLite only (the screens do not depend on the backend, and one
run per suite is enough); on PostgreSQL it is skipped with a printed reason.
A missing browser fails it: it is never skipped on SQLite.

The login and wait helpers are those of tests/test_crawl.py (copied: a
shared module such as tests/sao.py can hold them for both)."""
import datetime as dt
import os
import re
import sys
from zoneinfo import ZoneInfo

from tests.browser_flow import BrowserFlowTestCase
from tests.server import SCREENSHOTS
from tests.test_browser import log_in, retry

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect
except ImportError:
    pass

DEMO_UNITS = 200
TIMEOUT = 20_000        # ms: a screen, a dialog or a value not there by then
SETTLE = 200            # ms without RPC in flight before a step counts as done

TIMEZONE = 'Asia/Shanghai'   # the demo company's

ACTIVE = '#tabcontent > .tab-pane.active'
FORM = ACTIVE + ' .form-container'
DIALOGS = ('.error-dialog:visible, .warning-dialog:visible, '
    '.user-warning-dialog:visible, .message-dialog:visible')

# Installed in the page before sao's own scripts: counts the errors so a
# wait stops at the first one instead of running into its timeout.
INIT_SCRIPT = """
window.__kefu = {errors: 0, since: null};
(function() {
    const error = console.error;
    console.error = function() {
        window.__kefu.errors++;
        return error.apply(this, arguments);
    };
    window.addEventListener('error', () => window.__kefu.errors++);
    window.addEventListener(
        'unhandledrejection', () => window.__kefu.errors++);
})();
"""

# Resolves to 'error' at the first error (or an unexpected dialog), to 'ok'
# once `done` holds with no RPC in flight and no processing indicator for
# SETTLE ms.
SETTLE_JS = """([mark, settle, dialogs]) => {
    const state = window.__kefu;
    if (state.errors > mark || (!dialogs && jQuery(%r).length)) {
        return 'error';
    }
    const ok = (%s) && jQuery.active === 0
        && !jQuery('#processing').is(':visible');
    if (!ok) {
        state.since = null;
        return false;
    }
    if (state.since === null) {
        state.since = performance.now();
    }
    return performance.now() - state.since >= settle ? 'ok' : false;
}"""

RECORD_ID = ("(Sao.Tab.tabs.get_current() && "
    "Sao.Tab.tabs.get_current().screen.current_record && "
    "Sao.Tab.tabs.get_current().screen.current_record.id)")


class StepFailure(Exception):
    pass


def last_digits(number, n=4):
    return re.sub(r'\D', '', number)[-n:]


class FrontDeskBrowserTestCase(BrowserFlowTestCase):
    "The front desk's day in sao, as 刘晓燕 clicks and types it"
    prefix = 'frontdesk'
    title = 'the front-desk browser flow'
    demo_units = DEMO_UNITS

    @classmethod
    def prepare(cls, server):
        return prepare(server)

    def test_front_desk_day(self):
        "Find a unit by phone, keys, duty log, visitor, registered mail"
        desk, seconds = self.run_flow(FrontDesk)
        print('\ntests.test_frontdesk_browser (%.0f s, server %s): %s' % (
                seconds, self.server_timings(), ', '.join(desk.shots)),
            file=sys.stderr)


def prepare(server):
    """What the front desk knows before the browser opens, read (or, for
    the key a colleague has out, done) over JSON-RPC"""
    admin = server.client()
    admin.login('admin', server.password)
    user, = admin.model('res.user', 'search_read',
        [('login', '=', 'frontdesk')], 0, None, None,
        ['name', 'kefu_estates'])
    estate_id, = user['kefu_estates']
    estate, = admin.model('kefu.estate', 'read', [estate_id],
        ['name', 'code'])
    desk = server.client()
    desk.login('frontdesk', server.password, 'zh_CN')

    data = {'user': user['name'], 'estate': estate['name']}
    data.update(pick_unit(admin, desk, estate_id))
    data.update(pick_keys(admin, server, estate_id))
    colleague, = admin.model('res.user', 'search_read',
        [('login', '=', 'specialist')], 0, None, None, ['name'])
    data['next_shift_user'] = colleague['name']
    return data


def pick_unit(admin, desk, estate_id):
    """A unit of the estate with owners, one of whose mobile's last four
    digits find that unit alone when the front desk searches them"""
    ownerships = admin.model('kefu.unit.ownership', 'search_read', [
            ('unit.estate', '=', estate_id),
            ('date_to', '=', None),
            ], 0, None, [('unit', 'ASC'), ('id', 'ASC')],
        ['unit', 'party', 'phones'])
    by_unit = {}
    for ownership in ownerships:
        if ownership['phones']:
            by_unit.setdefault(
                ownership['unit'], []).append(ownership)
    # Co-owned units first: the form then shows several owners and phones.
    for unit_id, owners in sorted(by_unit.items(),
            key=lambda i: (-len(i[1]), i[0])):
        for owner in owners:
            phone = owner['phones'].split(',')[0].strip()
            digits = last_digits(phone)
            found = desk.model('kefu.unit', 'search',
                [('rec_name', 'ilike', '%' + digits + '%')], 0, None, None)
            if found == [unit_id]:
                unit, = admin.model('kefu.unit', 'read', [unit_id],
                    ['code', 'rec_name'])
                parties = admin.model('party.party', 'read',
                    [o['party'] for o in owners], ['rec_name'])
                names = {p['id']: p['rec_name'] for p in parties}
                return {
                    'unit_code': unit['code'],
                    'unit_name': unit['rec_name'],
                    'digits': digits,
                    'owners': [(names[o['party']], o['phones'])
                        for o in owners],
                    }
    raise AssertionError('no owner of estate %s has a phone whose last '
        'four digits find one unit' % estate_id)


def pick_keys(admin, server, estate_id):
    """A key in the cabinet to lend, and one that a colleague (the security
    guard 赵勇) took out this morning, lent over JSON-RPC as sao does"""
    keys = admin.model('kefu.key', 'search_read', [
            ('estate', '=', estate_id),
            ('state', '=', 'available'),
            ('is_spare', '=', False),
            ('kind', '=', 'equipment_room'),
            ], 0, 2, [('code', 'ASC')], ['code', 'rec_name', 'equipment'])
    free, out = keys
    guard = server.client()
    guard.login('security', server.password, 'zh_CN')
    employee, = admin.model('company.employee', 'read',
        [guard.context['employee']], ['party', 'rec_name'])
    now = dt.datetime.now().replace(microsecond=0)
    lending, = guard.model('kefu.key.lending', 'create', [{
                'key': out['id'],
                'borrower': employee['party'],
                'purpose': '设备房巡检',
                'due_at': now + dt.timedelta(hours=8),
                }])
    guard.model('kefu.key.lending', 'lend', [lending])
    contractor, = admin.model('party.party', 'search_read',
        [('name', 'like', '%电梯维保%')], 0, 1, None, ['rec_name'])
    return {
        'free_key': free,
        'out_key': out,
        'out_borrower': employee['rec_name'],
        'out_purpose': '设备房巡检',
        'contractor': contractor['rec_name'],
        }


class FrontDesk:
    "One browser page, logged in as frontdesk, doing the day's work"
    prefix = 'frontdesk'    # of the screenshots

    def __init__(self, test, browser, server, data):
        self.test = test
        self.server = server
        self.data = data
        self.errors = []    # console, page and server errors, in order
        self.shots = []
        # sao shows date-times in the browser's time zone: the desk's,
        # the company's.
        self.context = browser.new_context(
            viewport={'width': 1280, 'height': 800}, locale='zh-CN',
            timezone_id=TIMEZONE)
        self.context.set_default_timeout(TIMEOUT)
        expect.set_options(timeout=TIMEOUT)
        self.context.add_init_script(INIT_SCRIPT)
        self.page = self.context.new_page()
        self.page.on('console', self.on_console)
        self.page.on('pageerror', lambda e: self.errors.append(
                'page error: %s' % e))
        self.page.on('response', lambda r: r.status >= 500
            and self.errors.append('server: %s %s' % (r.status, r.url)))
        self.step = 'log in'

    def run(self):
        try:
            for step in [self.log_in, self.find_unit, self.keys,
                    self.duty_log, self.visitor, self.mail]:
                self.step = step.__name__
                step()
                self.check()
        except BaseException as exc:
            paths = self.save_failure()
            raise AssertionError('front desk, step %s: %s\nsaved: %s\n'
                'errors: %s\nserver log:\n%s' % (self.step, exc,
                    ', '.join(paths), self.errors,
                    self.server.log(3000))) from exc
        finally:
            self.context.close()

    # Errors, waits and screenshots

    def on_console(self, message):
        if message.type != 'error':
            return
        url = message.location.get('url') or ''
        # sao's index.html loads these optional customisation files,
        # which Kefu does not provide: trytond answers 405.
        if url.endswith(('/custom.css', '/custom.js')):
            return
        self.errors.append('console: %s%s' % (
                message.text, ' (%s)' % url if url else ''))

    def mark(self):
        return self.page.evaluate('window.__kefu.errors')

    def settle(self, done='true', what='the screen', dialogs=False):
        """Wait until `done` (JavaScript) holds and sao is idle; raise
        StepFailure on an error, an error dialog (unless dialogs) or the
        timeout"""
        try:
            result = self.page.wait_for_function(SETTLE_JS % (DIALOGS, done),
                arg=[self.mark(), SETTLE, dialogs], polling=50,
                timeout=TIMEOUT).json_value()
        except PlaywrightTimeoutError:
            raise StepFailure('%s not ready in %s s (still processing)' % (
                    what, TIMEOUT // 1000))
        if result == 'error':
            # the console message may come just after the count
            self.page.wait_for_timeout(100)
        self.check(dialogs)

    def check(self, dialogs=False):
        "Raise StepFailure with the errors and unexpected dialogs seen"
        found = list(self.errors)
        if not dialogs:
            for text in self.page.locator(DIALOGS).all_inner_texts():
                found.append('dialog: %s' % ' '.join(text.split()))
        if found:
            raise StepFailure('\n    '.join(found))

    def screenshot(self, name):
        path = os.path.join(SCREENSHOTS, '%s-%s.png' % (self.prefix, name))
        self.page.screenshot(path=path)
        self.shots.append(os.path.relpath(
                path, os.path.dirname(os.path.dirname(SCREENSHOTS))))
        return path

    def save_failure(self):
        paths = []
        try:
            path = os.path.join(SCREENSHOTS, 'failure-%s.png' % self.prefix)
            self.page.screenshot(path=path, full_page=True)
            paths.append(path)
            path = os.path.join(SCREENSHOTS, 'failure-%s.html' % self.prefix)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(self.page.content())
            paths.append(path)
        except Exception as exc:
            paths.append('(could not save: %s)' % exc)
        return paths

    # What a person does: menus, fields, buttons

    def log_in(self):
        page = self.page
        log_in(page, self.server, 'frontdesk')
        page.locator('#menu .column-char').first.wait_for(state='visible')
        self.settle('!!Sao.main_menu_screen', what='the menu')
        # The user's name is shown at the top right.
        expect(page.locator('#user-preferences')).to_contain_text(
            self.data['user'])

    def menu(self, *path):
        """Open the menu entry at path (its Chinese names), expanding its
        parents, in a new tab; return the tab's list"""
        page = self.page

        def item(name):
            return page.locator('#menu .column-char[title="%s"]' % name)
        for parent, child in zip(path, path[1:]):
            def expand(parent=parent, child=child):
                if not item(child).is_visible():
                    page.locator('#menu tr:has(.column-char[title="%s"]) '
                        '.expander' % parent).first.click()
            retry(expand, lambda t, child=child: item(child).wait_for(
                    state='visible', timeout=t), timeout=TIMEOUT)
        title = page.locator('#tablist li.active', has_text=path[-1])
        retry(item(path[-1]).click,
            lambda t: title.wait_for(state='visible', timeout=t),
            timeout=TIMEOUT)
        self.settle("Sao.Tab.tabs.get_current().screen.current_view",
            what='the tab %s' % ' / '.join(path))
        expect(page.locator(ACTIVE + ' .tab-form .title').first
            ).to_have_attribute('title', ' / '.join(path))
        return page.locator(ACTIVE + ' .treeview').first

    def field(self, name):
        "The entry of the field `name` in the form of the active tab"
        return self.page.locator(
            '%s [name="%s"]:not(button)' % (FORM, name)).first

    def type_in(self, name, text):
        entry = self.field(name)
        entry.click()
        entry.fill(text)
        entry.press('Tab')
        self.settle(what='the field %s' % name)

    def choose(self, name, text, shown):
        """Type text in the many2one `name` and pick `shown` among the
        completions sao proposes"""
        entry = self.field(name)
        entry.click()
        entry.fill('')
        entry.press_sequentially(text, delay=30)
        completion = self.page.locator(
            '%s .dropdown.open li.completion a' % FORM, has_text=shown)
        completion.first.click()
        self.settle(what='the field %s' % name)
        expect(entry).to_have_value(shown)

    def select(self, name, label):
        self.field(name).select_option(label=label)
        self.settle(what='the field %s' % name)

    def expect_value(self, name, value):
        "Expect the field to show value (a selection: its label)"
        field = self.field(name)
        if field.evaluate('e => e.tagName') == 'SELECT':
            expect(field.locator('option:checked')).to_have_text(value)
        else:
            expect(field).to_have_value(value)

    def expect_filled(self, name):
        expect(self.field(name)).not_to_have_value('')

    def click_button(self, name, label, confirm=False):
        "Click the form's button `name`, labelled `label`"
        button = self.page.locator('%s button[name="%s"]' % (FORM, name))
        expect(button).to_be_visible()
        expect(button).to_have_text(label)
        button.click()
        if confirm:
            dialog = self.shown_dialog('.confirmation-dialog')
            self.test.assertIn(confirm, dialog.inner_text())
            dialog.locator('.modal-footer .btn-primary').click()
        self.settle(what='the button %s' % label)

    def shown_dialog(self, selector):
        "Wait until the dialog has faded in; return it"
        dialog = self.page.locator(selector + ':visible')
        dialog.wait_for(state='visible')
        self.page.wait_for_function('''(selector) => {
                const modal = jQuery(selector + ':visible').closest('.modal');
                if (!modal.hasClass('in')) {
                    return false;
                }
                const transform = getComputedStyle(
                    modal.find('.modal-dialog')[0]).transform;
                return getComputedStyle(modal[0]).opacity === '1'
                    && ['none', 'matrix(1, 0, 0, 1, 0, 0)'].includes(
                        transform);
            }''', arg=selector, polling=50)
        return dialog

    def new(self):
        "New (新建) in the tab's toolbar; wait for the empty form"
        self.page.locator(ACTIVE + ' button#new_').click()
        self.settle(RECORD_ID + ' < 0', what='the new record')

    def save(self):
        "Save (保存) in the tab's toolbar; the record gets its id"
        self.page.locator(ACTIVE + ' button#save').click()
        self.settle(RECORD_ID + ' > 0', what='saving')

    def page_tab(self, label):
        "Show the page `label` of the form's notebook"
        self.page.locator('%s .form-notebook .nav-tabs a' % FORM,
            has_text=label).first.click()
        self.settle(what='the page %s' % label)

    def open_row(self, tree, text):
        """Double-click the list's row holding text to open its form.

        The row is clicked once first: sao writes the list's address to the
        URL on that click, and if the browser reports that change after the
        form has opened (as it does for Playwright's instant double-click,
        never for a person's) sao takes it for a new address and opens the
        list again in a second tab."""
        cell = tree.locator('tbody tr:visible td:not(.selection-state)',
            has_text=text).first
        cell.click()
        self.settle(what='the selected row')
        cell.dblclick()
        self.settle("Sao.Tab.tabs.get_current().screen.current_view"
            ".view_type == 'form'", what='the form')

    # The day

    def find_unit(self):
        "Find the unit by the last four digits of an owner's mobile"
        data = self.data
        tree = self.menu('客服中心', '房屋')
        search = self.page.locator(ACTIVE + ' .filter-box input.form-control')
        search.fill(data['digits'])
        search.press('Enter')
        self.settle("jQuery('%s .treeview tbody tr:visible').length == 1"
            % ACTIVE, what='the search')
        row = tree.locator('tbody tr:visible').first
        expect(row).to_contain_text(data['unit_code'])
        expect(row).to_contain_text(data['estate'])
        self.screenshot('1-search')
        self.open_row(tree, data['unit_code'])
        self.expect_value('code', data['unit_code'])
        self.expect_value('estate', data['estate'])
        # Its owners with their phones (the first page, 产权记录)
        owners = self.page.locator(
            '%s .form-notebook .tab-pane.active .treeview' % FORM).first
        headers = [t.strip() for t in
            owners.locator('thead th label').all_inner_texts()]
        for label in ['业主', '电话']:
            self.test.assertIn(label, headers)
        for name, phones in data['owners']:
            row = owners.locator('tbody tr', has_text=name).first
            expect(row).to_contain_text(phones)
        self.test.assertTrue(any(last_digits(p) == data['digits']
                for _, phones in data['owners'] for p in phones.split(',')))
        self.screenshot('1-unit')

    def keys(self):
        "Lend a key and take it back; be refused a key that is out"
        data = self.data
        free, out = data['free_key'], data['out_key']
        today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
        due = (today + dt.timedelta(days=1)).strftime('%Y-%m-%d 18:00:00')
        self.menu('客服中心', '钥匙管理', '钥匙借用登记')

        self.new()
        self.choose('key', free['code'], free['rec_name'])
        self.expect_value('estate', data['estate'])
        self.choose('borrower', '电梯维保', data['contractor'])
        self.type_in('purpose', '电梯机房年检')
        self.type_in('due_at', due)
        self.expect_value('state', '草稿')
        self.click_button('lend', '借出')
        self.expect_value('state', '借出中')
        self.expect_filled('lent_at')
        self.expect_value('lent_by', data['user'])
        self.click_button('return_', '归还')
        self.expect_value('state', '已归还')
        self.expect_filled('returned_at')
        self.expect_value('returned_to', data['user'])
        self.screenshot('2-key-returned')

        # The key the security guard took out this morning
        self.new()
        self.choose('key', out['code'], out['rec_name'])
        self.choose('borrower', '电梯维保', data['contractor'])
        self.type_in('purpose', '水泵房检修')
        self.type_in('due_at', due)
        self.page.locator('%s button[name="lend"]' % FORM).click()
        dialog = self.shown_dialog('.warning-dialog')
        self.settle(what='the refusal', dialogs=True)
        message = dialog.locator('h4').inner_text()
        self.test.assertEqual(message,
            '钥匙“%s”已借给%s（%s），尚未归还。请先登记归还再借出，'
            '或借出另一把钥匙。' % (
                out['rec_name'], data['out_borrower'], data['out_purpose']))
        self.screenshot('2-key-refused')
        dialog.locator('.modal-footer .btn-primary').click()
        dialog.wait_for(state='detached')
        self.settle(what='closing the refusal')
        # Nothing went out: the lending stays a draft, which the clerk
        # cancels.
        self.expect_value('state', '草稿')
        self.click_button('cancel', '取消')
        self.expect_value('state', '已取消')
        self.screenshot('2-keys')

    def duty_log(self):
        "Open the shift's log, write an entry, hand the shift over"
        data = self.data
        tree = self.menu('客服中心', '前台', '值班记录')
        # The demo left today's day shift open for this clerk (the one
        # before was handed over to them): the list opens on the tab 值班中,
        # the shifts on duty; today is the company's.
        today = dt.datetime.now(ZoneInfo(TIMEZONE)).date().strftime(
            '%Y-%m-%d')
        self.open_row(tree, today)
        self.expect_value('estate', data['estate'])
        self.expect_value('date', today)
        self.expect_value('shift', '白班')
        self.expect_value('user', data['user'])
        self.expect_value('state', '值班中')
        self.expect_filled('number')
        self.expect_value('written_by', data['user'])

        # An entry (事项): the list of the page 记录事项 adds it in a dialog
        self.page_tab('记录事项')
        self.page.locator('%s .form-notebook .tab-pane.active '
            'button[title="新建"]' % FORM).first.click()
        dialog = self.shown_dialog('.window-form')
        self.settle(what='the entry dialog')
        expect(dialog.locator('.modal-title')).to_contain_text('记录事项')
        content = '%s来电：%s电梯异响，已通知工程部。' % (
            self.data['owners'][0][0], self.data['unit_code'])
        dialog.locator('[name="content"]').fill(content)
        add = dialog.locator('.modal-footer button.btn-primary')
        expect(add).to_have_text('添加')
        add.click()
        self.settle("!jQuery('.window-form:visible').length",
            what='closing the entry dialog')
        entries = self.page.locator(
            '%s .form-notebook .tab-pane.active .treeview' % FORM).first
        expect(entries.locator('tbody tr', has_text='电梯异响')
            ).to_contain_text('未处理')
        self.save()

        # The handover (交接班)
        self.page_tab('交接班')
        self.choose('receiving_user', data['next_shift_user'],
            data['next_shift_user'])
        self.type_in('notes', '%s电梯异响待工程部回复。' % data['unit_code'])
        self.click_button('hand_over', '交班', confirm='确认交班')
        self.expect_value('state', '已交接班')
        self.expect_filled('handed_over_at')
        self.expect_value('handed_over_by', data['user'])
        self.expect_filled('next_log')
        self.screenshot('3-duty-log')

    def visitor(self):
        "Register a visitor arriving and leaving"
        data = self.data
        self.menu('客服中心', '前台', '访客单')
        self.new()
        self.choose('estate', data['estate'][:2], data['estate'])
        self.type_in('visitor_name', '王建华')
        self.choose('unit', data['unit_code'], data['unit_name'])
        # One of the unit's owners is proposed as the host.
        self.test.assertIn(self.field('host').input_value(),
            [name for name, _ in data['owners']])
        self.type_in('purpose', '探亲')
        self.expect_filled('arrived_at')
        self.save()
        self.expect_filled('number')
        self.expect_value('state', '在访')
        self.expect_value('left_at', '')
        self.click_button('leave', '离开')
        self.expect_value('state', '已离开')
        self.expect_filled('left_at')
        self.screenshot('4-visitor')

    def mail(self):
        "Register a registered-mail item and hand it out"
        data = self.data
        owner = data['owners'][0][0]
        self.menu('客服中心', '前台', '挂号邮件收发登记')
        self.new()
        self.choose('estate', data['estate'][:2], data['estate'])
        self.select('kind', '包裹单')
        self.type_in('tracking_number', 'KA123456789CN')
        self.choose('unit', data['unit_code'], data['unit_name'])
        self.choose('addressee', owner, owner)
        self.expect_value('addressee_name', owner)
        self.save()
        self.expect_filled('number')
        self.expect_value('state', '已签收')
        self.expect_value('received_by', data['user'])
        self.page_tab('发放')
        self.type_in('signed_by_name', '李明')
        self.click_button('hand_out', '发放')
        self.expect_value('state', '已发放')
        self.expect_filled('handed_out_at')
        self.expect_value('handed_out_by', data['user'])
        self.screenshot('5-mail')
