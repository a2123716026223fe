# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The cashier's day in a real browser, clicked and typed as a person
does it.

On a database filled by the project's demo generator (tools/kefu_demo.py,
DEMO_UNITS units, kefu_fee activated: its demo gives the cash desks, a
year of bills and of payments, the closed days of the desks, and leaves
today open), Debian's chromium driven by Playwright logs in to sao in
Simplified Chinese as the demo user `frontdesk` (刘晓燕: the front-desk
group, one estate, the cashier of the desk 前台A), and, each step asserting
what the screen shows:

1. 客服中心 → 房屋: types the last four digits of an owner's mobile in the
   search box, presses Enter, finds the unit alone, opens it, reads its
   owners and shows its fees (收费项目);
2. the unit form's action 收费 (Take Payment): the wizard opens on the unit
   and its owner with the open bills and what they still ask (欠费合计);
   the cashier picks her desk (前台A), 微信支付 (WeChat Pay), enters what is
   owed and clicks 收款;
3. the receipt (收据) comes at once as a PDF (收据-<number>.pdf, which
   sao's download dialog downloads): its text is read with pdftotext
   (poppler-utils): the receipt number, the date, the payer, the unit, the
   bills, the amount in figures and in Chinese capitals (大写金额, from
   kefu_fee's amount_words), the method, the cashier and the desk; it is
   not a copy (副本).  Then 收费管理 → 收据 (tab 今天) shows it, printed
   once;
4. 收费管理 → 日收日清: she creates the desk's close of today, reads the
   expected amount of every method (today's receipts of the desk, this
   payment included), enters the cash she counted (what is expected: no
   difference) and what she banked, saves and clicks 清点完毕 (count) after
   its confirmation; she sees 审核 greyed out.  The supervisor (`supervisor`,
   王磊), in a second browser context, opens the list's tab of the days to
   approve, opens the day, clicks 审核 (approve) and 日结 (close).

The data a person would know (the owner's mobile, the bills) is read over
JSON-RPC as admin before the browser starts: a unit of the cashier's estate
with open posted bills whose single owner pays them and whose mobile's last
four digits find it alone.  At the end the server's truth is asserted over
JSON-RPC: the bills paid (amount to pay 0), the receipt (amount, method,
lines, printed once), the close (closed, its expected, counted and
difference per method, counted by the cashier, approved by the
supervisor).

The browser runs in the demo company's time zone (Asia/Shanghai).  The last
screen of each step is saved as var/screenshots/cashier-<n>-<step>.png, the
receipt's first page (pdftoppm) as cashier-3-receipt.png.  Any console error or
uncaught page error, a server answer of 500 or more, or an error dialog
fails the test at once; on failure the page's screenshot and HTML are saved
as var/screenshots/failure-cashier.png/.html.  Menus, buttons and
selections are found by their technical names and their Chinese labels
checked: those the module's contract names (收费管理, 收费, 收据, 日收日清,
微信支付 ...) must be exactly those, every other one must be Chinese; the
test fails at the end with the list of the wrong ones.

It runs on SQLite only (the screens do not depend on the backend); on
PostgreSQL it is skipped with a printed reason.  A missing browser fails
it: it is never skipped on SQLite.

The waits, error checks and helpers are those of the front-desk and ticket
flows (tests/test_frontdesk_browser.py, tests/test_ticket_browser.py):
Cashier extends their Staff, CashierFlow their TicketFlow."""
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.browser_flow import BrowserFlowTestCase
from tests.server import SCREENSHOTS
from tests.test_browser import retry
from tests.test_frontdesk_browser import (
    ACTIVE, FORM, TIMEOUT, TIMEZONE, last_digits)
from tests.test_ticket_browser import Staff, TicketFlow, TicketServer
from trytond.modules.kefu_fee.amount_words import amount_in_words

try:
    from playwright.sync_api import expect
except ImportError:
    pass

DEMO_UNITS = 200
DESK_CODE = 'QTA'       # the counter of the cashier's estate
METHOD = 'wechat'
WIZARD = '.wizard-dialog:visible'
REPORT_TIMEOUT = 90_000     # ms: LibreOffice renders the receipt

# The labels the module's contract names; any other label must be Chinese.
EXPECTED = {
    'menu:kefu_base.menu_kefu': '客服中心',
    'menu:kefu_fee.menu_fee': '收费管理',
    'menu:kefu_fee.menu_receipt_form': '收据',
    'menu:kefu_fee.menu_cash_close_form': '日收日清',
    'action:kefu_fee.wizard_pay_unit': '收费',
    'wizard:kefu.fee.pay': '收费',
    'page:kefu.unit.fees': '收费项目',     # found by this label
    'report:kefu.fee.receipt': '收据',
    'selection:kefu.fee.pay.start.method_kind.wechat': '微信支付',
    'selection:kefu.fee.receipt.method_kind.wechat': '微信支付',
    'selection:kefu.cash.close.line.kind.wechat': '微信支付',
    'selection:kefu.cash.close.line.kind.cash': '现金',
    }


def money(value):
    "A Decimal as sao shows it: grouped, two decimals"
    return '{:,.2f}'.format(value)


def flat(text):
    "text without any white space, to compare what pdftotext reads"
    return re.sub(r'\s+', '', text)


class CashierBrowserTestCase(BrowserFlowTestCase):
    "Take a payment, print its receipt and close the day, in sao"
    prefix = 'cashier'
    title = 'the cashier browser flow'
    server_class = TicketServer
    demo_units = DEMO_UNITS

    @classmethod
    def prepare(cls, server):
        return prepare(server)

    def test_cashier_day(self):
        "Unit by phone digits, WeChat payment, receipt PDF, daily close"
        flow, seconds = self.run_flow(CashierFlow)
        data = self.data
        print('\ntests.test_cashier_browser (%.0f s, server %s)\n'
            '  steps: %s\n  unit %s, bills %s, paid %s by %s: receipt %s; '
            'close %s: %s\n  screenshots: %s' % (
                seconds, self.server_timings(),
                ', '.join('%s %.1f s' % s for s in flow.timings),
                data['unit_name'], ', '.join(data['invoice_numbers']),
                data['owed'], METHOD, data.get('receipt_number'),
                data.get('close_id'), data.get('close_lines'),
                ', '.join(flow.shots)),
            file=sys.stderr)
        flow.check_labels()


def prepare(server):
    admin = server.client()
    admin.login('admin', server.password)
    zh = {'language': 'zh_CN'}
    users = {u['login']: u for u in admin.model('res.user', 'search_read',
            [('login', 'in', ['frontdesk', 'supervisor'])], 0, None, None,
            ['login', 'name', 'kefu_estates', 'employee'])}
    estate_id, = users['frontdesk']['kefu_estates']
    estate, = admin.model('kefu.estate', 'read', [estate_id], ['name'])
    desk, = admin.model('kefu.fee.desk', 'search_read', [
            ('code', '=', DESK_CODE), ('estate', '=', estate_id)],
        0, None, None, ['rec_name'])
    cashier = server.client()
    cashier.login('frontdesk', server.password, 'zh_CN')
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    data = {
        'users': {k: v['name'] for k, v in users.items()},
        'user_ids': {k: v['id'] for k, v in users.items()},
        'estate_id': estate_id,
        'estate': estate['name'],
        'desk_id': desk['id'],
        'desk': desk['rec_name'],
        'today': today,
        }
    data.update(pick_owing_unit(admin, cashier, estate_id))
    # The desk's day is open: no close yet, and what it took so far
    if admin.model('kefu.cash.close', 'search', [
                ('desk', '=', desk['id']), ('date', '=', today),
                ('state', '!=', 'cancelled')], 0, None, None):
        raise AssertionError('the demo closed %s today already'
            % desk['rec_name'])
    before = {}
    for receipt in admin.model('kefu.fee.receipt', 'search_read', [
                ('desk', '=', desk['id']), ('date', '=', today),
                ('state', '=', 'issued')], 0, None, None,
            ['method_kind', 'amount']):
        before[receipt['method_kind']] = before.get(
            receipt['method_kind'], Decimal(0)) + receipt['amount']
    data['taken_before'] = before
    # The receipts made so far: the test's is the next one
    last = admin.model('kefu.fee.receipt', 'search', [], 0, 1,
        [('id', 'DESC')])
    data['last_receipt'] = last[0] if last else 0

    def ref(xml_id):
        return server.xml_id(xml_id)

    menus = {x: ref(x) for x in ['kefu_base.menu_kefu', 'kefu_fee.menu_fee',
            'kefu_fee.menu_receipt_form', 'kefu_fee.menu_cash_close_form']}
    names = {m['id']: m for m in admin.model('ir.ui.menu', 'read',
            list(menus.values()), ['name', 'parent'], context=zh)}
    data['menus'] = {x: (i, names[i]['name'], names[i]['parent'])
        for x, i in menus.items()}
    tabs = {x: ref(x) for x in [
            'kefu_fee.act_receipt_form_domain_today',
            'kefu_fee.act_cash_close_form_domain_counted']}
    names = {t['id']: t['name'] for t in admin.model(
            'ir.action.act_window.domain', 'read', list(tabs.values()),
            ['name'], context=zh)}
    data['tabs'] = {x: names[i] for x, i in tabs.items()}
    data['selections'] = {}
    for model, fields in [
            ('kefu.fee.pay.start', ['method_kind']),
            ('kefu.cash.close', ['state']),
            ('kefu.cash.close.line', ['kind']),
            ('kefu.fee.receipt', ['method_kind']),
            ]:
        for name, desc in admin.model(model, 'fields_get', fields,
                context=zh).items():
            data['selections'][model, name] = dict(
                (k, v) for k, v in desc['selection'] if k)
    # The methods of the desk, in the order of its close's lines
    methods = admin.model('kefu.fee.desk.method', 'search_read',
        [('desk', '=', desk['id'])], 0, None, None, ['kind'])
    data['methods'] = [m['kind'] for m in methods]
    employees = admin.model('company.employee', 'read',
        [users['frontdesk']['employee']], ['rec_name'])
    data['cashier'] = employees[0]['rec_name']
    return data


def pick_owing_unit(admin, cashier, estate_id):
    """A unit of the estate with open posted bills, all of them asked of its
    single current owner, whose mobile's last four digits find that unit
    alone when the cashier searches them; the one with the most open bills
    first"""
    charges = admin.model('kefu.fee.charge', 'search_read', [
            ('unit.estate', '=', estate_id),
            ('state', '=', 'posted'),
            ('invoice.state', '=', 'posted'),
            ], 0, None, [('unit', 'ASC'), ('id', 'ASC')],
        ['unit', 'payer', 'invoice', 'amount', 'paid_amount',
            'period_start'])
    by_unit = {}
    for charge in charges:
        by_unit.setdefault(charge['unit'], []).append(charge)
    ownerships = admin.model('kefu.unit.ownership', 'search_read', [
            ('unit', 'in', list(by_unit)),
            ('date_to', '=', None),
            ], 0, None, [('unit', 'ASC'), ('id', 'ASC')],
        ['unit', 'party', 'phones'])
    owners = {}
    for ownership in ownerships:
        owners.setdefault(ownership['unit'], []).append(ownership)
    candidates = []
    for unit_id, unit_charges in by_unit.items():
        unit_owners = owners.get(unit_id, [])
        if len(unit_owners) != 1 or not unit_owners[0]['phones']:
            continue
        owner, = unit_owners
        if {c['payer'] for c in unit_charges} != {owner['party']}:
            continue
        invoices = sorted({c['invoice'] for c in unit_charges})
        candidates.append((-len(invoices), unit_id, owner, invoices))
    for _, unit_id, owner, invoice_ids in sorted(
            candidates, key=lambda c: c[:2]):
        phone = owner['phones'].split(',')[0].strip()
        digits = last_digits(phone)
        found = cashier.model('kefu.unit', 'search',
            [('rec_name', 'ilike', '%' + digits + '%')], 0, None, None)
        if found != [unit_id]:
            continue
        invoices = [i for i in admin.model('account.invoice', 'read',
                invoice_ids, ['number', 'amount_to_pay', 'invoice_date'])
            if i['amount_to_pay'] > 0]
        if not invoices:
            continue
        invoices.sort(key=lambda i: (i['invoice_date'], i['number']))
        unit, = admin.model('kefu.unit', 'read', [unit_id],
            ['code', 'rec_name'])
        party, = admin.model('party.party', 'read', [owner['party']],
            ['rec_name'])
        fees = admin.model('kefu.unit.fee', 'search_read', [
                ('unit', '=', unit_id)], 0, None, None, ['fee_type.rec_name'])
        return {
            'unit_id': unit_id,
            'unit_code': unit['code'],
            'unit_name': unit['rec_name'],
            'digits': digits,
            'owners': [(party['rec_name'], owner['phones'])],
            'payer_id': owner['party'],
            'payer': party['rec_name'],
            'invoice_ids': [i['id'] for i in invoices],
            'invoice_numbers': [i['number'] for i in invoices],
            'owed': sum((i['amount_to_pay'] for i in invoices), Decimal(0)),
            'fees': sorted({f['fee_type.']['rec_name'] for f in fees}),
            # The unit form's 欠费 and its unpaid charges' months
            'unit_owed': sum((c['amount'] - c['paid_amount']
                    for c in by_unit[unit_id]), Decimal(0)),
            'periods': sorted({c['period_start'].isoformat()
                    for c in by_unit[unit_id]}),
            }
    raise AssertionError('no unit of estate %s has open bills of its '
        'single owner whose mobile\'s last four digits find it alone'
        % estate_id)


class Cashier(Staff):
    """A staff member's browser context with the helpers of the front desk
    and the tickets; while a wizard's dialog is open (scope), the fields are
    those of the dialog"""
    prefix = 'cashier'
    scope = FORM

    def field(self, name):
        return self.page.locator(
            '%s [name="%s"]:not(button)' % (self.scope, name)).first

    def type_in(self, name, text):
        entry = self.page.locator(
            '%s [name="%s"]:not(button):visible' % (self.scope, name)).first
        entry.click()
        entry.fill(text)
        entry.press('Tab')
        self.settle(what='the field %s' % name)

    def choose(self, name, text, shown):
        "Type text in the many2one `name`, pick `shown` in the completion"
        entry = self.field(name)
        entry.click()
        entry.fill('')
        entry.press_sequentially(text, delay=30)
        self.page.locator('%s .dropdown.open li.completion a' % self.scope,
            has_text=shown).first.click()
        self.settle(what='the field %s' % name)
        expect(entry).to_have_value(shown)

    def launch(self, label, key):
        "Launch the form's action `label` from the toolbar's 操作 menu"
        page = self.page
        toggle = page.locator(ACTIVE + ' button#action')
        item = page.locator(ACTIVE + ' ul.dropdown-menu[aria-labelledby='
            '"action"] li a').filter(
            has_text=re.compile(r'^\s*%s\s*$' % re.escape(label)))
        retry(toggle.click,
            lambda t: item.first.wait_for(state='visible', timeout=t),
            timeout=TIMEOUT)
        self.flow.label(key, item.first.inner_text().strip())
        item.first.click()

    def line(self, text):
        "The row holding text in the form's one2many list"
        return self.page.locator(
            '%s .form-one2many tbody tr' % FORM, has_text=text).first

    def edit_cell(self, row, column, text):
        """Type text in the cell of the column (its Chinese label) of the
        editable list's row: a click selects the row, a second one edits
        it"""
        cell = row.locator('td[data-title^="%s:"]' % column)
        cell.click()
        self.settle(what='the selected line')
        cell.click()
        entry = cell.locator('.widget-editable input:visible').first
        entry.wait_for(state='visible')
        entry.fill(text)
        entry.press('Tab')
        self.settle(what='the cell %s' % column)


class CashierFlow(TicketFlow):
    "The cashier, then the supervisor, each in a browser context"
    name = 'cashier'
    staff_class = Cashier
    expected = EXPECTED

    def steps(self):
        return [self.find_unit, self.take_payment, self.print_receipt,
            self.count_day, self.approve_day, self.check_server]

    # 1. The unit, found by the owner's mobile

    def find_unit(self):
        "Find the unit by the mobile's last four digits; see what it owes"
        data = self.data
        cashier = self.as_('frontdesk')
        # The front desk's own search (screenshots 1-search and 1-unit)
        cashier.find_unit()
        # The page of the fees: what is owed, the unpaid charges, then the
        # fees (the one2manys have no name in sao's page)
        cashier.page_tab(EXPECTED['page:kefu.unit.fees'])
        cashier.expect_value('owed', money(data['unit_owed']))
        lists = cashier.page.locator(
            '%s .form-notebook .tab-pane.active .treeview' % FORM)
        unpaid, fees = lists.nth(0), lists.nth(1)
        for period in data['periods']:
            expect(unpaid.locator('tbody tr', has_text=period).first
                ).to_be_visible()
        cashier.screenshot('1-fees')
        # sao fills a list when it is scrolled to
        fees.scroll_into_view_if_needed()
        for fee in data['fees']:
            expect(fees.locator('tbody tr', has_text=fee).first
                ).to_be_visible()

    # 2. The payment

    def take_payment(self):
        "Take Payment from the unit's form: WeChat, what is owed"
        data = self.data
        cashier = self.as_('frontdesk')
        page = cashier.page
        cashier.launch('收费', 'action:kefu_fee.wizard_pay_unit')
        dialog = cashier.shown_dialog(WIZARD)
        cashier.settle("jQuery('%s .form-many2many tbody tr').length"
            % WIZARD, what='the wizard')
        # Its title: the action's name, then the unit's in brackets
        title = dialog.locator('.modal-header h4').first.inner_text().strip()
        self.test.assertEqual(title, '%s (%s)' % (
                EXPECTED['wizard:kefu.fee.pay'], data['unit_name']))
        self.label('wizard:kefu.fee.pay', title.split(' (')[0])
        cashier.scope = WIZARD
        try:
            # It opens on the unit, its owner and their open bills
            cashier.expect_value('unit', data['unit_name'])
            cashier.expect_value('payer', data['payer'])
            cashier.expect_value('date', data['today'].strftime('%Y-%m-%d'))
            bills = dialog.locator('.form-many2many tbody tr:visible')
            expect(bills).to_have_count(len(data['invoice_numbers']))
            for number in data['invoice_numbers']:
                expect(bills.filter(has_text=number)).to_have_count(1)
            cashier.expect_value('owed', money(data['owed']))
            cashier.screenshot('2-bills')

            # Her desk, WeChat, what is owed
            cashier.choose('desk', data['desk'][:2], data['desk'])
            cashier.pick('method_kind', METHOD, model='kefu.fee.pay.start')
            cashier.type_in('amount', str(data['owed']))
            cashier.expect_value('amount', money(data['owed']))
            cashier.expect_value('excess', money(0))
            cashier.screenshot('2-payment')
            pay = dialog.locator('.modal-footer button.btn-primary')
            self.label('wizard_button:kefu.fee.pay.start.pay',
                pay.inner_text().strip())
            # The payment is taken and the receipt printed at once: sao
            # offers its PDF in a dialog (下载) and starts the download.
            with page.expect_download(timeout=REPORT_TIMEOUT) as download:
                pay.click()
            self.download = download.value
        finally:
            cashier.scope = FORM
        cashier.settle("!jQuery('%s, .modal:visible a[download]').length"
            % WIZARD, what='the receipt')

    # 3. The receipt

    def print_receipt(self):
        "Download the receipt's PDF, read it"
        data = self.data
        cashier = self.as_('frontdesk')
        page = cashier.page
        receipt, = self.rpc.model('kefu.fee.receipt', 'search_read', [
                ('unit', '=', data['unit_id']),
                ('date', '=', data['today']),
                ('desk', '=', data['desk_id']),
                ('id', '>', data['last_receipt']),
                ], 0, None, None,
            ['number', 'amount', 'method_kind', 'printed', 'party', 'state',
                'prepayment', 'lines', 'cashier'])
        data['receipt'] = receipt
        number = data['receipt_number'] = receipt['number']
        name = self.download.suggested_filename
        self.label('report:kefu.fee.receipt', name.split('-')[0])
        self.test.assertEqual(name, '收据-%s.pdf' % number)
        with tempfile.TemporaryDirectory(prefix='kefu-receipt-') as tmp:
            pdf = os.path.join(tmp, 'receipt.pdf')
            self.download.save_as(pdf)
            with open(pdf, 'rb') as f:
                self.test.assertEqual(f.read(5), b'%PDF-')
            text = subprocess.run(['pdftotext', '-enc', 'UTF-8', pdf, '-'],
                capture_output=True, text=True, check=True).stdout
            # The first page as an image, to look at
            subprocess.run(['pdftoppm', '-png', '-r', '80', '-singlefile',
                    pdf, os.path.join(SCREENSHOTS, 'cashier-3-receipt')],
                check=True)
            self.shots.append('cashier-3-receipt.png')
        shown = flat(text)
        owed = data['owed']
        words = amount_in_words(owed)
        data['receipt_words'] = words
        for what, expected in [
                ('title', '收据'),
                ('number', '收据号No.：%s' % number),
                ('date', str(data['today'])),
                ('payer', '付款人：%s' % data['payer']),
                ('unit', '房号：%s' % data['unit_name']),
                ('amount', '合计（小写）¥%s' % money(owed)),
                ('words', '合计人民币（大写）：%s' % words),
                ('method', '付款方式：%s' % data['selections'][
                        'kefu.fee.pay.start', 'method_kind'][METHOD]),
                ('cashier', '收款人：%s' % data['cashier']),
                ('desk', '收费点：%s' % data['desk']),
                ] + [('bill', n) for n in data['invoice_numbers']]:
            self.test.assertIn(flat(expected), shown,
                'the receipt does not show its %s %r:\n%s' % (
                    what, expected, text))
        self.test.assertNotIn('副本', shown)

        # The receipt in 收费管理 → 收据, tab 今天 (the server's today: sao
        # 8.0's PYSON Date() would be yesterday in Shanghai): printed once.
        tree = cashier.open_menu('kefu_fee.menu_receipt_form')
        cashier.list_tab('kefu_fee.act_receipt_form_domain_today')
        cashier.search(number)
        cashier.open_row(tree, number)
        cashier.expect_value('number', number)
        cashier.expect_value('party', data['payer'])
        cashier.expect_value('unit', data['unit_name'])
        cashier.expect_value('amount', money(owed))
        cashier.expect_value('amount_in_words', words)
        cashier.expect_selection('method_kind', METHOD, 'kefu.fee.receipt')
        cashier.expect_value('printed', '1')
        lines = page.locator('%s .form-notebook .tab-pane.active .treeview'
            % FORM).first
        for bill in data['invoice_numbers']:
            expect(lines.locator('tbody tr', has_text=bill)).to_have_count(1)
        cashier.screenshot('3-receipt-form')

    # 4. The day's close

    def count_day(self):
        "The cashier creates today's close of her desk, counts, banks"
        data = self.data
        cashier = self.as_('frontdesk')
        cashier.open_menu('kefu_fee.menu_cash_close_form')
        cashier.new()
        cashier.choose('desk', data['desk'][:2], data['desk'])
        cashier.expect_value('date', data['today'].strftime('%Y-%m-%d'))
        cashier.expect_value('cashier', data['cashier'])
        cashier.expect_selection('state', 'draft', 'kefu.cash.close')
        cashier.save()
        cashier.expect_value('estate', data['estate'])

        # The expected amount of every method: today's receipts of the
        # desk, this payment included
        expected = dict(data['taken_before'])
        expected[METHOD] = expected.get(METHOD, Decimal(0)) + data['owed']
        data['close_expected'] = expected
        kinds = data['selections']['kefu.cash.close.line', 'kind']
        lines = cashier.page.locator('%s .form-one2many tbody tr' % FORM)
        expect(lines).to_have_count(len(set(data['methods']) | set(expected)))
        for kind in data['methods']:
            self.label('selection:kefu.cash.close.line.kind.' + kind,
                kinds[kind])
            expect(cashier.line(kinds[kind]).locator(
                    'td[data-title^="应收:"]')).to_have_text(
                money(expected.get(kind, 0)))
        total = sum(expected.values(), Decimal(0))
        cashier.expect_value('expected', money(total))

        # The cash counted is what is expected; all of it goes to the bank
        cash = expected.get('cash', Decimal(0))
        row = cashier.line(kinds['cash'])
        cashier.edit_cell(row, '实点', str(cash))
        cashier.edit_cell(row, '已存银行', str(cash))
        cashier.save()
        expect(row.locator('td[data-title^="差异:"]')).to_have_text(
            money(0))
        expect(row.locator('td[data-title^="已存银行:"]')).to_have_text(
            money(cash))
        cashier.expect_value('difference', money(0))
        cashier.expect_value('banked', money(cash))
        self.test.assertEqual(cashier.page.locator(
                '%s button[name="approve"]:visible' % FORM).count(), 0)
        cashier.click_button('count', '清点完毕',
            confirm='清点后该收费点当天不再收款')
        self.label('button:kefu.cash.close.count', '清点完毕')
        cashier.expect_selection('state', 'counted', 'kefu.cash.close')
        cashier.expect_value('counted_by', data['users']['frontdesk'])
        # The other methods were taken as expected: counted
        for kind in data['methods']:
            expect(cashier.line(kinds[kind]).locator(
                    'td[data-title^="实点:"]')).to_have_text(
                money(expected.get(kind, 0)))
        cashier.expect_value('counted', money(total))
        # Approving is for a supervisor or finance: she sees the button
        # greyed out (Tryton's buttons of other groups are read-only)
        approve = cashier.page.locator('%s button[name="approve"]' % FORM)
        expect(approve).to_be_visible()
        expect(approve).to_be_disabled()
        data['close_id'] = cashier.page.evaluate(
            'Sao.Tab.tabs.get_current().screen.current_record.id')
        # The totals, who counted, the state and the buttons in view
        cashier.field('state').scroll_into_view_if_needed()
        cashier.screenshot('4-counted')

    def approve_day(self):
        "The supervisor approves the counted day and closes it"
        data = self.data
        supervisor = self.as_('supervisor')
        tree = supervisor.open_menu('kefu_fee.menu_cash_close_form')
        supervisor.list_tab('kefu_fee.act_cash_close_form_domain_counted')
        row = tree.locator('tbody tr:visible', has_text=data['desk'])
        expect(row.filter(has_text=str(data['today']))).to_have_count(1)
        supervisor.open_row(tree, str(data['today']))
        supervisor.expect_value('desk', data['desk'])
        supervisor.expect_selection('state', 'counted', 'kefu.cash.close')
        supervisor.press('approve', 'kefu.cash.close')
        supervisor.expect_selection('state', 'approved', 'kefu.cash.close')
        supervisor.expect_value('approved_by', data['users']['supervisor'])
        supervisor.press('close', 'kefu.cash.close')
        supervisor.expect_selection('state', 'closed', 'kefu.cash.close')
        if data['close_expected'].get('cash'):
            supervisor.expect_filled('move')
        supervisor.field('state').scroll_into_view_if_needed()
        supervisor.screenshot('4-closed')

    # The server's truth

    def check_server(self):
        "The bills paid, the receipt, the close, as the server has them"
        data = self.data
        rpc = self.rpc
        test = self.test
        for invoice in rpc.model('account.invoice', 'read',
                data['invoice_ids'], ['number', 'state', 'amount_to_pay']):
            test.assertEqual((invoice['state'], invoice['amount_to_pay']),
                ('paid', Decimal(0)), invoice['number'])
        receipt = data['receipt']
        test.assertEqual(receipt['amount'], data['owed'])
        test.assertEqual(receipt['prepayment'], Decimal(0))
        test.assertEqual(receipt['method_kind'], METHOD)
        test.assertEqual(receipt['party'], data['payer_id'])
        test.assertEqual(receipt['state'], 'issued')
        lines = rpc.model('kefu.fee.receipt.line', 'read', receipt['lines'],
            ['invoice', 'amount'])
        test.assertEqual(sorted(l['invoice'] for l in lines),
            sorted(data['invoice_ids']))
        test.assertEqual(sum(l['amount'] for l in lines), data['owed'])
        printed, = rpc.model('kefu.fee.receipt', 'read', [receipt['id']],
            ['printed', 'amount_in_words'])
        test.assertEqual(printed['printed'], 1)
        test.assertEqual(printed['amount_in_words'], data['receipt_words'])

        close, = rpc.model('kefu.cash.close', 'read', [data['close_id']],
            ['state', 'desk', 'date', 'expected', 'counted', 'difference',
                'banked', 'counted_by', 'approved_by', 'lines', 'move'])
        expected = data['close_expected']
        test.assertEqual(close['state'], 'closed')
        test.assertEqual((close['desk'], close['date']),
            (data['desk_id'], data['today']))
        test.assertEqual(close['counted_by'], data['user_ids']['frontdesk'])
        test.assertEqual(close['approved_by'],
            data['user_ids']['supervisor'])
        test.assertEqual(close['expected'], sum(expected.values()))
        test.assertEqual(close['counted'], close['expected'])
        test.assertEqual(close['difference'], Decimal(0))
        test.assertEqual(bool(close['move']), bool(expected.get('cash')))
        lines = rpc.model('kefu.cash.close.line', 'read', close['lines'],
            ['kind', 'expected', 'counted', 'difference', 'banked'])
        data['close_lines'] = {l['kind']: str(l['expected']) for l in lines
            if l['expected']}
        for line in lines:
            amount = expected.get(line['kind'], Decimal(0))
            test.assertEqual(
                (line['expected'], line['counted'], line['difference']),
                (amount, amount, Decimal(0)), line['kind'])
        # The receipts of the day, by method, are the close's figures
        receipts = rpc.model('kefu.fee.receipt', 'search_read', [
                ('desk', '=', data['desk_id']),
                ('date', '=', data['today']),
                ('state', '=', 'issued')], 0, None, None,
            ['method_kind', 'amount'])
        taken = {}
        for r in receipts:
            taken[r['method_kind']] = taken.get(
                r['method_kind'], Decimal(0)) + r['amount']
        test.assertEqual(taken, expected)
