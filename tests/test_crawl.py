# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every screen, for every role, in a real browser.

On a database filled by the project's demo generator (tools/kefu_demo.py),
Debian's chromium driven by Playwright logs in to sao in Simplified Chinese
as admin and as each staff user the generator creates, one fresh browser
context per user, and for every menu entry that user can see (read from the
server as that user, so a screen a later module adds is crawled without
touching this file):

- opens it as a click on the menu does (Sao.Action.exec_keyword
  'tree_open' on the menu) and waits until the tab has loaded: no RPC in
  flight, no processing indicator, for a moment, and the rows drawn when
  the list has records;
- clicks each tab of the list (its tab domains);
- opens the first record's form by double-clicking the first row, where
  the list has records and is not editable in place;
- clicks New where the user may create records of the model
  (ir.model.access, as the server answers for that user) and the view's
  New button is enabled;
- closes the tab, answering No (discard) when sao asks to save.

A wizard reached from a menu is opened and cancelled with its end-state
button (the link-styled one); opening a wizard whose first state is a
transition would run that transition, in this throw-away database (today
every wizard of the menus starts on a form: the admin's four translation
wizards, the calendar import).  Reports and URLs reached from a menu are
skipped (a report downloads a file and may need LibreOffice; a URL leaves
the application): the test prints what it skipped.  The relate, print and
action menus of a form, the buttons of a form and the records of its
one2many fields are not opened.

For speed the users are crawled CONCURRENCY at a time, each in its own
context of the one browser (asyncio).

Any console error, uncaught page error or exception that jQuery caught in a
promise (sao then draws a list without rows), a server answer of 500 or
more, an error or warning dialog, a list with records and no row, or a step
not done within LOAD_TIMEOUT is a failure naming the user, the menu path in
Chinese, the step and the error, with a screenshot
var/screenshots/crawl-<user>-<n>.png.  All users are crawled and the test
fails once at the end with the whole list.

It runs on SQLite only (the screens do not depend on the backend, and
SQLite is the faster); on PostgreSQL it is skipped with a printed reason.
A missing browser fails it: it is never skipped on SQLite."""
import asyncio
import glob
import os
import sys
import time
import unittest

from tests.server import SCREENSHOTS, RPCClient, TrytonServer, is_postgresql
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, check_browser

try:
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError
    from playwright.async_api import async_playwright
except ImportError:
    async_playwright = None

DEMO_UNITS = 200
# Users crawled at the same time, each in its own context of the browser
CONCURRENCY = 3
# How often a page is asked whether it has settled: every animation frame
# (60 a second, each forcing a layout through jQuery's :visible in three
# pages at once) kept Chromium busy with the checks themselves.
POLL_MS = 50
LOAD_TIMEOUT = 20_000   # ms: a tab, a form or a dialog not ready by then fails
SETTLE = 100            # ms without RPC in flight before a step counts as done
WIZARD_CLICKS = 4       # clicks on a wizard's cancel button before failing

# Installed in every page before sao's own scripts: counts the errors so a
# wait stops at the first one instead of running into its timeout.
DEFERRED_EXCEPTION = 'jQuery.Deferred exception'
INIT_SCRIPT = """
window.__crawl = {errors: 0, since: null};
(function() {
    const DEFERRED_EXCEPTION = '%s';
    const error = console.error;
    console.error = function() {
        window.__crawl.errors++;
        return error.apply(this, arguments);
    };
    // jQuery catches an exception thrown in a Deferred's callback and only
    // warns: sao then shows a list without its rows.
    const warn = console.warn;
    console.warn = function(message) {
        if (String(message).startsWith(DEFERRED_EXCEPTION)) {
            window.__crawl.errors++;
        }
        return warn.apply(this, arguments);
    };
    window.addEventListener('error', () => window.__crawl.errors++);
    window.addEventListener(
        'unhandledrejection', () => window.__crawl.errors++);
})();
""" % DEFERRED_EXCEPTION

# Resolves to 'error' at the first error, to 'ok' once `done` holds with
# no RPC in flight and no processing indicator for SETTLE ms.
SETTLE_JS = """([mark, settle]) => {
    const crawl = window.__crawl;
    if (crawl.errors > mark || jQuery(
            '.error-dialog:visible, .warning-dialog:visible, '
            + '.user-warning-dialog:visible, .message-dialog:visible'
            ).length) {
        return 'error';
    }
    const ok = (%s) && jQuery.active === 0
        && !jQuery('#processing').is(':visible');
    if (!ok) {
        crawl.since = null;
        return false;
    }
    if (crawl.since === null) {
        crawl.since = performance.now();
    }
    return performance.now() - crawl.since >= settle ? 'ok' : false;
}"""

ACTIVE = "jQuery('#tabcontent > .tab-pane.active')"
TABS = "jQuery('#tablist > li').length"
# sao asks whether to save a modified record
CONFIRM = "jQuery('.confirmation-dialog:visible').length"

# What the active tab shows
TAB_STATE_JS = """() => {
    const tab = Sao.Tab.tabs.get_current();
    if (!tab) {
        return null;
    }
    const state = {kind: tab.class_, tabs: %s};
    const screen = tab.screen;
    if (screen && screen.current_view) {
        const view = screen.current_view;
        state.model = screen.model_name;
        state.view = view.view_type;
        state.editable = Boolean(view.editable);
        state.records = screen.group.length;
        state.rows = %s.find('.treeview tbody tr:visible').length;
        state.form = screen.views.some(v => v.view_type == 'form')
            || screen.view_to_load.includes('form');
        state.record = screen.current_record ? screen.current_record.id : null;
        state.domains = %s.find('.tab-domain .nav a').length;
        const new_ = %s.find('button#new_');
        state.new_ = new_.length === 1 && !new_.prop('disabled');
    }
    return state;
}""" % (TABS, ACTIVE, ACTIVE, ACTIVE)


class StepFailure(Exception):
    pass


def menu_entries(client):
    """The menu entries the logged-in user sees, in menu order, each with
    its path and action, and the access of the user to the models"""
    menus = client.model('ir.ui.menu', 'search_read', [], 0, None, None,
        ['name', 'complete_name', 'parent', 'action', 'sequence'])
    by_id = {m['id']: m for m in menus}
    children = {}
    for menu in menus:
        children.setdefault(menu['parent'], []).append(menu)

    # sao shows a menu only under a visible parent: walk from the roots
    entries = []

    def walk(parent):
        for menu in sorted(children.get(parent, []),
                key=lambda m: (m['sequence'] or 0, m['id'])):
            if menu['action']:
                entries.append(menu)
            walk(menu['id'])
    walk(None)
    assert all(m['parent'] is None or m['parent'] in by_id
        for m in entries)

    windows = [int(m['action'].split(',')[1]) for m in entries
        if m['action'].startswith('ir.action.act_window,')]
    models = {}
    for action in client.model('ir.action.act_window', 'read', windows,
            ['res_model']):
        models[action['id']] = action['res_model']
    for menu in entries:
        kind, action_id = menu['action'].split(',')
        menu['kind'] = kind
        menu['model'] = models.get(int(action_id)) \
            if kind == 'ir.action.act_window' else None
    names = sorted({m['model'] for m in entries if m['model']})
    access = client.model('ir.model.access', 'get_access', names)
    return entries, access


class RoleCrawler:
    "Crawls every menu entry of one user in one browser context"

    def __init__(self, browser, server, login, password):
        self.server = server
        self.login = login
        self.password = password
        self.failures = []
        self.skipped = []
        self.counts = {'menus': 0, 'forms': 0, 'new': 0, 'tabs': 0,
            'wizards': 0}
        self.errors = []    # console, page and server errors, in order
        self.browser = browser
        self.context = self.page = None
        self.step_name = None
        self.seconds = 0

    async def close(self):
        if self.context is not None:
            await self.context.close()
        self.context = self.page = None

    # The page and its errors

    async def new_page(self):
        "Log in on a page of a fresh context (sao keeps its session)"
        await self.close()
        self.context = await self.browser.new_context(
            viewport={'width': 1280, 'height': 800}, locale='zh-CN')
        self.context.set_default_timeout(LOAD_TIMEOUT)
        await self.context.add_init_script(INIT_SCRIPT)
        page = self.page = await self.context.new_page()
        page.on('console', self.on_console)
        page.on('pageerror', lambda e: self.errors.append(
                'page error: %s' % e))
        page.on('response', lambda r: r.status >= 500
            and self.errors.append('server: %s %s' % (r.status, r.url)))
        await page.goto(self.server.browser_url)
        await self.log_in()

    def on_console(self, message):
        if not (message.type == 'error' or message.type == 'warning'
                and message.text.startswith(DEFERRED_EXCEPTION)):
            return
        url = message.location.get('url') or ''
        # sao's index.html loads these optional customisation files,
        # which Kefu does not provide: trytond answers 405.
        if url.endswith(('/custom.css', '/custom.js')):
            return
        # the first line: a stack follows
        self.errors.append('console: %s%s' % (
                message.text.splitlines()[0][:500],
                ' (%s)' % url if url else ''))

    async def log_in(self):
        page = self.page
        dialog = page.locator('.login-dialog')
        await dialog.locator('#login').wait_for(state='visible')
        database = dialog.locator('[name="database"]:visible')
        await database.wait_for(state='visible')
        if await database.evaluate('e => e.tagName') == 'SELECT':
            await database.select_option(self.server.database)
        elif await database.get_attribute('readonly') is None:
            await database.fill(self.server.database)
        await dialog.locator('#login').fill(self.login)
        await dialog.locator('button[type="submit"]').click()
        password = page.locator('.ask-dialog #ask-dialog-entry')
        await password.wait_for(state='visible')
        await password.fill(self.password)
        await page.locator('.ask-dialog .modal-footer .btn-primary').click()
        await password.wait_for(state='detached')
        await page.locator('#menu .column-char').first.wait_for(
            state='visible')
        await self.settle('!!Sao.main_menu_screen')

    async def settle(self, done='true', timeout=LOAD_TIMEOUT, what='step'):
        """Wait until `done` (JavaScript) holds and sao is idle; raise
        StepFailure on an error or on the timeout"""
        errors = len(self.errors)
        mark = await self.page.evaluate('window.__crawl.errors')
        try:
            handle = await self.page.wait_for_function(SETTLE_JS % done,
                arg=[mark, SETTLE], polling=POLL_MS, timeout=timeout)
            result = await handle.json_value()
        except PlaywrightTimeoutError:
            raise StepFailure('%s not done in %s s (tab still loading: '
                'the processing indicator or an RPC is left)' % (
                    what, timeout // 1000))
        if result == 'error':
            # the console message may come just after the count
            await self.page.wait_for_timeout(100)
        await self.check(errors)

    async def check(self, since):
        "Raise StepFailure with the errors and dialogs seen since `since`"
        found = self.errors[since:]
        dialogs = self.page.locator('.error-dialog:visible, '
            '.warning-dialog:visible, .user-warning-dialog:visible, '
            '.message-dialog:visible')
        for text in await dialogs.all_inner_texts():
            found.append('dialog: %s' % ' '.join(text.split()))
        if found:
            raise StepFailure('\n    '.join(found))

    async def state(self):
        return await self.page.evaluate(TAB_STATE_JS)

    # The crawl

    async def crawl(self):
        start = time.monotonic()
        try:
            await self._crawl()
        except Exception as exc:
            # A crawl that cannot go on (the login fails again after a
            # failure): report it, and let the other users' crawls run.
            self.failures.append('%s: crawl stopped [%s]\n    %s: %s' % (
                    self.login, self.step_name, type(exc).__name__, exc))
        finally:
            await self.close()
            self.seconds = time.monotonic() - start
        return self

    async def _crawl(self):
        def read_menus():
            client = RPCClient(self.server.url, self.server.database)
            client.login(self.login, self.password, 'zh_CN')
            return menu_entries(client)
        entries, self.access = await asyncio.to_thread(read_menus)
        self.step_name = 'log in'
        try:
            await self.new_page()
            await self.check(0)
        except (StepFailure, PlaywrightTimeoutError) as exc:
            await self.fail(0, {'complete_name': '(login)'}, exc)
        for n, menu in enumerate(entries, 1):
            if menu['kind'] in {'ir.action.report', 'ir.action.url'}:
                self.skipped.append('%s (%s)' % (
                        menu['complete_name'], menu['kind']))
                continue
            self.counts['menus'] += 1
            self.step_name = 'open'
            try:
                if menu['kind'] == 'ir.action.wizard':
                    await self.wizard(menu)
                else:
                    await self.window(menu)
            except (StepFailure, PlaywrightTimeoutError) as exc:
                await self.fail(n, menu, exc)

    async def fail(self, n, menu, exc):
        path = os.path.join(SCREENSHOTS, 'crawl-%s-%s.png' % (self.login, n))
        try:
            await self.page.screenshot(path=path)
        except Exception as error:
            path = '(no screenshot: %s)' % error
        self.failures.append('%s: %s [%s]\n    %s\n    screenshot: %s' % (
                self.login, menu['complete_name'], self.step_name,
                str(exc).strip(), path))
        # Start again from a fresh page: the broken tab may never load.
        self.errors.clear()
        await self.new_page()

    async def open_menu(self, menu):
        "Run the menu's action as sao's menu does on a click"
        await self.page.evaluate("""(id) => { Sao.Action.exec_keyword(
                'tree_open', {'model': 'ir.ui.menu', 'id': id}, null,
                false); }""", menu['id'])

    async def window(self, menu):
        tabs = await self.page.evaluate(TABS)
        await self.open_menu(menu)
        await self.settle('%s > %s' % (TABS, tabs), what='the tab')
        state = await self.state()
        if state['kind'] == 'tab-form':
            state = await self.check_rows(state)
            await self.tab_domains(state)
            await self.first_record(await self.state())
            await self.new(menu)
        await self.close_tabs()

    async def check_rows(self, state):
        """A list that has records shows rows: sao draws them just after
        the records are read, and not at all when drawing fails"""
        if (state.get('view') != 'tree' or not state['records']
                or state['rows']):
            return state
        drawn = ("!Sao.Tab.tabs.get_current().screen.group.length || "
            "%s.find('.treeview tbody tr:visible').length" % ACTIVE)
        try:
            await self.settle(drawn, what='drawing the rows')
        except StepFailure as exc:
            raise StepFailure('the list holds %s records but shows no row '
                '(%s)' % (state['records'], exc))
        return await self.state()

    async def tab_domains(self, state):
        """Click each tab of the list; stay on the last one when it has
        records (usually 全部, all), else come back to one that has"""
        if not state.get('domains'):
            return
        links = self.page.locator(
            '#tabcontent > .tab-pane.active .tab-domain .nav a')
        with_records = None
        for i in range(state['domains']):
            self.step_name = 'tab %s' % (
                await links.nth(i).inner_text()).strip()
            if i:
                await links.nth(i).click()
                await self.settle(what='the tab of the list')
                self.counts['tabs'] += 1
                state = await self.check_rows(await self.state())
            if state['records']:
                with_records = i
        if with_records not in {None, state['domains'] - 1}:
            self.step_name = 'back to a tab with records'
            await links.nth(with_records).click()
            await self.settle(what='the tab of the list')

    async def first_record(self, state):
        if (state.get('view') != 'tree' or state['editable']
                or not state['records'] or not state['form']):
            return
        self.step_name = 'open the first record'
        tabs = state['tabs']
        row = self.page.locator('#tabcontent > .tab-pane.active '
            '.treeview tbody tr').first
        # A cell holding a checkbox, link or button would take the click.
        cells = row.locator('td[data-title]:visible')
        plain = cells.filter(has_not=self.page.locator('input, a, button'))
        cell = (plain if await plain.count() else cells).first
        await cell.dblclick(position={'x': 2, 'y': 2})
        # A list with keyword_open (menus) opens the record's action in a
        # new tab; others switch to the form.
        await self.settle("%s > %s || Sao.Tab.tabs.get_current().screen"
            ".current_view.view_type == 'form'" % (TABS, tabs),
            what='the form')
        self.counts['forms'] += 1

    async def new(self, menu):
        state = await self.state()
        model = state.get('model')
        if not model or not self.access.get(model, {}).get('create'):
            return
        # New opens the form, or adds a row to a list editable in place
        if not state['new_'] or not (state['form'] or state['editable']):
            return
        self.step_name = 'new'
        await self.page.locator(
            '#tabcontent > .tab-pane.active button#new_').click()
        created = ("Sao.Tab.tabs.get_current().screen.current_record "
            "&& Sao.Tab.tabs.get_current().screen.current_record.id < 0")
        await self.settle('%s || %s' % (created, CONFIRM),
            what='the new record')
        if await self.page.evaluate(CONFIRM):
            # sao asks to save the record shown when displaying it changed
            # it (seen once on the admin's own user form, 当前公司 left
            # empty, with the machine under load): discard, as staff would.
            await self.discard()
            await self.settle(created, what='the new record')
        self.counts['new'] += 1

    async def discard(self):
        "Answer 否 (No: discard the changes) to 是否保存？"
        await self.page.locator('.confirmation-dialog:visible '
            '.modal-footer button.btn-default').click()

    async def close_tabs(self):
        "Close every tab, discarding changes"
        self.step_name = 'close'
        while True:
            tabs = await self.page.evaluate(TABS)
            if not tabs:
                return
            await self.page.locator('#tablist > li.active button.close'
                ).click()
            await self.settle('%s < %s || %s' % (TABS, tabs, CONFIRM),
                what='closing the tab')
            if await self.page.evaluate(CONFIRM):
                # 记录有改动，是否保存？
                await self.discard()
                await self.settle('%s < %s' % (TABS, tabs),
                    what='closing the tab without saving')

    async def wizard(self, menu):
        await self.open_menu(menu)
        footer = ('.wizard-dialog:visible .modal-footer, '
            '#tabcontent > .tab-pane.active .tab-wizard .modal-footer')
        await self.settle("jQuery('%s').find('button').length" % footer,
            what='the wizard')
        self.counts['wizards'] += 1
        # The end state's button: the link-styled one, or the only button
        # of a form that just shows something (Tryton's Test Tax).
        links = self.page.locator(', '.join(
                '%s button.btn-link' % f for f in footer.split(', ')))
        if not await links.count():
            links = self.page.locator(footer).locator('button')
            if await links.count() != 1:
                raise StepFailure('the wizard has no button to cancel it')
        self.step_name = 'cancel the wizard'
        # sao ignores a click while the wizard still sets up its form
        # (Sao.Wizard.process returns while __processing), which can last
        # longer than a quiet moment without RPC: click again until the
        # dialog goes, as a person would.
        gone = "!jQuery('.wizard-dialog:visible').length"
        for attempt in range(1, WIZARD_CLICKS + 1):
            if attempt > 1 and await self.page.evaluate(gone):
                break
            await links.first.click()
            try:
                await self.settle(gone, timeout=LOAD_TIMEOUT // WIZARD_CLICKS,
                    what='cancelling the wizard')
                break
            except StepFailure as failure:
                if attempt == WIZARD_CLICKS or 'not done in' not in str(
                        failure):
                    raise
        await self.close_tabs()


async def crawl(server, logins):
    "Crawl as each login in one browser; return the RoleCrawlers in order"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            slots = asyncio.Semaphore(CONCURRENCY)

            async def one(login):
                async with slots:
                    return await RoleCrawler(
                        browser, server, login, server.password).crawl()
            return await asyncio.gather(*map(one, logins))
        finally:
            await browser.close()


def demo_logins():
    from trytond.modules.kefu_base.demo import USERS
    return ['admin'] + [u[0] for u in USERS]


class CrawlTestCase(unittest.TestCase):
    "Every menu entry of every demo user opens in sao without error"

    @classmethod
    def setUpClass(cls):
        if is_postgresql():
            print('\ntests.test_crawl: skipped on PostgreSQL; the crawl '
                'runs once per suite, on SQLite', file=sys.stderr)
            raise unittest.SkipTest('the browser crawl runs on SQLite only')
        check_browser()
        cls.server = TrytonServer('crawl', demo_units=DEMO_UNITS)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        for path in glob.glob(os.path.join(SCREENSHOTS, 'crawl-*.png')):
            os.remove(path)

    def test_every_screen(self):
        "Open every menu entry, a record, New, for admin and each staff user"
        start = time.monotonic()
        crawlers = asyncio.run(crawl(self.server, demo_logins()))
        report = ['%s: %s menus, %s forms, %s new, %s list tabs, %s wizards,'
            ' %s failed, %.0f s%s' % (c.login, c.counts['menus'],
                c.counts['forms'], c.counts['new'], c.counts['tabs'],
                c.counts['wizards'], len(c.failures), c.seconds,
                '; skipped: ' + ', '.join(c.skipped) if c.skipped else '')
            for c in crawlers]
        print('\ntests.test_crawl: %.0f s for %s users, %s at a time '
            '(server %s)\n  %s' % (time.monotonic() - start, len(crawlers),
                CONCURRENCY, {k: round(v) for k, v in
                    self.server.timings.items()}, '\n  '.join(report)),
            file=sys.stderr)
        failures = [f for c in crawlers for f in c.failures]
        if failures:
            self.fail('%s screens failed:\n%s' % (
                    len(failures), '\n'.join(failures)))
