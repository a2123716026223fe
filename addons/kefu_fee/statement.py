# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Bank statements exported by Chinese banks (银行流水), imported into
account_statement: a layout (银行流水格式) names the columns as the bank
prints them; each line of the file becomes an origin of one statement of
the chosen journal, all or nothing, never twice; the statement rules then
match the lines, also by the unit code a resident writes in the transfer
memo (附言), at import and by a scheduled action.

Tryton 8.0 has no CSV import (8.2 brought one); this follows 8.2's design
(a format record) with what Chinese exports need: GBK text, title lines
before the header, separate debit and credit columns, a running balance,
total rows (合计), .xlsx workbooks."""
import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections import defaultdict, namedtuple
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation

from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .exceptions import ChargeError, StatementImportError

FILE_FORMAT = 'kefu_cn_bank'
DELIMITERS = {'comma': ',', 'tab': '\t', 'semicolon': ';', 'pipe': '|'}
# Rows of totals the banks print after the lines (and after each page)
SUMMARY_PREFIXES = ('合计', '总计', '本页合计', '本页小计', '小计')
# 2025-03-01, 2025/3/1, 2025.03.01, 2025年3月1日, then any time
DATE_SEPARATED = re.compile(
    r'(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)')
DATE_COMPACT = re.compile(r'(\d{4})(\d{2})(\d{2})(?!\d)')
AMOUNT_NOISE = re.compile(r'[,，\s¥￥]|RMB|CNY|元')
AMOUNT = re.compile(r'[+-]?\d+(\.\d+)?')
CENT = Decimal('0.01')
# Excel keeps 15 significant digits of a number: longer ones are rounded
EXACT_FLOAT = 10 ** 15
HALF_WIDTH = str.maketrans('（）：', '():')
XLSX_MAGIC = b'PK'
XLS_MAGIC = b'\xd0\xcf\x11\xe0'

BankLine = namedtuple('BankLine', [
        'line', 'date', 'number', 'amount', 'balance', 'party_name',
        'party_account', 'summary', 'memo'])


def cell_text(value):
    """The cell as the bank printed it: whole numbers without '.0', and
    Excel's ="…" and tab guards (kept by banks on long numbers) removed"""
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    return text


def title_key(value):
    "A column title compared without its spaces, its brackets half-width"
    return re.sub(r'\s+', '', cell_text(value)).translate(HALF_WIDTH)


class StatementLayout(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Bank Statement Layout"
    __name__ = 'kefu.statement.layout'

    name = fields.Char(
        "Name", required=True,
        help="The layout as the accountants know it, e.g. "
        "'ICBC corporate online banking'.")
    bank = fields.Char(
        "Bank", help="The bank whose exports have this layout.")
    encoding = fields.Selection([
            ('gb18030', "GB18030 / GBK"),
            ('utf_8_sig', "UTF-8 (with or without BOM)"),
            ('utf_8', "UTF-8"),
            ], "Encoding", required=True,
        help="How the bank wrote the Chinese text of its CSV files: "
        "GB18030 (which reads GBK too) for most banks; a file in UTF-8 "
        "is recognised all the same.  Excel files need none.")
    encoding_string = encoding.translated('encoding')
    delimiter = fields.Selection([
            ('comma', "Comma"),
            ('tab', "Tab"),
            ('semicolon', "Semicolon"),
            ('pipe', "Vertical Bar"),
            ], "Delimiter", required=True,
        help="What separates the columns of the bank's CSV files.")
    date_title = fields.Char(
        "Date Column", required=True, strip=True,
        help="The title of the date column, e.g. 交易日期: the first row "
        "holding it is the header, the rows above it are skipped.")
    number_title = fields.Char(
        "Serial Number Column", required=True, strip=True,
        help="The title of the bank's serial number (交易流水号) of each "
        "line: a line is never imported twice into a journal.")
    debit_title = fields.Char(
        "Debit Column", strip=True,
        states={'required': ~Eval('amount_title')},
        help="The title of the column of the money paid out, e.g. "
        "借方发生额 or 支出; leave empty with a signed amount column.")
    credit_title = fields.Char(
        "Credit Column", strip=True,
        states={'required': ~Eval('amount_title')},
        help="The title of the column of the money received, e.g. "
        "贷方发生额 or 收入; leave empty with a signed amount column.")
    amount_title = fields.Char(
        "Signed Amount Column", strip=True,
        help="For banks printing one amount column, positive when "
        "received and negative when paid out (交易金额); the debit and "
        "credit columns are then not used.")
    balance_title = fields.Char(
        "Balance Column", strip=True,
        help="The title of the balance after each line (余额): it gives "
        "the statement's start and end balances and proves no line is "
        "missing.  Without it, the statement starts from the journal's "
        "last end balance.")
    party_name_title = fields.Char(
        "Counterparty Name Column", strip=True,
        help="The title of the counterparty's name (对方户名).")
    party_account_title = fields.Char(
        "Counterparty Account Column", strip=True,
        help="The title of the counterparty's account number (对方账号); "
        "a number registered as a party's bank account names the party.")
    summary_title = fields.Char(
        "Summary Column", strip=True,
        help="The title of the bank's summary (摘要), e.g. 转账存入.")
    memo_title = fields.Char(
        "Memo Column", strip=True,
        help="The title of the payer's memo (附言 or 用途), where "
        "residents write their unit number; the statement rules read it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_encoding():
        return 'gb18030'

    @staticmethod
    def default_delimiter():
        return 'comma'

    @property
    def columns(self):
        "The titles of the layout's columns by what they hold"
        names = ['date', 'number', 'balance', 'party_name', 'party_account',
            'summary', 'memo']
        names += ['amount'] if self.amount_title else ['debit', 'credit']
        return {n: getattr(self, n + '_title') for n in names
            if getattr(self, n + '_title')}


class BankFile:
    "The lines of a bank's export read with a layout"

    def __init__(self, layout, data):
        self.layout = layout
        self.data = data

    def lines(self):
        "Return the bank lines in the order they happened"
        rows = self._rows()
        header_line, columns = self._header(rows)
        lines = []
        for line, cells in rows:
            values = {n: cells[i] if i < len(cells) else None
                for n, i in columns.items()}
            if self._skip(cells, values):
                continue
            lines.append(self._line(line, values))
        if not lines:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_empty',
                    line=header_line))
        return self._chronological(lines)

    def _rows(self):
        if self.data.startswith(XLSX_MAGIC):
            return self._xlsx_rows()
        if self.data.startswith(XLS_MAGIC):
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_xls'))
        return self._csv_rows()

    def _xlsx_rows(self):
        "Yield the rows of the first sheet with their row number"
        from openpyxl import load_workbook
        try:
            workbook = load_workbook(
                io.BytesIO(self.data), read_only=True, data_only=True)
        except Exception:
            # Any zip that is no workbook: openpyxl has no error of its own
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_xlsx'))
        try:
            sheet = workbook.worksheets[0]
            for number, row in enumerate(
                    sheet.iter_rows(min_row=1, values_only=True), 1):
                yield number, list(row)
        finally:
            workbook.close()

    def _csv_rows(self):
        "Yield the rows of the CSV file with their line number"
        text = self._decode()
        reader = csv.reader(io.StringIO(text, newline=''),
            delimiter=DELIMITERS[self.layout.delimiter])
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_csv',
                    line=max(reader.line_num, 1)))

    def _decode(self):
        encoding = self.layout.encoding
        if self.data.startswith(codecs.BOM_UTF8):
            encoding = 'utf_8_sig'
        elif encoding == 'gb18030':
            # GB18030 reads UTF-8 bytes as other characters without
            # failing, while Chinese in GBK is never valid UTF-8
            try:
                return self.data.decode('utf_8')
            except UnicodeDecodeError:
                pass
        try:
            return self.data.decode(encoding)
        except UnicodeDecodeError as error:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_encoding',
                    line=self.data.count(b'\n', 0, error.start) + 1,
                    encoding=self.layout.encoding_string,
                    layout=self.layout.rec_name))

    def _header(self, rows):
        "Return the line of the header and the column of each value"
        columns = self.layout.columns
        for line, cells in rows:
            titles = [title_key(c) for c in cells]
            if title_key(columns['date']) not in titles:
                continue
            missing = [t for t in columns.values()
                if title_key(t) not in titles]
            if missing:
                raise StatementImportError(gettext(
                        'kefu_fee.msg_statement_import_columns',
                        line=line, titles='、'.join(missing),
                        layout=self.layout.rec_name))
            return line, {n: titles.index(title_key(t))
                for n, t in columns.items()}
        raise StatementImportError(gettext(
                'kefu_fee.msg_statement_import_header',
                title=columns['date'], layout=self.layout.rec_name))

    def _skip(self, cells, values):
        "Empty rows, total rows and the header repeated on each page"
        texts = [t for t in map(cell_text, cells) if t]
        return (not texts
            or texts[0].startswith(SUMMARY_PREFIXES)
            or title_key(values['date']) == title_key(self.layout.date_title))

    def _line(self, line, values):
        number = self._identifier(line, 'number', values)
        if not number:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_number',
                    line=line, column=self.layout.number_title))
        balance = None
        if 'balance' in values:
            balance = self._decimal(line, 'balance', values, required=True)
        return BankLine(
            line=line, date=self._date(line, values['date']), number=number,
            amount=self._amount(line, values), balance=balance,
            party_name=cell_text(values.get('party_name')),
            party_account=re.sub(
                r'\s+', '', self._identifier(line, 'party_account', values)),
            summary=cell_text(values.get('summary')),
            memo=cell_text(values.get('memo')))

    def _identifier(self, line, name, values):
        "A serial or account number, refused when Excel rounded it"
        value = values.get(name)
        if isinstance(value, float) and abs(value) >= EXACT_FLOAT:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_digits', line=line,
                    value=cell_text(value),
                    column=self.layout.columns[name]))
        return cell_text(value)

    def _date(self, line, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = cell_text(value)
        match = DATE_SEPARATED.match(text) or DATE_COMPACT.match(text)
        try:
            if match:
                return dt.date(*map(int, match.groups()))
        except ValueError:
            pass
        raise StatementImportError(gettext(
                'kefu_fee.msg_statement_import_date', line=line, value=text))

    def _amount(self, line, values):
        "Return the received amount, negative when paid out"
        if 'amount' in values:
            amount = self._decimal(line, 'amount', values)
        else:
            debit = self._decimal(line, 'debit', values)
            credit = self._decimal(line, 'credit', values)
            if debit and credit:
                raise StatementImportError(gettext(
                        'kefu_fee.msg_statement_import_both',
                        line=line, debit=debit, credit=credit))
            amount = (credit or 0) - (debit or 0)
        if not amount:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_no_amount', line=line))
        return amount

    def _decimal(self, line, name, values, required=False):
        value = values[name]
        text = cell_text(value)
        if not text and not required:
            return None
        try:
            if isinstance(value, (int, float, Decimal)):
                amount = Decimal(text)
                if isinstance(value, float):
                    amount = amount.quantize(CENT)
            elif AMOUNT.fullmatch(AMOUNT_NOISE.sub('', text)):
                amount = Decimal(AMOUNT_NOISE.sub('', text))
            else:
                amount = None
        except InvalidOperation:
            amount = None
        if amount is None or amount != amount.quantize(CENT):
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_amount', line=line,
                    value=text, column=self.layout.columns[name]))
        return amount.quantize(CENT)

    def _chronological(self, lines):
        """Return the lines oldest first (some banks list the newest
        first), their balances proving that none is missing"""
        if lines[0].date > lines[-1].date:
            lines.reverse()
        elif (lines[0].date == lines[-1].date
                and self._unchained(lines)
                and not self._unchained(lines[::-1])):
            lines.reverse()
        if wrong := self._unchained(lines):
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_balance',
                    line=wrong.line, balance=wrong.balance,
                    amount=wrong.amount))
        return lines

    @staticmethod
    def _unchained(lines):
        "The first line whose balance is not the previous one's plus it"
        if lines[0].balance is None:
            return None
        for previous, line in zip(lines, lines[1:]):
            if line.balance != previous.balance + line.amount:
                return line


class StatementJournal(metaclass=PoolMeta):
    __name__ = 'account.statement.journal'

    kefu_layout = fields.Many2One(
        'kefu.statement.layout', "Bank Layout", ondelete='RESTRICT',
        help="The layout of the files the bank exports for this account "
        "(银行流水格式): which column holds the date, the amounts, the "
        "serial number.  Needed to import them.")


class Statement(metaclass=PoolMeta):
    __name__ = 'account.statement'

    kefu_file_digest = fields.Char(
        "File Fingerprint", readonly=True,
        help="The SHA-256 of the bank file the statement was imported "
        "from: the same file is never imported twice.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.kefu_file_digest, Index.Equality(cardinality='high')),
                where=t.kefu_file_digest != Null))

    @classmethod
    def copy(cls, statements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('kefu_file_digest')
        return super().copy(statements, default=default)

    @classmethod
    @ModelView.button
    def apply_rules(cls, statements):
        with StatementBills.matching():
            super().apply_rules(statements)

    @classmethod
    def kefu_apply_rules(cls):
        """Apply the rules to the draft statements with lines not matched
        yet: bills posted and rules written since the import match them"""
        pool = Pool()
        Origin = pool.get('account.statement.origin')
        Line = pool.get('account.statement.line')
        statement = cls.__table__()
        origin = Origin.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*origin
            .join(statement, condition=origin.statement == statement.id)
            .join(line, 'LEFT', condition=line.origin == origin.id)
            .select(origin.statement,
                where=(statement.state == 'draft') & (line.id == Null),
                group_by=[origin.statement], order_by=[origin.statement]))
        ids = [i for i, in cursor]
        for sub_ids in grouped_slice(ids):
            cls.apply_rules(cls.browse(sub_ids))


class StatementOrigin(metaclass=PoolMeta):
    __name__ = 'account.statement.origin'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The import looks serial numbers up in the whole journal
        cls._sql_indexes.add(
            Index(t, (t.number, Index.Equality(cardinality='high')),
                where=t.number != Null))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('account.statement|kefu_apply_rules', "Apply Statement Rules"))


class ImportStatementStart(metaclass=PoolMeta):
    __name__ = 'account.statement.import.start'

    kefu_journal = fields.Many2One(
        'account.statement.journal', "Statement Journal",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': Eval('file_format') != FILE_FORMAT,
            'required': Eval('file_format') == FILE_FORMAT,
            },
        help="The journal of the bank account the file comes from: "
        "Chinese banks' exports do not say which of our accounts it is.")
    kefu_file_name = fields.Char(
        "File Name",
        help="The name of the file, given to the statement it becomes.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The formats are not translated (translate=False): name it in
        # both languages
        cls.file_format.selection.append(
            (FILE_FORMAT, "Chinese Bank Export (CSV/Excel) 国内银行流水"))
        cls.file_.filename = 'kefu_file_name'
        cls.file_.depends.add('kefu_file_name')


class ImportStatement(metaclass=PoolMeta):
    __name__ = 'account.statement.import'

    def do_import_(self, action):
        pool = Pool()
        Statement = pool.get('account.statement')
        file_format = self.start.file_format
        action, data = super().do_import_(action)
        if file_format == FILE_FORMAT:
            # The accountant sees the lines the rules matched at once; the
            # rules are the accountants', whoever imports
            with without_check_access():
                Statement.apply_rules(Statement.browse(data['res_id']))
        return action, data

    def parse_kefu_cn_bank(self):
        pool = Pool()
        Statement = pool.get('account.statement')
        journal = self.start.kefu_journal
        if not journal or not journal.kefu_layout:
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_layout',
                    journal=journal.rec_name if journal else ''))
        data = bytes(self.start.file_)
        digest = hashlib.sha256(data).hexdigest()
        self._kefu_check_digest(digest)
        lines = BankFile(journal.kefu_layout, data).lines()
        self._kefu_check_numbers(journal, lines)
        statement = Statement(
            company=self.start.company, journal=journal,
            name=self._kefu_name(lines), date=lines[-1].date,
            kefu_file_digest=digest)
        statement.origins = list(self._kefu_origins(lines))
        self._kefu_set_totals(statement, lines)
        yield statement

    def _kefu_name(self, lines):
        if self.start.kefu_file_name:
            return os.path.splitext(
                os.path.basename(self.start.kefu_file_name))[0]
        return '%s~%s' % (lines[0].number, lines[-1].number)

    @classmethod
    def _kefu_check_digest(cls, digest):
        Statement = Pool().get('account.statement')
        statements = Statement.search([
                ('kefu_file_digest', '=', digest),
                ('state', '!=', 'cancelled'),
                ], limit=1)
        if statements:
            statement, = statements
            raise StatementImportError(gettext(
                    'kefu_fee.msg_statement_import_file_twice',
                    statement=statement.rec_name))

    @classmethod
    def _kefu_check_numbers(cls, journal, lines):
        "Refuse a serial number twice in the file or already imported"
        Origin = Pool().get('account.statement.origin')
        first = {}
        for line in lines:
            if line.number in first:
                raise StatementImportError(gettext(
                        'kefu_fee.msg_statement_import_number_twice',
                        number=line.number, first=first[line.number],
                        line=line.line))
            first[line.number] = line.line
        for numbers in grouped_slice(list(first)):
            origins = Origin.search([
                    ('number', 'in', list(numbers)),
                    ('statement.journal', '=', journal.id),
                    ('statement.state', '!=', 'cancelled'),
                    ], order=[('id', 'ASC')], limit=1)
            if origins:
                origin, = origins
                raise StatementImportError(gettext(
                        'kefu_fee.msg_statement_import_number_exists',
                        number=origin.number, line=first[origin.number],
                        statement=origin.statement.rec_name,
                        journal=journal.rec_name))

    def _kefu_origins(self, lines):
        Origin = Pool().get('account.statement.origin')
        parties = account_owners(
            {l.party_account for l in lines if l.party_account})
        for line in lines:
            information = {
                'kefu_party_name': line.party_name,
                'kefu_party_account': line.party_account,
                }
            yield Origin(
                number=line.number, date=line.date, amount=line.amount,
                party=parties.get(line.party_account),
                description=' '.join(
                    filter(None, [line.summary, line.memo])) or None,
                information={k: v for k, v in information.items() if v}
                or None)

    def _kefu_set_totals(self, statement, lines):
        total = sum(l.amount for l in lines)
        if lines[0].balance is not None:
            statement.start_balance = lines[0].balance - lines[0].amount
            statement.end_balance = lines[-1].balance
        else:
            statement.start_balance = last_end_balance(statement.journal)
            statement.end_balance = statement.start_balance + total
        statement.total_amount = total
        statement.number_of_lines = len(lines)


def account_owners(numbers):
    """Return the party of each bank account number that is registered
    once, to a single owner"""
    AccountNumber = Pool().get('bank.account.number')
    accounts = defaultdict(set)
    for sub_numbers in grouped_slice(list(numbers)):
        for number in AccountNumber.search([
                    ('number', 'in', list(sub_numbers)),
                    ]):
            for text in {number.number, number.number_compact} & numbers:
                accounts[text].add(number.account)
    parties = {}
    for text, bank_accounts in accounts.items():
        if len(bank_accounts) == 1:
            bank_account, = bank_accounts
            if len(bank_account.owners) == 1:
                parties[text] = bank_account.owners[0]
    return parties


def last_end_balance(journal):
    "The end balance of the journal's last statement, 0 for the first one"
    Statement = Pool().get('account.statement')
    statements = Statement.search([
            ('journal', '=', journal.id),
            ('state', '!=', 'cancelled'),
            ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
    if statements and statements[0].end_balance is not None:
        return statements[0].end_balance
    return Decimal(0)


class StatementRule(metaclass=PoolMeta):
    __name__ = 'account.statement.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.description.help += "\n'unit'\n'estate'"


class StatementRuleLine(metaclass=PoolMeta):
    """A group named 'unit' (a unit code such as 3-2-1502, or 3栋2单元1502)
    names the payer of the unit's oldest open bill and that bill, or the
    unit's owner when it owes nothing; 'estate' (a code or name) tells
    units of the same code in two estates apart.  A bill is paid by one
    line of the draft statements, for no more than it owes: the next
    transfer for the unit pays its next bill, or is left for the
    accountant when the draft statements already pay them all."""
    __name__ = 'account.statement.rule.line'

    def get_line(self, origin, keywords, **context):
        line = super().get_line(origin, keywords, **context)
        if line and line.payment:
            # As when the accountant chooses the payment: its party (the
            # deposit's, kept even on a clearing account not requiring
            # one) and its clearing, or else payable, account
            line.on_change_related_to()
        if line and line.invoice:
            bills = StatementBills.current()
            if bills.offered(line.invoice):
                line.amount = min(line.amount, line.invoice.amount_to_pay)
            bills.take(origin, line.invoice)
        return line

    def _get_party(self, origin, keywords, amount=0):
        party = super()._get_party(origin, keywords, amount=amount)
        if not party and (unit := self._kefu_unit(origin, keywords)):
            bills = StatementBills.current()
            if free := bills.free(origin, unit):
                party = free[0].party
            elif not bills.open(origin, unit):
                party = unit_owner(unit, origin.date)
        return party

    def _get_related_to(self, origin, keywords, party=None, amount=0):
        return super()._get_related_to(
            origin, keywords, party=party, amount=amount) | {
            self._kefu_get_unit_bill(
                origin, keywords, party=party, amount=amount),
            }

    def _kefu_get_unit_bill(self, origin, keywords, party=None, amount=0):
        """The payer's oldest open bill of the unit no line of the
        statement pays yet, for money received"""
        if amount <= 0 or not party:
            return None
        if unit := self._kefu_unit(origin, keywords):
            for bill in StatementBills.current().free(origin, unit):
                if bill.party == party:
                    return bill

    @classmethod
    def _kefu_unit(cls, origin, keywords):
        "The one unit of the company the description names, if any"
        Unit = Pool().get('kefu.unit')
        code = (keywords.get('unit') or '').strip()
        if not code:
            return None
        codes = {code, '-'.join(re.findall(r'[A-Za-z0-9]+', code))}
        domain = [
            ('code', 'in', list(codes)),
            ('estate.company', '=', origin.company.id),
            ]
        if estate := (keywords.get('estate') or '').strip():
            domain.append(['OR',
                    ('estate.code', '=', estate),
                    ('estate.name', '=', estate),
                    ])
        # The rules match for whoever applies them, in every estate
        with without_check_access():
            units = Unit.search(domain, limit=2)
        if len(units) == 1:
            return units[0]


class StatementBills:
    """The units' open bills the statement rules give to the lines of
    statements: each is paid by one line of all the draft statements, the
    lines saved before (by hand or by an earlier run, in this statement or
    another one not validated yet) counted.  Kept while the rules are
    applied, so transfers matched together but not saved yet count too;
    the bills of a unit and the lines of the draft statements are read
    once."""
    _current = ContextVar('kefu_statement_bills', default=None)

    def __init__(self):
        self._open = {}
        self._taken = None

    @classmethod
    @contextmanager
    def matching(cls):
        token = cls._current.set(cls())
        try:
            yield
        finally:
            cls._current.reset(token)

    @classmethod
    def current(cls):
        "The bills of the rules being applied (none kept outside)"
        return cls._current.get() or cls()

    def open(self, origin, unit):
        "The unit's bills still to pay, oldest first"
        key = (unit.id, origin.company.id, origin.currency.id)
        if key not in self._open:
            self._open[key] = unit_open_bills(unit, origin)
        return self._open[key]

    def free(self, origin, unit):
        "The unit's open bills no line of a draft statement pays"
        taken = self._taken_ids()
        return [b for b in self.open(origin, unit) if b.id not in taken]

    def offered(self, invoice):
        "Whether invoice is a unit's open bill given by the rules"
        return any(invoice in bills for bills in self._open.values())

    def take(self, origin, invoice):
        self._taken_ids().add(invoice.id)

    def _taken_ids(self):
        """The ids of the invoices the lines of the draft statements pay (a
        validated statement's payments are on its bills already)"""
        if self._taken is None:
            pool = Pool()
            Line = pool.get('account.statement.line')
            Statement = pool.get('account.statement')
            line = Line.__table__()
            statement = Statement.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*line
                .join(statement, condition=line.statement == statement.id)
                .select(line.related_to,
                    where=(statement.state == 'draft')
                    & line.related_to.like('account.invoice,%')))
            self._taken = {int(r.split(',')[1]) for r, in cursor}
        return self._taken


def unit_open_bills(unit, origin):
    """Return the posted customer bills of the unit still to pay in the
    origin's company and currency, oldest first"""
    pool = Pool()
    Charge = pool.get('kefu.fee.charge')
    Invoice = pool.get('account.invoice')
    with without_check_access():
        invoice_ids = {c.invoice.id for c in Charge.search([
                    ('unit', '=', unit.id),
                    ('state', '=', 'posted'),
                    ('invoice', '!=', None),
                    ])}
    domain = [
        ('id', 'in', list(invoice_ids)),
        ('company', '=', origin.company.id),
        ('currency', '=', origin.currency.id),
        ('type', '=', 'out'),
        ('state', '=', 'posted'),
        ]
    with without_check_access():
        return [i for i in Invoice.search(domain, order=[
                    ('invoice_date', 'ASC'), ('number', 'ASC'),
                    ('id', 'ASC')])
            if i.amount_to_pay > 0]


def unit_owner(unit, date):
    "The owner who pays the unit's fees on date, if it has one"
    UnitFee = Pool().get('kefu.unit.fee')
    try:
        with without_check_access():
            return UnitFee(unit=unit, payer=None).get_payer(date)
    except ChargeError:
        return None
