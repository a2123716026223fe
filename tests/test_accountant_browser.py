# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The accountant's deposit refunds in a real browser, clicked as a person
does it.

On a database filled by the project's demo generator (tools/kefu_demo.py,
DEMO_UNITS units, kefu_fee activated: its deposit ledger has refunds the
front desk asked for, refunds approved, refunds being paid, and the
bank's export of the last two days left as a GBK CSV file to import, see
addons/kefu_fee/demo_deposit.py and demo_statement.py), Debian's chromium
driven by Playwright logs in to sao in Simplified Chinese as the demo user
`finance` (the finance group with Tryton's accounting, payment and
statement groups) and, each step asserting what the screen shows:

1. 客服中心 → 收费管理 → 押金退款: reads the counts of the tabs 待审批,
   待付款 and 付款中, opens on 待审批 a refund the front desk (刘晓燕)
   asked for, clicks 审批 (approve) then 付款 (pay): the refund is 付款中
   with its payment; back on the list, reloaded, the counts moved by one
   from 待审批 to 付款中;
2. 财务 → 对账单 → 导入对账单: picks the format 国内银行流水 and the
   journal 工商银行基本户, selects the bank's file and imports it: the
   statement opens with the lines the rules matched, the refunds being
   paid by their payment numbers (押金退款 FK…) and the residents'
   transfers by the unit written in the memo; the one transfer nobody can
   match (its memo names no unit) is left pending on its origin;
3. opens that origin, adds its line: the payer named by the bank (a new
   contact, or the one of that name the register has) on 预收账款 (money
   received in advance, until the front desk finds the unit); clicks 验证
   (validate) and 过账 (post, after its confirmation);
4. back in 押金退款 → 已付款: the refunds the file paid show 已付款 with
   已与银行流水核对 ticked; one of them opened, then its deposit in
   押金 → 已结清: closed, nothing held.  The refund approved and paid in
   step 1 is still 付款中 when the bank's file does not show it (the
   demo's file holds the refunds it left being paid), else it is paid too.

The data a person would know (the refund asked for, the bank's file) is
read over JSON-RPC as admin before the browser starts; the server's truth
is asserted over JSON-RPC at the end: the refunds and their payments
(succeeded, cleared), their deposits (closed, held 0, refunded what was
paid), the statement (posted, each origin matched), the bills the
transfers paid, the refund of step 1 (its payment approved by finance and
processing).

The browser runs in the demo company's time zone (Asia/Shanghai).  The last
screen of each step is saved as var/screenshots/accountant-<n>-<step>.png.
Any console error or uncaught page error, a server answer of 500 or more,
or an error dialog fails the test at once; on failure the page's
screenshot and HTML are saved as var/screenshots/failure-accountant.png/
.html.  Menus, tabs, buttons and selections are found by their technical
names and their Chinese labels checked: those named below (押金退款, 审批,
付款, 验证, 过账, 已与银行流水核对 ...) must be exactly those, every other
one must be Chinese; the test fails at the end with the list of the wrong
ones.

It runs on SQLite only (the screens do not depend on the backend); on
PostgreSQL it is skipped with a printed reason.  A missing browser fails
it: it is never skipped on SQLite.

The waits, error checks and helpers are those of the cashier's flow
(tests/test_cashier_browser.py): Accountant extends its Cashier."""
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from decimal import Decimal

from tests.browser_flow import BrowserFlowTestCase
from tests.test_browser import retry
from tests.test_cashier_browser import WIZARD, Cashier, money
from tests.test_frontdesk_browser import ACTIVE, FORM, TIMEOUT
from tests.test_ticket_browser import TicketFlow, TicketServer

try:
    from playwright.sync_api import expect
except ImportError:
    pass

DEMO_UNITS = 200
JOURNAL = '工商银行基本户'
FILE_FORMAT = 'kefu_cn_bank'
# Money received nobody can match is kept as received in advance from its
# payer until the front desk finds the unit
ADVANCE_ACCOUNT = '2203'
REFUND_MEMO = re.compile(r'押金退款\s*(FK\d+)')
# Dialogs stacked over the form: the last one shown is on top
WINDOW = '.window-form:visible'
# The id of the record of the active tab's form
FORM_RECORD = ("(Sao.Tab.tabs.get_current().screen.current_record "
    "&& Sao.Tab.tabs.get_current().screen.current_record.id)")

# The labels the module's contract names; any other label must be Chinese.
EXPECTED = {
    'menu:kefu_base.menu_kefu': '客服中心',
    'menu:kefu_fee.menu_fee': '收费管理',
    'menu:kefu_fee.menu_deposit_refund_form': '押金退款',
    'menu:kefu_fee.menu_deposit_form': '押金',
    'menu:account.menu_account': '财务',
    'menu:account_statement.menu_statements': '对账单',
    'menu:account_statement.menu_statement_import': '导入对账单',
    'wizard:account.statement.import': '导入对账单',
    'tab:kefu_fee.act_deposit_refund_form_domain_requested': '待审批',
    'tab:kefu_fee.act_deposit_refund_form_domain_approved': '待付款',
    'tab:kefu_fee.act_deposit_refund_form_domain_processing': '付款中',
    'tab:kefu_fee.act_deposit_refund_form_domain_paid': '已付款',
    'tab:kefu_fee.act_deposit_refund_form_domain_all': '全部',
    'button:kefu.deposit.line.approve': '审批',
    'button:kefu.deposit.line.pay': '付款',
    'button:account.statement.validate_statement': '验证',
    'button:account.statement.post': '过账',
    'selection:kefu.deposit.line.state.requested': '已申请',
    'selection:kefu.deposit.line.state.processing': '付款中',
    'selection:kefu.deposit.line.state.paid': '已付款',
    'selection:kefu.deposit.state.closed': '已结清',
    'selection:account.statement.import.start.file_format.kefu_cn_bank':
        'Chinese Bank Export (CSV/Excel) 国内银行流水',
    'field:kefu.deposit.line.bank_reconciled': '已与银行流水核对',
    }
MENUS = ['kefu_base.menu_kefu', 'kefu_fee.menu_fee',
    'kefu_fee.menu_deposit_refund_form', 'kefu_fee.menu_deposit_form',
    'account.menu_account', 'account_statement.menu_statements',
    'account_statement.menu_statement_form',
    'account_statement.menu_statement_import']
REFUND_TABS = ['requested', 'approved', 'processing', 'paid', 'all']
# The tabs whose records are counted
COUNTED = ['requested', 'approved', 'processing']


def refund_tab(name):
    return 'kefu_fee.act_deposit_refund_form_domain_' + name


class AccountantBrowserTestCase(BrowserFlowTestCase):
    "Approve and pay a deposit refund, import the bank's file, post it"
    prefix = 'accountant'
    title = 'the accountant browser flow'
    server_class = TicketServer
    demo_units = DEMO_UNITS

    @classmethod
    def prepare(cls, server):
        return prepare(server)

    def test_deposit_refunds(self):
        "Refund approved and paid, bank file imported, validated, posted"
        flow, seconds = self.run_flow(AccountantFlow)
        data = self.data
        refund = data['refund']
        print('\ntests.test_accountant_browser (%.0f s, server %s)\n'
            '  steps: %s\n  refund %s %s (%s) approved and paid: %s; '
            'counts %s -> %s\n  statement %s: %s lines, refunds paid %s, '
            'bills paid %s, %s on %s\n  screenshots: %s' % (
                seconds, self.server_timings(),
                ', '.join('%s %.1f s' % s for s in flow.timings),
                refund['deposit'], refund['amount'], refund['payment'],
                data.get('refund_state'), data['counts'],
                data.get('counts_after'), data.get('statement_name'),
                len(data['bank_lines']),
                ', '.join('%s %s' % (r['payment'], r['amount'])
                    for r in data['paying']),
                ', '.join(data.get('bills_paid', [])),
                data['unmatched']['amount'], data.get('advance_account'),
                ', '.join(flow.shots)),
            file=sys.stderr)
        flow.check_labels()


# What the accountant knows before the browser opens, read over JSON-RPC

def prepare(server):
    admin = server.client()
    admin.login('admin', server.password)
    zh = {'language': 'zh_CN'}
    users = {u['login']: u for u in admin.model('res.user', 'search_read',
            [('login', 'in', ['finance', 'frontdesk'])], 0, None, None,
            ['login', 'name', 'employee'])}
    finance = server.client()
    finance.login('finance', server.password, 'zh_CN')
    data = {
        'users': {k: v['name'] for k, v in users.items()},
        'user_ids': {k: v['id'] for k, v in users.items()},
        }
    data.update(read_bank_file(server))
    numbers = set(data['bank_refunds'])

    # The refunds the front desk asked for, waiting for finance; one the
    # bank's file shows first, else the largest
    fields = ['deposit', 'deposit.rec_name', 'deposit.number', 'amount',
        'payment', 'payment.number', 'payment.rec_name', 'state',
        'requested_by', 'date', 'party.rec_name']
    requested = admin.model('kefu.deposit.line', 'search_read', [
            ('kind', '=', 'refund'),
            ('state', '=', 'requested'),
            ('requested_by.login', '=', 'frontdesk'),
            ], 0, None, [('id', 'ASC')], fields)
    if not requested:
        raise AssertionError('the demo has no refund the front desk asked '
            'for waiting for finance')
    requested.sort(key=lambda l: (l['payment.']['number'] not in numbers,
            -l['amount'], l['id']))
    data['refund'] = refund_data(requested[0])
    data['refund']['in_file'] = data['refund']['payment'] in numbers

    # The refunds being paid that the bank's file shows
    paying = admin.model('kefu.deposit.line', 'search_read', [
            ('kind', '=', 'refund'),
            ('payment.number', 'in', list(numbers)),
            ], 0, None, [('id', 'ASC')], fields)
    if {l['payment.']['number'] for l in paying} != numbers:
        raise AssertionError('the bank file pays refunds %s, the demo has '
            '%s' % (sorted(numbers), sorted(
                    l['payment.']['number'] for l in paying)))
    for line in paying:
        if line['state'] != 'processing' and line['id'] != (
                data['refund']['id']):
            raise AssertionError('the bank file pays %s, which is %s, not '
                'being paid' % (line['payment.']['number'], line['state']))
    data['paying'] = [refund_data(l) for l in paying
        if l['id'] != data['refund']['id']]
    for refund in data['paying'] + [data['refund']]:
        deposit, = admin.model('kefu.deposit', 'read', [refund['deposit_id']],
            ['held', 'refunded', 'refund_pending', 'state'])
        refund['deposit_before'] = deposit
        bank, = [l for l in data['bank_lines']
            if l['payment'] == refund['payment']] or [None]
        if bank and bank['amount'] != -refund['amount']:
            raise AssertionError('the bank pays %s of %s, the refund is %s'
                % (-bank['amount'], refund['payment'], refund['amount']))

    # The tabs of 押金退款 and their counts, as finance sees them
    def ref(xml_id):
        return server.xml_id(xml_id)

    tabs = {x: ref(x) for x in map(refund_tab, REFUND_TABS)}
    tabs['kefu_fee.act_deposit_form_domain_closed'] = ref(
        'kefu_fee.act_deposit_form_domain_closed')
    read = {t['id']: t for t in admin.model(
            'ir.action.act_window.domain', 'read', list(tabs.values()),
            ['name', 'domain'], context=zh)}
    data['tabs'] = {x: read[i]['name'] for x, i in tabs.items()}
    data['counts'] = {}
    for name in COUNTED:
        domain = json.loads(read[tabs[refund_tab(name)]]['domain'])
        data['counts'][name] = finance.model('kefu.deposit.line',
            'search_count', [('kind', '=', 'refund')] + domain, 0, None)

    menus = {x: ref(x) for x in MENUS}
    names = {m['id']: m for m in admin.model('ir.ui.menu', 'read',
            list(menus.values()), ['name', 'parent'], context=zh)}
    data['menus'] = {x: (i, names[i]['name'], names[i]['parent'])
        for x, i in menus.items()}

    data['selections'] = {}
    for model, fields in [
            ('kefu.deposit.line', ['state']),
            ('kefu.deposit', ['state']),
            ('account.statement', ['state']),
            ('account.statement.import.start', ['file_format']),
            ]:
        for name, desc in admin.model(model, 'fields_get', fields,
                context=zh).items():
            data['selections'][model, name] = dict(
                (k, v) for k, v in desc['selection'] if k)
    data['labels'] = {
        'bank_reconciled': admin.model('kefu.deposit.line', 'fields_get',
            ['bank_reconciled'], context=zh)['bank_reconciled']['string'],
        }
    journal, = admin.model('account.statement.journal', 'search_read',
        [('name', '=', JOURNAL)], 0, None, None, ['rec_name', 'account'])
    data['journal'] = journal
    account, = admin.model('account.account', 'search_read',
        [('code', '=', ADVANCE_ACCOUNT)], 0, None, None, ['rec_name'])
    data['advance_account_id'] = account['id']
    data['advance_account'] = account['rec_name']
    data['statements_before'] = admin.model(
        'account.statement', 'search', [], 0, None, None)
    # The payer the bank names: a new contact, unless the register has
    # one of that name (the demo's names are drawn at random)
    name = data['unmatched']['party_name']
    data['unmatched']['party_exists'] = bool(admin.model('party.party',
            'search', [('name', '=', name)], 0, None, None))
    return data


def refund_data(line):
    return {
        'id': line['id'],
        'deposit_id': line['deposit'],
        'deposit': line['deposit.']['rec_name'],
        'deposit_number': line['deposit.']['number'],
        'party': line['party.']['rec_name'],
        'amount': line['amount'],
        'payment_id': line['payment'],
        'payment': line['payment.']['number'],
        'payment_name': line['payment.']['rec_name'],
        'date': line['date'],
        }


def read_bank_file(server):
    """The bank's export the demo left (GBK CSV in ICBC's layout): its lines,
    the refunds they pay by payment number, the line no rule matches"""
    path, = server.demo_files('bank_statement_*.csv')
    with open(path, 'rb') as f:
        content = f.read()
    rows = list(csv.reader(io.StringIO(content.decode('gbk'))))
    header = next(i for i, r in enumerate(rows) if r and r[0] == '交易日期')
    titles = rows[header]
    lines = []
    for row in rows[header + 1:]:
        if not row or row[0].startswith('合计'):
            continue
        values = dict(zip(titles, row))

        def amount(title):
            text = values[title].replace(',', '')
            return Decimal(text) if text else Decimal(0)
        memo = values['用途']
        match = REFUND_MEMO.search(memo)
        lines.append({
                'number': values['交易流水号'],
                'date': values['交易日期'],
                'amount': amount('贷方发生额') - amount('借方发生额'),
                'party_name': values['对方单位名称'],
                'memo': memo,
                'payment': match.group(1) if match else None,
                })
    if not lines:
        raise AssertionError('the bank file %s has no line' % path)
    unmatched = [l for l in lines if l['amount'] > 0
        and not re.search(r'\d+-\d+-\d+|\d+栋\d+单元\d+', l['memo'])]
    if len(unmatched) != 1:
        raise AssertionError('the bank file has %s transfers naming no '
            'unit, not one: %s' % (len(unmatched), unmatched))
    return {
        'bank_file': path,
        'bank_content': content,
        'bank_lines': lines,
        'bank_refunds': [l['payment'] for l in lines if l['payment']],
        'bank_transfers': [l for l in lines
            if l['amount'] > 0 and l not in unmatched],
        'unmatched': unmatched[0],
        }


class Accountant(Cashier):
    "The accountant's browser context, with the cashier's helpers"
    prefix = 'accountant'

    def launch_menu(self, xml_id):
        """Click the menu entry xml_id of a wizard, expanding its parents;
        return its dialog"""
        page = self.page
        item, path = self.menu_entry(xml_id)
        dialog = page.locator(WIZARD)
        retry(item.click,
            lambda t: dialog.first.wait_for(state='visible', timeout=t),
            timeout=TIMEOUT)
        return self.shown_dialog(WIZARD)

    def tab_counts(self, expected=None):
        """The counts the list's tabs show, by tab name, read in one go once
        every counted tab shows one.  With expected, wait until they show it
        (sao blanks and refills the badges when the list reloads, so counts
        read right after a reload may still be the old ones): the last counts
        read are returned, equal or not, for the caller to assert."""
        names = {self.data['tabs'][refund_tab(n)]: n for n in COUNTED}
        read = """([active, names]) => {
            const counts = {};
            jQuery(active + ' .tab-domain .nav a').each((_, link) => {
                const badge = jQuery(link).find('.badge').text().trim();
                let name = jQuery(link).text().trim();
                if (badge) {
                    name = name.slice(0, -badge.length).trim();
                }
                if (name in names && /^\\d+$/.test(badge)) {
                    counts[names[name]] = parseInt(badge, 10);
                }
            });
            return counts;
        }"""
        args = [ACTIVE, names]
        deadline = time.monotonic() + TIMEOUT / 1000
        while True:
            counts = self.page.evaluate(read, args)
            complete = len(counts) == len(names)
            if complete and (expected is None or counts == expected):
                return counts
            if time.monotonic() > deadline:
                return counts
            time.sleep(0.2)

    def switch_view(self, view_type):
        "The toolbar's 切换 (switch) until the tab shows view_type"
        self.page.locator(ACTIVE + ' button#switch_').click()
        self.settle("Sao.Tab.tabs.get_current().screen.current_view"
            ".view_type == %s" % json.dumps(view_type),
            what='the %s view' % view_type)

    def row(self, tree, text):
        "The visible row of the list holding text"
        return tree.locator('tbody tr:visible', has_text=text).first

    def checked(self, row, title):
        "Whether the check box of the column title is ticked in the row"
        box = row.locator('td[data-title^="%s:"] input[type="checkbox"]'
            % title)
        return box.is_checked()


class AccountantFlow(TicketFlow):
    "Finance, in one browser context"
    name = 'accountant'
    staff_class = Accountant
    expected = EXPECTED

    def steps(self):
        return [self.approve_refund, self.import_statement,
            self.match_unmatched, self.post_statement, self.check_refunds,
            self.check_server]

    def labels_of(self, staff, scope, keys):
        """Record the labels of the fields (name: key) shown in scope"""
        for name, key in keys.items():
            text = staff.page.evaluate('''([scope, name]) => {
                    const field = jQuery(scope + ' [name="' + name
                        + '"]:not(button)').first();
                    const id = field.closest('[id]').attr('id');
                    const label = id ? jQuery(scope + ' label[for="' + id
                        + '"]') : jQuery();
                    return label.length ? label.first().text().trim() : null;
                }''', [scope, name])
            if text is not None:
                self.label(key, text.rstrip(':：'))

    def screen_labels(self, staff, scope, where):
        """Record every text a person reads in scope (labels, pages, column
        titles, buttons, the tab's title): each must be Chinese"""
        texts = staff.page.evaluate('''(scope) => {
                const texts = new Set();
                jQuery(scope).find('label, .nav-tabs a, th, button, '
                    + '.modal-title, .tab-form .title')
                    .filter(':visible').each((_, e) => {
                        const text = jQuery(e).text().trim();
                        if (text) {
                            texts.add(text);
                        }
                    });
                return [...texts];
            }''', scope)
        for text in texts:
            text = text.rstrip(':：').strip()
            # digits, counters and the tabs' close buttons (×)
            if text and not re.fullmatch(r'[\d\s_/.,:×-]*', text):
                self.label('screen:%s:%s' % (where, text), text)

    # 1. The refund: approved, paid

    def approve_refund(self):
        "Approve and pay a refund the front desk asked for"
        data = self.data
        refund = data['refund']
        finance = self.as_('finance')
        tree = finance.open_menu('kefu_fee.menu_deposit_refund_form')
        for name in REFUND_TABS:
            self.label('tab:' + refund_tab(name),
                data['tabs'][refund_tab(name)])
        self.test.assertEqual(finance.tab_counts(data['counts']), data['counts'])
        finance.list_tab(refund_tab('requested'))
        row = finance.row(tree, refund['deposit'])
        expect(row).to_contain_text(money(refund['amount']))
        expect(row).to_contain_text(data['selections'][
                'kefu.deposit.line', 'state']['requested'])
        self.screen_labels(finance, 'body', '1-to-approve')
        finance.screenshot('1-to-approve')
        finance.open_row(tree, refund['deposit'])
        finance.expect_value('deposit', refund['deposit'])
        finance.expect_value('amount', money(refund['amount']))
        finance.expect_value('requested_by', data['users']['frontdesk'])
        finance.expect_value('payment', refund['payment_name'])
        finance.expect_selection('state', 'requested', 'kefu.deposit.line')
        finance.press('approve', 'kefu.deposit.line')
        finance.expect_selection('state', 'approved', 'kefu.deposit.line')
        finance.press('pay', 'kefu.deposit.line')
        finance.expect_selection('state', 'processing', 'kefu.deposit.line')
        self.test.assertEqual(finance.page.locator(
                '%s button[name="approve"]:visible, '
                '%s button[name="pay"]:visible' % (FORM, FORM)).count(), 0)
        self.screen_labels(finance, 'body', '1-being-paid')
        finance.screenshot('1-being-paid')
        line, = self.rpc.model('kefu.deposit.line', 'read', [refund['id']],
            ['state', 'payment.state', 'payment.approved_by'])
        self.test.assertEqual(
            (line['state'], line['payment.']['state']),
            ('processing', 'processing'))

        # The list again, reloaded: one less to approve, one more being paid
        finance.switch_view('tree')
        finance.reload()
        expected = dict(data['counts'])
        expected['requested'] -= 1
        expected['processing'] += 1
        counts = finance.tab_counts(expected)
        data['counts_after'] = counts
        self.test.assertEqual(counts, expected)
        finance.list_tab(refund_tab('processing'))
        row = finance.row(tree, refund['deposit'])
        expect(row).to_contain_text(data['selections'][
                'kefu.deposit.line', 'state']['processing'])
        self.screen_labels(finance, 'body', '1-counts')
        finance.screenshot('1-counts')

    # 2. The bank's file

    def import_statement(self):
        "Import the bank's file of the last days into 工商银行基本户"
        data = self.data
        finance = self.as_('finance')
        page = finance.page
        dialog = finance.launch_menu('account_statement.menu_statement_import')
        title = dialog.locator('.modal-header h4').first.inner_text().strip()
        self.label('wizard:account.statement.import', title)
        finance.scope = WIZARD
        try:
            finance.settle(what='the import wizard')
            finance.pick('file_format', FILE_FORMAT,
                model='account.statement.import.start')
            finance.choose('kefu_journal', JOURNAL[:2],
                data['journal']['rec_name'])
            # The file as the accountant saved it from online banking
            with tempfile.TemporaryDirectory(prefix='kefu-bank-') as tmp:
                path = os.path.join(tmp, '%s流水_%s.csv' % (
                        JOURNAL, data['bank_lines'][-1]['date'].replace(
                            '-', '')))
                shutil.copyfile(data['bank_file'], path)
                data['statement_name'] = os.path.splitext(
                    os.path.basename(path))[0]
                dialog.locator('.form-binary input[type="file"]').first \
                    .set_input_files(path)
                finance.settle("jQuery('%s [name=\"file_\"]').val()"
                    % WIZARD, what='the file')
            self.labels_of(finance, WIZARD, {
                    'file_': 'field:account.statement.import.start.file_',
                    'file_format':
                        'field:account.statement.import.start.file_format',
                    'kefu_journal':
                        'field:account.statement.import.start.kefu_journal',
                    'company':
                        'field:account.statement.import.start.company',
                    })
            self.screen_labels(finance, 'body', '2-import')
            finance.screenshot('2-import')
            button = dialog.locator('.modal-footer button.btn-primary')
            self.label('wizard_button:account.statement.import.start.import_',
                button.inner_text().strip())
            button.click()
        finally:
            finance.scope = FORM
        finance.settle("!jQuery('%s').length && %s > 0 && "
            "Sao.Tab.tabs.get_current().screen.model_name == "
            "'account.statement'" % (WIZARD, FORM_RECORD),
            what='the imported statement')
        statement = self.statement()
        data['statement'] = statement
        finance.expect_value('name', data['statement_name'])
        finance.expect_selection('state', 'draft', 'account.statement')
        lines = data['bank_lines']
        total = sum(l['amount'] for l in lines)
        finance.expect_value('total_amount', money(total))
        finance.expect_value('number_of_lines', str(len(lines)))
        self.test.assertEqual(
            statement['end_balance'] - statement['start_balance'], total)
        # The lines the rules matched: every refund by its payment, every
        # transfer naming a unit; not the one naming none
        grid = page.locator('%s .form-notebook .tab-pane.active .treeview'
            % FORM).first
        expect(grid.locator('tbody tr:visible')).to_have_count(
            len(lines) - 1)
        for refund in data['paying']:
            expect(grid.locator('tbody tr:visible',
                    has_text=refund['payment'])).to_have_count(1)
        self.test.assertEqual(len(statement['lines']), len(lines) - 1)
        self.screen_labels(finance, 'body', '2-statement')
        finance.screenshot('2-statement')

    def statement(self):
        "The statement the import made"
        statement, = self.rpc.model('account.statement', 'search_read', [
                ('id', 'not in', self.data['statements_before'])],
            0, None, None,
            ['name', 'state', 'lines', 'origins', 'start_balance',
                'end_balance', 'journal'])
        return statement

    # 3. The transfer nobody matched

    def match_unmatched(self):
        """The transfer whose memo names no unit: its payer, a new contact,
        on 预收账款 until the front desk finds the unit"""
        data = self.data
        unmatched = data['unmatched']
        finance = self.as_('finance')
        page = finance.page
        label = finance.show_page_of('origin_file')
        self.label('page:account.statement.origins', label)
        origins = page.locator('%s .form-notebook .tab-pane.active .treeview'
            % FORM).first
        expect(origins.locator('tbody tr:visible')).to_have_count(
            len(data['bank_lines']))
        row = origins.locator('tbody tr:visible', has_text=unmatched['number'])
        expect(row).to_contain_text(money(unmatched['amount']))
        # The list's sums stay at its foot, over its last row: scrolled
        origins.evaluate('e => { e.scrollTop = e.scrollHeight; }')
        self.screen_labels(finance, 'body', '3-origins')
        finance.screenshot('3-origins')
        finance.open_row(origins, unmatched['number'])
        dialog = finance.shown_dialog(WINDOW)
        finance.settle(what='the origin')
        expect(dialog.locator('[name="pending_amount"]:visible')
            ).to_have_value(money(unmatched['amount']))
        # Its lines: a new one takes what is pending
        dialog.locator('.form-one2many button[title="新建"]').first.click()
        line = page.locator(WINDOW).last
        expect(page.locator(WINDOW)).to_have_count(2)
        finance.settle(what='the new line')
        expect(line.locator('[name="amount"]:visible')).to_have_value(
            money(unmatched['amount']))
        self.payer(finance, line, unmatched)
        entry = line.locator('[name="account"]').first
        entry.click()
        entry.fill('')
        entry.press_sequentially(ADVANCE_ACCOUNT, delay=30)
        line.locator('.dropdown.open li.completion a',
            has_text=data['advance_account']).first.click()
        finance.settle(what='the account')
        expect(entry).to_have_value(data['advance_account'])
        self.screen_labels(finance, 'body', '3-line')
        finance.screenshot('3-line')
        line.locator('.modal-footer button.btn-primary').click()
        expect(page.locator(WINDOW)).to_have_count(1)
        finance.settle(what='the line added')
        expect(dialog.locator('[name="pending_amount"]:visible')
            ).to_have_value(money(0))
        dialog.locator('.modal-footer button.btn-primary').click()
        expect(page.locator(WINDOW)).to_have_count(0)
        finance.settle(what='the origin closed')
        finance.save()

    def payer(self, finance, dialog, unmatched):
        """Type the payer's name in the party field: pick the contact of
        that name, or create it"""
        page = finance.page
        name = unmatched['party_name']
        entry = dialog.locator('[name="party"]').first
        entry.click()
        entry.fill('')
        entry.press_sequentially(name, delay=30)
        if unmatched['party_exists']:
            dialog.locator('.dropdown.open li.completion a',
                has_text=name).first.click()
            finance.settle(what='the contact')
        else:
            create = dialog.locator('.dropdown.open li a').filter(
                has_text=re.compile(r'^\s*新建'))
            create.first.click()
            party = page.locator(WINDOW).last
            expect(page.locator(WINDOW)).to_have_count(3)
            finance.settle(what='the new contact')
            expect(party.locator('[name="name"]').first).to_have_value(name)
            self.screen_labels(finance, 'body', '3-contact')
            finance.screenshot('3-contact')
            party.locator('.modal-footer button.btn-primary').click()
            expect(page.locator(WINDOW)).to_have_count(2)
            finance.settle(what='the contact saved')
        expect(entry).to_have_value(name)

    # 4. Validate, post

    def post_statement(self):
        "Validate and post the statement"
        finance = self.as_('finance')
        finance.press('validate_statement', 'account.statement')
        finance.expect_selection('state', 'validated', 'account.statement')
        finance.press('post', 'account.statement', confirm=True)
        finance.expect_selection('state', 'posted', 'account.statement')
        self.screen_labels(finance, 'body', '4-posted')
        finance.screenshot('4-posted')

    # 5. The refunds paid, their deposits closed

    def check_refunds(self):
        "The refunds the file paid, matched with the bank; their deposits"
        data = self.data
        finance = self.as_('finance')
        reconciled = data['labels']['bank_reconciled']
        tree = finance.open_menu('kefu_fee.menu_deposit_refund_form')
        finance.list_tab(refund_tab('paid'))
        paid = data['selections']['kefu.deposit.line', 'state']['paid']
        paid_now = data['paying'] + (
            [data['refund']] if data['refund']['in_file'] else [])
        for refund in paid_now:
            row = finance.row(tree, refund['deposit'])
            expect(row).to_contain_text(paid)
            self.test.assertTrue(finance.checked(row, reconciled),
                '%s is not ticked %s' % (refund['deposit'], reconciled))
        self.label('field:kefu.deposit.line.bank_reconciled', reconciled)
        self.label('selection:kefu.deposit.line.state.paid', paid)
        self.screen_labels(finance, 'body', '5-paid')
        finance.screenshot('5-paid')
        if not data['refund']['in_file']:
            # The bank has not shown it yet
            finance.list_tab(refund_tab('processing'))
            row = finance.row(tree, data['refund']['deposit'])
            self.test.assertFalse(finance.checked(row, reconciled))

        # The largest opened, then its deposit in 押金 → 已结清
        refund = max(paid_now, key=lambda r: (r['amount'], -r['id']))
        data['opened'] = refund['deposit']
        finance.list_tab(refund_tab('paid'))
        finance.open_row(tree, refund['deposit'])
        finance.expect_value('deposit', refund['deposit'])
        finance.expect_selection('state', 'paid', 'kefu.deposit.line')
        expect(finance.field('bank_reconciled')).to_be_checked()
        self.screen_labels(finance, 'body', '5-refund')
        finance.screenshot('5-refund')
        deposits = finance.open_menu('kefu_fee.menu_deposit_form')
        finance.list_tab('kefu_fee.act_deposit_form_domain_closed')
        finance.open_row(deposits, refund['deposit_number'])
        finance.expect_value('number', refund['deposit_number'])
        finance.expect_selection('state', 'closed', 'kefu.deposit')
        finance.expect_value('held', money(0))
        finance.expect_value('refunded', money(
                refund['deposit_before']['refunded'] + refund['amount']))
        self.screen_labels(finance, 'body', '5-deposit')
        finance.screenshot('5-deposit')

    # The server's truth

    def check_server(self):
        "Refunds, payments, deposits, statement, bills as the server has them"
        data = self.data
        rpc = self.rpc
        test = self.test
        refund = data['refund']
        paid_now = data['paying'] + ([refund] if refund['in_file'] else [])
        for each in paid_now:
            line, = rpc.model('kefu.deposit.line', 'read', [each['id']],
                ['state', 'bank_reconciled', 'payment.state',
                    'payment.clearing_reconciled'])
            test.assertEqual(
                (line['state'], line['bank_reconciled'],
                    line['payment.']['state'],
                    line['payment.']['clearing_reconciled']),
                ('paid', True, 'succeeded', True), each['payment'])
            deposit, = rpc.model('kefu.deposit', 'read', [each['deposit_id']],
                ['state', 'held', 'refunded', 'refund_pending'])
            before = each['deposit_before']
            test.assertEqual(
                (deposit['state'], deposit['held'], deposit['refund_pending'],
                    deposit['refunded']),
                ('closed', Decimal(0), Decimal(0),
                    before['refunded'] + each['amount']), each['deposit'])
        if not refund['in_file']:
            line, = rpc.model('kefu.deposit.line', 'read', [refund['id']],
                ['state', 'bank_reconciled', 'payment.state',
                    'payment.clearing_reconciled'])
            test.assertEqual(
                (line['state'], line['bank_reconciled'],
                    line['payment.']['state']),
                ('processing', False, 'processing'))
            deposit, = rpc.model('kefu.deposit', 'read',
                [refund['deposit_id']],
                ['state', 'held', 'refund_pending'])
            test.assertEqual(
                (deposit['state'], deposit['held'],
                    deposit['refund_pending']),
                ('open', refund['deposit_before']['held'], refund['amount']))
        payment, = rpc.model('account.payment', 'read',
            [refund['payment_id']], ['approved_by'])
        test.assertEqual(payment['approved_by'], data['user_ids']['finance'])
        data['refund_state'] = 'paid' if refund['in_file'] else 'processing'

        # The statement: posted, every origin matched
        statement = self.statement()
        test.assertEqual(statement['state'], 'posted')
        test.assertEqual(statement['journal'], data['journal']['id'])
        test.assertEqual(statement['name'], data['statement_name'])
        origins = rpc.model('account.statement.origin', 'read',
            statement['origins'], ['number', 'amount', 'pending_amount'])
        test.assertEqual(
            sorted((o['number'], o['amount']) for o in origins),
            sorted((l['number'], l['amount']) for l in data['bank_lines']))
        test.assertEqual({o['pending_amount'] for o in origins},
            {Decimal(0)})
        lines = rpc.model('account.statement.line', 'read',
            statement['lines'], ['amount', 'related_to', 'party.rec_name',
                'account', 'origin.number', 'move.state'])
        test.assertEqual({l['move.']['state'] for l in lines}, {'posted'})
        related = {l['origin.']['number']: l for l in lines}
        unmatched = data['unmatched']
        line = related[unmatched['number']]
        test.assertEqual(
            (line['amount'], line['party.']['rec_name'], line['account'],
                line['related_to']),
            (unmatched['amount'], unmatched['party_name'],
                data['advance_account_id'], None))
        # The transfers paid the oldest open bill of the unit they name
        data['bills_paid'] = []
        for transfer in data['bank_transfers']:
            line = related[transfer['number']]
            model, id_ = line['related_to'].split(',')
            test.assertEqual(model, 'account.invoice')
            invoice, = rpc.model('account.invoice', 'read', [int(id_)],
                ['number', 'state', 'amount_to_pay', 'party.rec_name'])
            test.assertEqual(
                (invoice['state'], invoice['amount_to_pay'],
                    invoice['party.']['rec_name'], line['amount']),
                ('paid', Decimal(0), transfer['party_name'],
                    transfer['amount']), transfer['memo'])
            data['bills_paid'].append(invoice['number'])
