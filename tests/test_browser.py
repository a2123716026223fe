# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""End to end in a real browser: Debian's chromium, driven by Playwright,
logs in to sao in Simplified Chinese and opens 客服中心 → 项目.

Needs chromium and a CJK font (`make browser-deps`) and the playwright
package (the [test] extra; its own browser download is never used).  A
missing browser fails the test: it is not skipped.  On failure a screenshot
and the page's HTML are saved to var/screenshots/ for diagnosis."""
import os
import shutil
import subprocess
import time
import unittest

from tests.server import SCREENSHOTS, TrytonServer

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    sync_playwright = None

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run',
    ]
TIMEOUT = 60_000    # ms, for every wait on the page

ESTATE_CODE = 'CH'
ESTATE_NAME = '翠湖花园'
BUILDING_NAME = '3号楼'


def check_browser():
    "Fail (not skip) with what to do when the browser set-up is missing"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise AssertionError(
            '%s not found: run `make browser-deps` (it installs Debian\'s '
            'chromium and fonts-noto-cjk)' % CHROMIUM)
    if shutil.which('fc-list'):
        fonts = subprocess.run(['fc-list', ':lang=zh'],
            capture_output=True, text=True).stdout
        if not fonts.strip():
            raise AssertionError('no Chinese font: run `make browser-deps` '
                '(it installs fonts-noto-cjk)')
    if sync_playwright is None:
        raise AssertionError('the playwright package is missing: run `make '
            'install` (pip install -e \'.[test]\'), never `playwright '
            'install`')


def log_in(page, server, login):
    "Log in to sao on server's database as login, with the server's password"
    page.goto(server.browser_url)
    dialog = page.locator('.login-dialog')
    dialog.locator('#login').wait_for(state='visible')
    # The database list comes after the dialog: an input, read-only
    # when the server has one database, else a select.
    database = dialog.locator('[name="database"]:visible')
    database.wait_for(state='visible')
    if database.evaluate('e => e.tagName') == 'SELECT':
        database.select_option(server.database)
    elif database.get_attribute('readonly') is None:
        database.fill(server.database)
    elif database.input_value() != server.database:
        raise AssertionError('sao offers database %r, not %r' % (
                database.input_value(), server.database))
    dialog.locator('#login').fill(login)
    dialog.locator('button[type="submit"]').click()
    # The second dialog asks for the password.
    password = page.locator('.ask-dialog #ask-dialog-entry')
    password.wait_for(state='visible')
    if password.get_attribute('type') != 'password':
        raise AssertionError('the password is typed in clear')
    password.fill(server.password)
    page.locator('.ask-dialog .modal-footer .btn-primary').click()
    password.wait_for(state='detached')


def retry(action, done, timeout=TIMEOUT):
    """Do action until done(timeout) stops raising a timeout: a click on the
    menu while sao still renders it can be lost."""
    deadline = time.monotonic() + timeout / 1000
    wait = 2000
    while True:
        action()
        try:
            done(wait)
            return
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise
            wait = min(2 * wait, 10_000)


class BrowserTestCase(unittest.TestCase):
    "sao in Chinese, in chromium"

    @classmethod
    def setUpClass(cls):
        check_browser()
        cls.server = TrytonServer('browser')
        cls.server.start()
        try:
            client = cls.server.client()
            client.login('admin', cls.server.password)
            company = client.setup_company()
            cls.estate, = client.model('kefu.estate', 'create', [{
                        'code': ESTATE_CODE, 'name': ESTATE_NAME,
                        'company': company}])
            client.model('kefu.building', 'create', [{
                        'estate': cls.estate, 'code': '3',
                        'name': BUILDING_NAME, 'floors': 26}])
            client.call('model.res.user.set_preferences',
                {'language': 'zh_CN'}, {})
            # The admin has done the module configuration: see
            # close_config_wizard.
            items = client.model('ir.module.config_wizard.item', 'search',
                [('state', '=', 'open')], 0, None, None)
            client.model('ir.module.config_wizard.item', 'write',
                items, {'state': 'done'})
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.playwright = sync_playwright().start()
        self.addCleanup(self.playwright.stop)
        self.browser = self.playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.addCleanup(self.browser.close)
        self.page = self.browser.new_page(
            viewport={'width': 1280, 'height': 800}, locale='zh-CN')
        self.page.set_default_timeout(TIMEOUT)
        self.server_errors = []
        self.page_errors = []
        self.page.on('response', lambda r: r.status >= 500
            and self.server_errors.append('%s %s' % (r.status, r.url)))
        self.page.on('pageerror', lambda e: self.page_errors.append(str(e)))
        os.makedirs(SCREENSHOTS, exist_ok=True)
        for name in ['estates.png', 'failure-estates.png',
                'failure-estates.html']:
            path = os.path.join(SCREENSHOTS, name)
            if os.path.exists(path):
                os.remove(path)

    def save_failure(self, name):
        "Save a screenshot and the HTML of the page; return their paths"
        paths = []
        try:
            path = os.path.join(SCREENSHOTS, name + '.png')
            self.page.screenshot(path=path, full_page=True)
            paths.append(path)
            path = os.path.join(SCREENSHOTS, name + '.html')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(self.page.content())
            paths.append(path)
        except Exception as exc:
            paths.append('(could not save: %s)' % exc)
        return paths

    def run_flow(self, name, flow):
        try:
            flow()
        except BaseException as exc:
            paths = self.save_failure('failure-' + name)
            raise AssertionError(
                '%s\nsaved: %s\nserver errors: %s\npage errors: %s\n'
                'server log:\n%s' % (exc, ', '.join(paths),
                    self.server_errors, self.page_errors,
                    self.server.log(2000))) from exc

    def login(self):
        log_in(self.page, self.server, 'admin')

    def close_config_wizard(self):
        """Cancel the Module Configuration wizard if it shows.

        An admin gets it at each login while configuration items are open.
        setUpClass marks them done: cancelling makes sao build the menu a
        second time ('reload menu') and when the two builds finish in the
        wrong order the menu shown is not the one sao activates, so a click
        on 项目 opens nothing (about 1 run in 6 with sao 8.0.11).  sao
        builds the menu once the login actions have run."""
        page = self.page
        wizard = page.locator('.tab-wizard')
        menu = page.locator('#menu .column-char[title="客服中心"]')
        wizard.or_(menu).first.wait_for(state='visible')
        if wizard.count():
            expect(wizard.locator('.modal-header')).to_contain_text(
                '模块配置', timeout=TIMEOUT)
            # The button of the end state is the link-styled one (取消).
            # sao ignores a click while the wizard still processes its
            # first state: click again until the wizard is gone.
            cancel = wizard.locator('.modal-footer button.btn-link')
            deadline = time.monotonic() + TIMEOUT / 1000
            while True:
                cancel.click()
                try:
                    wizard.wait_for(state='detached', timeout=2000)
                    break
                except PlaywrightTimeoutError:
                    if time.monotonic() > deadline:
                        raise
            self.wait_menu_settled()
        menu.wait_for(state='visible')

    def wait_menu_settled(self):
        "Wait until the menu shown stays the one sao activates for 1 s"
        consistent = ("() => !!Sao.main_menu_screen && "
            "jQuery('#menu > .content-box')[0] === "
            "Sao.main_menu_screen.screen_container.content_box[0]")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.page.wait_for_function(consistent, timeout=5000)
            except PlaywrightTimeoutError:
                continue
            time.sleep(1)
            if self.page.evaluate(consistent):
                return
        raise AssertionError('sao shows a stale menu after the Module '
            'Configuration wizard: its two menu builds finished in the '
            'wrong order, and menu clicks open nothing')

    def open_estates(self):
        page = self.page
        item = page.locator('#menu .column-char[title="项目"]')

        def expand():
            if not item.is_visible():
                page.locator('#menu tr:has(.column-char[title="客服中心"]) '
                    '.expander').click()
        retry(expand, lambda t: item.wait_for(state='visible', timeout=t))

        # The tab's title is in Chinese.
        title = page.locator('#tablist li.active', has_text='项目')
        retry(item.click,
            lambda t: title.wait_for(state='visible', timeout=t))
        tab = page.locator('#tabcontent .tab-pane.active .tab-form')
        tab.locator('.content-box table').first.wait_for(state='visible')
        return tab

    def test_estates_in_chinese(self):
        "Log in, open 客服中心 → 项目, see and open the estate, screenshot"
        page = self.page

        def flow():
            self.login()
            self.close_config_wizard()
            tab = self.open_estates()

            # The list: column labels in Chinese and the estate's row
            headers = tab.locator('thead th label')
            headers.filter(has_text='编号').first.wait_for(state='visible')
            labels = [t.strip() for t in headers.all_inner_texts()]
            for label in ['编号', '名称', '管理处经理']:
                self.assertIn(label, labels)
            row = tab.locator('tbody tr', has_text=ESTATE_NAME)
            row.wait_for(state='visible')
            self.assertIn(ESTATE_CODE, row.inner_text())
            self.assertEqual(tab.locator('tbody tr:visible').count(), 1)

            # The form of the estate
            row.dblclick()
            name = tab.locator('.form-container input[name="name"]')
            name.wait_for(state='visible')
            expect(name).to_have_value(ESTATE_NAME, timeout=TIMEOUT)
            expect(tab.locator('.form-container input[name="code"]')
                ).to_have_value(ESTATE_CODE, timeout=TIMEOUT)
            form_labels = [t.strip() for t in tab.locator(
                    '.form-container label.form-label').all_inner_texts()]
            for label in ['名称:', '编号:', '公司:', '管理处经理:']:
                self.assertIn(label, form_labels)
            # its buildings tab lists the building made over RPC
            tab.locator('.form-notebook .nav-tabs', has_text='楼栋'
                ).wait_for(state='visible')
            tab.locator('.form-notebook tbody tr', has_text=BUILDING_NAME
                ).first.wait_for(state='visible')

            path = os.path.join(SCREENSHOTS, 'estates.png')
            page.screenshot(path=path)
            self.assertGreater(os.path.getsize(path), 10_000)

            self.assertEqual(self.server_errors, [])
            self.assertEqual(self.page_errors, [])
            # No error dialog is open.
            self.assertEqual(page.locator('.modal:visible').count(), 0)

        self.run_flow('estates', flow)
