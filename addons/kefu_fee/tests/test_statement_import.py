# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Bank statements exported by Chinese banks: an ICBC CSV in GBK with its
title lines and total row, a UTF-8 CSV listing the newest line first, a
CMB workbook; every bad line refused by its number with nothing imported;
a file or a serial number never imported twice; the statement rules
finding a resident's bill by the unit code in the transfer memo, at once
and by the scheduled action, each bill paid once per statement and never
beyond what it owes; a refund payment found by its number, the line as
finance would fill it by hand (the deposit's party, the clearing
account)."""
import datetime as dt
import hashlib
import io
import os
from contextlib import contextmanager
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import (
    FreshDatabaseTestCase, as_user, create_user)
from trytond.modules.kefu_fee.exceptions import StatementImportError
from trytond.modules.kefu_fee.tests.test_deposit import (
    new_deposit, setup_deposit_books)
from trytond.modules.kefu_fee.tests.test_payment import (
    DAY, balance, bill, setup_books, setup_estate)
from trytond.pool import Pool
from trytond.tests.test_tryton import TestCase, with_transaction

ICBC_FILE = os.path.join(os.path.dirname(__file__), 'statement_icbc_gbk.csv')
ZHANG_ACCOUNT = '6222020200001111222'
UNIT_RULE = r'(?P<unit>\d+-\d+-\d+|\d+栋\d+单元\d+)'
SIGNED_HEADER = '交易日期,交易流水号,交易金额,余额,对方户名,对方账号,摘要,附言\n'


def icbc_data():
    with open(ICBC_FILE, 'rb') as file:
        return file.read()


def icbc_variant(old, new):
    "The ICBC file with one text replaced, still in GBK"
    text = icbc_data().decode('gbk')
    assert text.count(old) == 1, old
    return text.replace(old, new).encode('gbk')


def signed_csv(*rows):
    "A file of the generic signed-amount layout, UTF-8 with its BOM"
    return (SIGNED_HEADER + ''.join(r + '\n' for r in rows)).encode(
        'utf_8_sig')


def unit_transfer(number, day, amount, balance, memo='1-1-101 物业费'):
    "A resident's transfer in the signed layout"
    return '2025-03-%02d,%s,"%s","%s",张伟,,转账,%s' % (
        day, number, amount, balance, memo)


def layout(xml_id):
    pool = Pool()
    Layout = pool.get('kefu.statement.layout')
    ModelData = pool.get('ir.model.data')
    return Layout(ModelData.get_id('kefu_fee', xml_id))


def create_journal(company, books, name, layout_id, validation='balance'):
    "A statement journal of a bank account of the company"
    pool = Pool()
    Account = pool.get('account.account')
    AccountJournal = pool.get('account.journal')
    Journal = pool.get('account.statement.journal')
    account, = Account.copy([books.cash], default={
            'code': None, 'name': "Bank %s" % name})
    account_journal, = AccountJournal.search(
        [('type', '=', 'statement')], limit=1)
    journal = Journal(
        name=name, company=company, currency=company.currency,
        journal=account_journal, account=account, validation=validation,
        kefu_layout=layout(layout_id))
    journal.save()
    return journal


def import_file(company, journal, data, file_name=None):
    "Run the import wizard on data; return the statements it created"
    pool = Pool()
    Statement = pool.get('account.statement')
    Import = pool.get('account.statement.import', type='wizard')
    before = {s.id for s in Statement.search([])}
    session_id, _, _ = Import.create()
    try:
        Import.execute(session_id, {'start': {
                    'company': company.id,
                    'file_': data,
                    'file_format': 'kefu_cn_bank',
                    'kefu_journal': journal.id,
                    'kefu_file_name': file_name,
                    }}, 'import_')
    finally:
        Import.delete(session_id)
    return [s for s in Statement.search([], order=[('id', 'ASC')])
        if s.id not in before]


def create_rule(company, description, name="Unit"):
    Rule = Pool().get('account.statement.rule')
    rule = Rule(name=name, company=company, description=description,
        lines=[{'amount': 'pending'}])
    rule.save()
    return rule


def register_account(party, number):
    "Register number as party's bank account"
    pool = Pool()
    Bank = pool.get('bank')
    BankAccount = pool.get('bank.account')
    Party = pool.get('party.party')
    bank_party = Party(name="ICBC")
    bank_party.save()
    bank = Bank(party=bank_party)
    bank.save()
    BankAccount(bank=bank, owners=[party.id], numbers=[
            {'type': 'other', 'number': number}]).save()


def origin_rows(statement):
    return [(o.number, o.date, o.amount, o.party and o.party.name,
            o.description, o.information)
        for o in sorted(statement.origins, key=lambda o: o.number)]


class StatementImportTestCase(FreshDatabaseTestCase):
    "Test the import of Chinese banks' statements"
    module = 'kefu_fee'

    @contextmanager
    def setup(self):
        "A company with its books, estate and ICBC statement journal"
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            site = setup_estate(company, books)
            site.journal = create_journal(
                company, books, "ICBC 1202", 'statement_layout_icbc')
            yield company, books, site

    def assertImportError(self, company, journal, data, *texts):
        "The import is refused with a message holding texts, and no trace"
        Statement = Pool().get('account.statement')
        before = Statement.search([], count=True)
        with self.assertRaises(StatementImportError) as context:
            import_file(company, journal, data)
        for text in texts:
            self.assertIn(text, context.exception.message)
        self.assertEqual(Statement.search([], count=True), before)

    @with_transaction()
    def test_icbc_gbk(self):
        "An ICBC export in GBK: title lines and totals skipped, amounts"
        with self.setup() as (company, books, site):
            register_account(site.owner, ZHANG_ACCOUNT)

            statement, = import_file(
                company, site.journal, icbc_data(), 'statement_icbc_gbk.csv')

            self.assertEqual(statement.name, 'statement_icbc_gbk')
            self.assertEqual(statement.journal, site.journal)
            self.assertEqual(statement.state, 'draft')
            self.assertEqual(statement.date, dt.date(2025, 3, 31))
            self.assertEqual(statement.start_balance, Decimal('50000.00'))
            self.assertEqual(statement.end_balance, Decimal('48704.84'))
            self.assertEqual(statement.total_amount, Decimal('-1295.16'))
            self.assertEqual(statement.number_of_lines, 4)
            self.assertEqual(statement.kefu_file_digest,
                hashlib.sha256(icbc_data()).hexdigest())
            self.assertEqual(bytes(statement.origin_file), icbc_data())
            self.assertEqual(origin_rows(statement), [
                    ('ICBC202503030001', dt.date(2025, 3, 3),
                        Decimal('1250.00'), "Zhang Wei",
                        '转账存入 1-1-101物业费',
                        {'kefu_party_name': '张伟',
                            'kefu_party_account': ZHANG_ACCOUNT}),
                    ('ICBC202503050002', dt.date(2025, 3, 5),
                        Decimal('-3000.00'), None, '网银转账 2月保洁费',
                        {'kefu_party_name': '北京洁净保洁服务有限公司',
                            'kefu_party_account': '110060123456789'}),
                    ('ICBC202503100003', dt.date(2025, 3, 10),
                        Decimal('442.50'), None, '转账存入 3-2-1502 三月物业费',
                        {'kefu_party_name': '李娜',
                            'kefu_party_account': '6217000010002222333'}),
                    ('ICBC202503310004', dt.date(2025, 3, 31),
                        Decimal('12.34'), None, '结息 利息', None),
                    ])
            self.assertEqual(statement.lines, ())

    @with_transaction()
    def test_utf8_bom_newest_first(self):
        "A UTF-8 file with its BOM listing the newest line first"
        with self.setup() as (company, books, site):
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')
            data = signed_csv(
                '2025-03-20,S0003,-80.00,"1,020.00",水务公司,,代扣,水费',
                '2025/03/12,S0002,￥100.00,"1,100.00",王芳,,转账,',
                '20250301,S0001,"1,000.00","1,000.00",,,开户,')

            statement, = import_file(company, journal, data)

            self.assertEqual(statement.name, 'S0001~S0003')
            self.assertEqual(statement.date, dt.date(2025, 3, 20))
            self.assertEqual(statement.start_balance, Decimal('0.00'))
            self.assertEqual(statement.end_balance, Decimal('1020.00'))
            self.assertEqual(
                [(o.number, o.date, o.amount, o.description)
                    for o in sorted(
                        statement.origins, key=lambda o: o.number)], [
                    ('S0001', dt.date(2025, 3, 1), Decimal('1000.00'), '开户'),
                    ('S0002', dt.date(2025, 3, 12), Decimal('100.00'),
                        '转账'),
                    ('S0003', dt.date(2025, 3, 20), Decimal('-80.00'),
                        '代扣 水费'),
                    ])

    @with_transaction()
    def test_cmb_xlsx(self):
        "A CMB workbook: dates, numbers and serials as Excel cells"
        from openpyxl import Workbook
        with self.setup() as (company, books, site):
            journal = create_journal(
                company, books, "CMB 7559", 'statement_layout_cmb',
                validation='amount')
            workbook = Workbook()
            sheet = workbook.active
            sheet.append(['招商银行交易明细'])
            sheet.append(['账号', '755912345610801'])
            sheet.append(['交易日', '交易时间', '借方金额', '贷方金额', '余额',
                    '摘要', '流水号', '用途', '收(付)方名称', '收(付)方帐号'])
            sheet.append([dt.datetime(2025, 4, 1, 9, 30), '09:30:00', None,
                    2500.5, 12500.5, '汇入', 202504010001, '1-1-101 四月',
                    '张伟', ZHANG_ACCOUNT])
            sheet.append(['20250402', '14:02:11', '1,000.00', None,
                    11500.5, '汇出', 'C202504020002', '退押金', '李娜',
                    '6217000010002222333'])
            sheet.append(['合计', None, 1000, 2500.5])
            stream = io.BytesIO()
            workbook.save(stream)

            statement, = import_file(
                company, journal, stream.getvalue(), '招行4月.xlsx')
            # Excel rounds an account number saved as a number
            sheet['J4'] = float(ZHANG_ACCOUNT)
            stream = io.BytesIO()
            workbook.save(stream)
            self.assertImportError(company, journal, stream.getvalue(),
                'Line 4', '收(付)方帐号', 'lost its last digits')

            self.assertEqual(statement.name, '招行4月')
            self.assertEqual(statement.total_amount, Decimal('1500.50'))
            self.assertEqual(statement.start_balance, Decimal('10000.00'))
            self.assertEqual(statement.end_balance, Decimal('11500.50'))
            self.assertEqual(origin_rows(statement), [
                    ('202504010001', dt.date(2025, 4, 1), Decimal('2500.50'),
                        None, '汇入 1-1-101 四月',
                        {'kefu_party_name': '张伟',
                            'kefu_party_account': ZHANG_ACCOUNT}),
                    ('C202504020002', dt.date(2025, 4, 2),
                        Decimal('-1000.00'), None, '汇出 退押金',
                        {'kefu_party_name': '李娜',
                            'kefu_party_account': '6217000010002222333'}),
                    ])

    @with_transaction()
    def test_bad_lines(self):
        "A bad line is refused by its number and nothing is imported"
        with self.setup() as (company, books, site):
            journal = site.journal
            for old, new, texts in [
                    ('"1,250.00"', '"12,3x"', ['Line 7', '"12,3x"', '贷方发生额']),
                    ('2025-03-10', '2025-13-10', ['Line 9', '2025-13-10']),
                    (',,12.34,', ',1.00,12.34,', ['Line 10', 'debit (1.00)']),
                    ('ICBC202503050002', '', ['Line 8', '交易流水号']),
                    ('ICBC202503100003', 'ICBC202503030001',
                        ['"ICBC202503030001"', 'lines 7 and 9']),
                    ('"48,250.00"', '"48,250.10"', ['Line 8', '48250.10']),
                    ('网银转账,"3,000.00",', '网银转账,,', ['Line 8', 'no amount']),
                    ('贷方发生额', '收入', ['line 6', '贷方发生额']),
                    ]:
                with self.subTest(new=new):
                    self.assertImportError(company, journal,
                        icbc_variant(old, new), *texts)

            with self.subTest(error='encoding'):
                icbc = journal.kefu_layout
                icbc.encoding = 'utf_8'
                icbc.save()
                self.assertImportError(company, journal, icbc_data(),
                    'Line 1', 'UTF-8')
            with self.subTest(error='header'):
                journal.kefu_layout = layout('statement_layout_ccb')
                journal.save()
                self.assertImportError(company, journal, icbc_data(),
                    '"交易时间"', '建设银行 CCB')
            with self.subTest(error='xls'):
                self.assertImportError(company, journal,
                    b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + bytes(100), '.xls')
            with self.subTest(error='xlsx'):
                self.assertImportError(company, journal,
                    b'PK\x03\x04' + bytes(100), 'Excel workbook (.xlsx)')

    @with_transaction()
    def test_never_twice(self):
        "The same file, or a line already imported, is refused"
        Statement = Pool().get('account.statement')
        with self.setup() as (company, books, site):
            first, = import_file(company, site.journal, icbc_data())

            self.assertImportError(company, site.journal, icbc_data(),
                'already imported as the statement "%s"' % first.name)
            # Another export repeating lines already imported
            self.assertImportError(company, site.journal, icbc_variant(
                    '2025-03-03,ICBC202503030001', '2025-03-03,ICBC202504010001'),
                '"ICBC202503050002" (line 8)', first.name)

            Statement.cancel([first])
            again, = import_file(company, site.journal, icbc_data())
            self.assertEqual(len(again.origins), 4)

    @with_transaction()
    def test_unit_rule_pays_oldest_bill(self):
        "A transfer naming the unit pays its payer's oldest open bill"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            january = bill(company, books, site, Decimal('1250.00'), 1)
            february = bill(company, books, site, Decimal('300.00'), 2)
            create_rule(company, UNIT_RULE)
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')

            statement, = import_file(company, journal, signed_csv(
                    '2025-03-12,S0001,"1,250.00","11,250.00",张伟,,'
                    '转账,1栋1单元101 一月物业费'))

            # Matched at once
            line, = statement.lines
            self.assertEqual(line.origin.number, 'S0001')
            self.assertEqual(line.origin.keywords['unit'], '1栋1单元101')
            self.assertEqual(line.related_to, january)
            self.assertEqual(line.party, site.owner)
            self.assertEqual(line.account, books.receivable)
            self.assertEqual(line.amount, Decimal('1250.00'))

            Statement.validate_statement([statement])
            # Tryton marks it paid from the queue, after the transaction
            january = Invoice(january.id)
            self.assertEqual(january.amount_to_pay, Decimal(0))
            self.assertTrue(
                all(l.reconciliation for l in january.lines_to_pay))
            february = Invoice(february.id)
            self.assertEqual(february.state, 'posted')
            self.assertEqual(february.amount_to_pay, Decimal('300.00'))

    @with_transaction()
    def test_cron_applies_rules(self):
        "The scheduled action matches draft statements' open lines"
        pool = Pool()
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')
            draft, = import_file(company, site.journal, icbc_data())
            cancelled, = import_file(company, journal, signed_csv(
                    '2025-03-12,S0001,100.00,100.00,张伟,,转账,1-1-101'))
            Statement.cancel([cancelled])
            self.assertEqual((draft.lines, cancelled.lines), ((), ()))

            january = bill(company, books, site, Decimal('1250.00'), 1)
            create_rule(company, UNIT_RULE)
            Statement.kefu_apply_rules()

            # 3-2-1502 is no unit of the company
            line, = Statement(draft.id).lines
            self.assertEqual(
                (line.origin.number, line.related_to, line.amount),
                ('ICBC202503030001', january, Decimal('1250.00')))
            self.assertEqual(Statement(cancelled.id).lines, ())

    @with_transaction()
    def test_refund_payment_rule(self):
        "A refund paid out is found by the payment number in the memo"
        pool = Pool()
        Payment = pool.get('account.payment')
        PaymentJournal = pool.get('account.payment.journal')
        Group = pool.get('account.payment.group')
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            payment_journal = PaymentJournal(
                name="Refunds", process_method='manual',
                currency=company.currency, company=company)
            payment_journal.save()
            payment = Payment(
                company=company, journal=payment_journal, kind='payable',
                party=site.owner, amount=Decimal('500.00'),
                date=dt.date(2025, 3, 14))
            payment.save()
            Payment.submit([payment])
            Payment.approve([payment])

            def new_group():
                group = Group(company=company, journal=payment_journal,
                    kind='payable')
                group.save()
                return group
            Payment.process([payment], new_group)
            create_rule(
                company, r'押金退款\s*(?P<payment>\S+)', name="Refunds")
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')

            statement, = import_file(company, journal, signed_csv(
                    '2025-03-15,S0009,-500.00,"9,500.00",张伟,,'
                    '转账支出,押金退款 %s' % payment.number))

            line, = statement.lines
            self.assertEqual(line.related_to, payment)
            self.assertEqual(line.party, site.owner)
            self.assertEqual(line.amount, Decimal('-500.00'))
            self.assertEqual(
                line.account, site.owner.account_payable_used)
            Statement.validate_statement([statement])
            self.assertEqual(Payment(payment.id).state, 'succeeded')


    @with_transaction()
    def test_unit_rule_bill_once_per_statement(self):
        """Transfers for the same unit in one statement pay its open bills
        one each, oldest first, none beyond what it owes"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.statement.line')
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            january = bill(company, books, site, Decimal('1250.00'), 1)
            february = bill(company, books, site, Decimal('300.00'), 2)
            create_rule(company, UNIT_RULE)
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')

            statement, = import_file(company, journal, signed_csv(
                    unit_transfer('S0001', 12, '1,250.00', '1,250.00'),
                    unit_transfer('S0002', 13, '500.00', '1,750.00'),
                    unit_transfer(
                        'S0003', 14, '100.00', '1,850.00', '1栋1单元101')))

            self.assertEqual(
                [(l.origin.number, l.related_to, l.party, l.amount)
                    for l in sorted(
                        statement.lines, key=lambda l: l.origin.number)], [
                    ('S0001', january, site.owner, Decimal('1250.00')),
                    ('S0002', february, site.owner, Decimal('300.00')),
                    ])
            # What the bills do not owe is left for the accountant
            origins = sorted(statement.origins, key=lambda o: o.number)
            self.assertEqual(
                [(o.number, o.pending_amount) for o in origins], [
                    ('S0001', Decimal('0.00')),
                    ('S0002', Decimal('200.00')),
                    ('S0003', Decimal('100.00')),
                    ])
            Line.save([Line(
                        statement=statement, origin=o, number=o.number,
                        date=o.date, amount=o.pending_amount,
                        party=site.owner, account=books.receivable)
                    for o in origins[1:]])

            Statement.validate_statement([statement])
            Statement.post([statement])
            self.assertEqual(
                [Invoice(i.id).amount_to_pay for i in [january, february]],
                [Decimal(0), Decimal(0)])
            self.assertEqual(
                balance(books.receivable, site.owner), Decimal('-300.00'))
            self.assertEqual(balance(journal.account), Decimal('1850.00'))

    @with_transaction()
    def test_cron_skips_bill_matched_in_statement(self):
        """A bill a line of the statement already pays is not given to
        another transfer of it when the rules run again"""
        pool = Pool()
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            january = bill(company, books, site, Decimal('1250.00'), 1)
            create_rule(company, UNIT_RULE)
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')

            statement, = import_file(company, journal, signed_csv(
                    unit_transfer('S0001', 12, '1,250.00', '1,250.00'),
                    unit_transfer('S0002', 13, '300.00', '1,550.00')))
            # The second transfer waits: the unit owes nothing more yet
            line, = statement.lines
            self.assertEqual(
                (line.origin.number, line.related_to, line.amount),
                ('S0001', january, Decimal('1250.00')))

            february = bill(company, books, site, Decimal('300.00'), 2)
            Statement.kefu_apply_rules()

            self.assertEqual(
                [(l.origin.number, l.related_to, l.amount)
                    for l in sorted(
                        Statement(statement.id).lines,
                        key=lambda l: l.origin.number)], [
                    ('S0001', january, Decimal('1250.00')),
                    ('S0002', february, Decimal('300.00')),
                    ])

    @with_transaction()
    def test_unit_rule_bill_once_in_draft_statements(self):
        """A bill a line of another draft statement pays is not given to a
        transfer of a second statement (two accounts, two bank files);
        once that statement is validated its payment is on the bill"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            january = bill(company, books, site, Decimal('1250.00'), 1)
            february = bill(company, books, site, Decimal('300.00'), 2)
            create_rule(company, UNIT_RULE)
            first_journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')
            second_journal = create_journal(
                company, books, "Third bank", 'statement_layout_signed')

            first, = import_file(company, first_journal, signed_csv(
                    unit_transfer('S0001', 12, '1,250.00', '1,250.00')))
            second, = import_file(company, second_journal, signed_csv(
                    unit_transfer('S0002', 13, '1,250.00', '1,250.00'),
                    unit_transfer('S0003', 14, '100.00', '1,350.00')))

            line, = first.lines
            self.assertEqual(
                (line.related_to, line.amount), (january, Decimal('1250.00')))
            # January is the first statement's: the second transfer pays
            # February, for what it owes, and the third is left
            line, = second.lines
            self.assertEqual(
                (line.origin.number, line.related_to, line.amount),
                ('S0002', february, Decimal('300.00')))
            self.assertEqual(
                sorted((o.number, o.pending_amount) for o in second.origins),
                [('S0002', Decimal('950.00')), ('S0003', Decimal('100.00'))])

            Statement.validate_statement([first])
            self.assertEqual(
                Invoice(january.id).amount_to_pay, Decimal(0))
            # A run of the rules changes nothing: both bills are paid for
            Statement.kefu_apply_rules()
            self.assertEqual(
                [(l.origin.number, l.related_to)
                    for l in Statement(second.id).lines],
                [('S0002', february)])

    @with_transaction()
    def test_deposit_refund_rule_as_by_hand(self):
        """A deposit's refund matched by the rule: the deposit's party and
        the clearing account on the line, as choosing it by hand gives"""
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        DepositLine = pool.get('kefu.deposit.line')
        Line = pool.get('account.statement.line')
        Statement = pool.get('account.statement')
        with self.setup() as (company, books, site):
            setup_deposit_books(company, books)
            clerk = create_user(
                'clerk', company, site.estate, 'group_front_desk')
            deposit = new_deposit(site)
            Deposit.receive(deposit, Decimal('900.00'), date=DAY,
                method=site.desk.method('cash'))
            with as_user(clerk):
                refund = Deposit.request_refund(
                    deposit, date=dt.date(2025, 3, 14))
            DepositLine.approve([refund])
            DepositLine.pay([refund])
            payment = DepositLine(refund.id).payment
            create_rule(
                company, r'押金退款\s*(?P<payment>\S+)', name="Refunds")
            journal = create_journal(
                company, books, "Other bank", 'statement_layout_signed')

            statement, = import_file(company, journal, signed_csv(
                    '2025-03-15,S0021,-900.00,"49,100.00",张伟,,网银转账,'
                    '押金退款 %s' % payment.number))

            line, = statement.lines
            self.assertEqual(
                (line.related_to, line.party, line.account, line.amount),
                (payment, site.owner, books.clearing, Decimal('-900.00')))
            origin, = statement.origins
            by_hand = Line(statement=statement, origin=origin)
            by_hand.on_change_origin()
            by_hand.related_to = payment
            by_hand.on_change_related_to()
            self.assertEqual(
                (by_hand.party, by_hand.account), (line.party, line.account))

            Statement.validate_statement([statement])
            Statement.post([statement])
            refund = DepositLine(refund.id)
            deposit = Deposit(deposit.id)
            self.assertEqual(
                (refund.state, refund.payment.state), ('paid', 'succeeded'))
            self.assertEqual(
                (deposit.refunded, deposit.held, deposit.state),
                (Decimal('900.00'), Decimal('0.00'), 'closed'))
            self.assertEqual(balance(books.clearing), Decimal('0.00'))
            self.assertEqual(balance(journal.account), Decimal('-900.00'))
            self.assertEqual(balance(books.held, site.owner), Decimal('0.00'))


del TestCase
