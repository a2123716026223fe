# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the bank statements (银行流水), built with the deposits'
story (demo_deposit.py).

The company's ICBC account 100201 has its statement journal 工商银行基本户
with the ICBC layout and two statement rules: a refund paid out is found
by the payment number the bank repeats in the memo (押金退款 FK000012), a
resident's transfer by the unit code written in it (翠湖花园1-2-1502物业费,
锦绣华庭 3栋2单元1502), which pays the oldest open bill of the unit.  Last
month's statement, imported through the import wizard as finance does it,
matched the refunds paid then: validated and posted, it closed their
deposits.  The bank's export of the last two days is left as a GBK CSV file
in the ICBC layout (var/demo/bank_statement_<database>.csv, or in
$KEFU_DEMO_DIR) for the accountant to import in the web client: the
refunds being paid, residents' transfers for open bills and one transfer
nobody can match (its memo names no unit)."""
import csv
import datetime as dt
import io
import os
import re
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

ACCOUNT_NUMBER = '4000023009200123456'
JOURNAL_NAME = '工商银行基本户'
OPENING_BALANCE = Decimal('1286450.36')
REFUND_MEMO = '押金退款 %s'
REFUND_RULE = r'押金退款\s*(?P<payment>FK\d+)'
UNIT_RULE = r'(?:(?P<estate>%s)\s*)?(?P<unit>\d+-\d+-\d+|\d+栋\d+单元\d+)'
# The columns of a bank line in the order ICBC prints them
COLUMNS = ['date', 'number', 'summary', 'debit', 'credit', 'amount',
    'balance', 'party_name', 'party_account', 'memo']
# A transfer whose memo names no unit: the accountant finds its payer
UNMATCHED = ('陈晓东', '6217 0072 3318 5620 417', '缴物业费', Decimal('1350'))


class StatementBuilder:
    "The statement journal, its rules and the bank's files of the demo"

    def __init__(self, fee):
        self.fee = fee
        self.company = fee.company
        self.rng = fee.options.random('kefu_fee.statement')
        self.balance = OPENING_BALANCE
        self.serial = 0

    def setup(self):
        pool = Pool()
        Journal = pool.get('account.statement.journal')
        ModelData = pool.get('ir.model.data')
        Layout = pool.get('kefu.statement.layout')
        self.layout = Layout(ModelData.get_id(
                'kefu_fee', 'statement_layout_icbc'))
        self.journal, = Journal.create([{
                    'name': JOURNAL_NAME,
                    'company': self.company.id,
                    'currency': self.company.currency.id,
                    'journal': ModelData.get_id(
                        'account_statement', 'journal_statement'),
                    'account': self.fee.accounts['100201'].id,
                    'validation': 'balance',
                    'kefu_layout': self.layout.id,
                    }])
        self.create_rules()

    def create_rules(self):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Rule = pool.get('account.statement.rule')
        estates = '|'.join(re.escape(e.name) for e in Estate.search([
                    ('company', '=', self.company.id)]))
        Rule.create([{
                    'name': '押金退款（付款单号）',
                    'sequence': 10,
                    'company': self.company.id,
                    'journal': self.journal.id,
                    'amount_high': Decimal('-0.01'),
                    'description': REFUND_RULE,
                    'lines': [('create', [{'amount': 'pending'}])],
                    }, {
                    'name': '住户转账（附言房号）',
                    'sequence': 20,
                    'company': self.company.id,
                    'journal': self.journal.id,
                    'amount_low': Decimal('0.01'),
                    'description': UNIT_RULE % estates,
                    'lines': [('create', [{'amount': 'pending'}])],
                    }])

    # The bank's lines

    def refund_line(self, story):
        "The bank line of a deposit's refund paid out"
        payment = story.refund.payment
        return {
            'date': self.fee.today - dt.timedelta(days=story.bank_day),
            'summary': '网银转账',
            'amount': -story.refund.amount,
            'party_name': story.party.name,
            'party_account': story.account.replace(' ', ''),
            'memo': REFUND_MEMO % payment.number,
            }

    def transfer_lines(self):
        """Residents' transfers of the amount of their unit's oldest open
        bill, one per estate, the unit written in both ways, and one the
        rules cannot match"""
        lines = []
        for index, (unit, bill) in enumerate(self.open_bills()):
            code = unit.code
            if index % 2:
                code = ' %s栋%s单元%s ' % tuple(code.split('-'))
            lines.append({
                    'date': self.fee.today - dt.timedelta(days=1 - index % 2),
                    'summary': '转账存入',
                    'amount': bill.amount_to_pay,
                    'party_name': bill.party.name,
                    'party_account': self.personal_account(),
                    'memo': '%s%s物业费' % (unit.estate.name, code),
                    })
        name, account, memo, amount = UNMATCHED
        lines.append({
                'date': self.fee.today,
                'summary': '转账存入',
                'amount': amount,
                'party_name': name,
                'party_account': account.replace(' ', ''),
                'memo': memo,
                })
        return lines

    def personal_account(self):
        return '6222024%012d' % self.rng.randint(0, 10 ** 12 - 1)

    def open_bills(self):
        """(unit, bill) of a home of each estate: its oldest bill still to
        pay, which the unit rule pays"""
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Invoice = pool.get('account.invoice')
        ids = sorted(i for i, amount in self.fee.open.items() if amount > 0)
        found = {}
        for charge in Charge.search([
                    ('invoice', 'in', ids),
                    ('unit.usage', '=', 'residential'),
                    ], order=[('unit', 'ASC'), ('id', 'ASC')]):
            unit = charge.unit
            if unit.estate in found:
                continue
            charges = Charge.search([
                    ('unit', '=', unit.id),
                    ('state', '=', 'posted'),
                    ])
            bills = [b for b in Invoice.browse({c.invoice.id for c in charges})
                if b.state == 'posted' and b.amount_to_pay > 0]
            if bills:
                found[unit.estate] = (unit, min(bills,
                        key=lambda i: (i.invoice_date, i.number, i.id)))
        return [found[e] for e in sorted(found, key=lambda e: e.id)]

    # The files

    def export(self, lines):
        """The bank's CSV export of lines (dicts of date, summary, amount,
        party name and account, memo) in the journal's layout, GBK, with
        ICBC's title lines and total row"""
        columns = self.layout.columns
        names = [n for n in COLUMNS if n in columns]
        lines = sorted(lines, key=lambda l: l['date'])
        out = io.StringIO()
        # ICBC writes the account number as a formula so that Excel keeps
        # its digits
        out.write('中国工商银行账户历史明细\r\n账号,="%s"\r\n' % ACCOUNT_NUMBER)
        writer = csv.writer(out, lineterminator='\r\n')
        writer.writerow(['户名', self.company.party.name])
        writer.writerow(['起止日期', lines[0]['date'].isoformat(),
                lines[-1]['date'].isoformat()])
        writer.writerow(['币种', '人民币'])
        writer.writerow([columns[n] for n in names])
        for line in lines:
            writer.writerow([self.cell(n, line) for n in names])
        writer.writerow(self.totals(names, lines))
        return out.getvalue().encode('gbk')

    def cell(self, name, line):
        amount = line['amount']
        if name == 'number':
            self.serial += 1
            return '%s%04d' % (line['date'].strftime('%Y%m%d'), self.serial)
        if name == 'date':
            return line['date'].isoformat()
        if name == 'balance':
            self.balance += amount
            return money(self.balance)
        if name in {'debit', 'credit', 'amount'}:
            if name == 'amount':
                return money(amount)
            if (amount < 0) == (name == 'debit'):
                return money(abs(amount))
            return ''
        return line.get(name, '')

    def totals(self, names, lines):
        "The total row of the money paid out and received"
        debit = sum(-l['amount'] for l in lines if l['amount'] < 0)
        credit = sum(l['amount'] for l in lines if l['amount'] > 0)
        row = [''] * len(names)
        row[0] = '合计'
        for name, total in [('debit', debit), ('credit', credit)]:
            if name in names:
                row[names.index(name)] = money(total)
        return row

    def import_previous(self, stories):
        """Import, validate and post, as finance, the bank's statement of
        the refunds paid last month; return the statement"""
        pool = Pool()
        Statement = pool.get('account.statement')
        from .demo import run_tasks
        if not stories:
            return None
        data = self.export([self.refund_line(s) for s in stories])
        finance = self.fee.users['finance']
        with Transaction().set_user(finance.id):
            statement = self.import_file(data, '工商银行流水_%s.csv' % (
                    self.fee.clock.strftime('%Y%m%d')))
            Statement.validate_statement([statement])
            Statement.post([statement])
        run_tasks()
        return statement

    def import_file(self, data, file_name):
        "Run the import wizard on data and return the statement it made"
        pool = Pool()
        Statement = pool.get('account.statement')
        Import = pool.get('account.statement.import', type='wizard')
        session_id, _, _ = Import.create()
        try:
            Import.execute(session_id, {'start': {
                        'company': self.company.id,
                        'file_': data,
                        'file_format': 'kefu_cn_bank',
                        'kefu_journal': self.journal.id,
                        'kefu_file_name': file_name,
                        }}, 'import_')
        finally:
            Import.delete(session_id)
        statement, = Statement.search([
                ('journal', '=', self.journal.id),
                ], order=[('id', 'DESC')], limit=1)
        return statement

    def write_file(self, stories):
        """Write the bank's export of the refunds being paid and of the
        last days' transfers where the accountant finds it; return its
        path"""
        data = self.export(
            [self.refund_line(s) for s in stories] + self.transfer_lines())
        folder = os.environ.get('KEFU_DEMO_DIR') or os.path.join(
            'var', 'demo')
        os.makedirs(folder, exist_ok=True)
        database = re.sub(r'[^\w.-]', '_', Transaction().database.name)
        path = os.path.abspath(os.path.join(
                folder, 'bank_statement_%s.csv' % database))
        with open(path, 'wb') as file:
            file.write(data)
        return path


def money(amount):
    return '{:,.2f}'.format(amount)
