# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the fees, for `make demo` (the hook is described in
kefu_base/demo.py).

The demo company gets the Kefu chart of accounts through Tryton's own
create-chart wizard (when it has no chart yet), the fiscal years of last
year and this year with their monthly periods and bill sequences, a 30-day
payment term, the fee settings of the configuration and the Kefu dunning
procedure as default (also of the parties made before).  The estates bill
the fees of a real estate: 物业服务费 per m² (homes 2.50, shops 4.80, 6%
VAT), 垃圾清运费 10 a month, 停车费 300 a month billed quarterly for the
parking spaces, and water and electricity collected on behalf (4.10 and
0.58 a unit, with their tiers), read on the first of every month on the
meters of the occupied pilot units and of a sample of the others.

Kefu went live for the fees at the start of this month (FULL_MONTHS): every
unit handed over pays from then, or from its first owner's day; a pilot of
PILOT_UNITS units has been billed on it for the whole year.  The twelve
monthly billing runs up to today are computed and posted through the run's
own batches, in-process rather than through the task queue.  Billing and
paying cost about 0.3 s of CPU a bill: a year of every unit would take
minutes (see FULL_MONTHS).

The payers pay as payers do: most every month, some every quarter, some
late, a few stopped paying or never paid (one of each in the pilot); at the counters
of both estates (前台A, 前台B) and to the home collection (上门收费), by
WeChat, Alipay, cash, card or transfer, through the desk payment of
kefu_fee (receipts, posted and reconciled moves), two of them paying ahead
(预收).  So the collection rate is about 90% for the older months and lower
for this one.  The last days of the counters and the home collection's
last day out are counted, approved by the supervisor and closed, one with
a cash shortage explained; today stays open.  The dunning run of every week
of the last eight months brings the arrears to every level of the Kefu
procedure, and the calls, letters, visits and legal steps are logged.

The deposit ledger (demo_deposit.py) has deposits of every kind and state,
taken at the counters before their days were closed, refunds asked for by
the front desk and approved and paid by finance, last month's bank
statement posted (demo_statement.py); the bank's file of the last two days
is left in var/demo/ for the accountant to import.  The finance login gets
Tryton's accounting, dunning, payment and statement groups.

ir.date's today follows the simulated day while the data is made, so that
post dates, paid dates and dunning dates are those of the story."""
import datetime as dt
from collections import defaultdict, namedtuple
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from trytond.modules.kefu_base.demo import create, demo_company
from trytond.pool import Pool
from trytond.transaction import Transaction

MONTHS = 12
# Kefu went live for the fees FULL_MONTHS ago: every unit's bills since
# then; PILOT_UNITS units were its pilot, billed the whole year.  On SQLite
# a bill costs about 0.12 s of CPU to bill and post, and paying it 0.2 s:
# a year of every unit would take 10 minutes at 200 units, each month
# more about 50 s at 200 units and 4 minutes at 1000.
FULL_MONTHS = 1
PILOT_UNITS = 20
# The most charges made by one bill_batch call or posted by one post_bills
# call.  On SQLite trytond checks the charges' exclusion constraint with
# one query nesting an OR per charge saved, which SQLite's parser refuses
# beyond about 80.
BATCH = 60
# Meters on the occupied pilot units, and on this share of the other
# occupied units (at most MAX_METERED)
METER_SHARE = 0.25
MAX_METERED = 120
READING_DAY = 1
# The dunning run of every week of that many last months
DUNNING_MONTHS = 8
CLOSED_DAYS = 5
CENT = Decimal('0.01')

FeeType = namedtuple('FeeType', [
        'code', 'name', 'kind', 'method', 'rate', 'periodicity', 'account',
        'tax', 'meter', 'usages', 'tiers'])
FEE_TYPES = [
    FeeType('WY', '物业服务费', 'service', 'per_area', '2.50', 'monthly',
        '600101', 'vat_6', None, {'residential'}, []),
    FeeType('SP', '物业服务费（商铺）', 'service', 'per_area', '4.80',
        'monthly', '600101', 'vat_6', None, {'commercial'}, []),
    FeeType('LJ', '垃圾清运费', 'garbage', 'fixed', '10', 'monthly',
        '600103', 'vat_6', None, {'residential', 'commercial'}, []),
    FeeType('TC', '停车费', 'parking', 'fixed', '300', 'quarterly',
        '600102', 'vat_6', None, {'parking'}, []),
    # 阶梯水价, 阶梯电价 (monthly thresholds)
    FeeType('SF', '代收水费', 'on_behalf', 'metered', '4.10', 'monthly',
        '224102', None, 'water', set(), [(22, '6.15'), (30, '8.20')]),
    FeeType('DF', '代收电费', 'on_behalf', 'metered', '0.58', 'monthly',
        '224103', None, 'electricity', set(),
        [(200, '0.63'), (400, '0.88')]),
    # Paid repairs (有偿维修): the price is the work order's
    FeeType('WX', '有偿维修费', 'paid_service', 'fixed', '1', 'monthly',
        '6051', 'vat_6', None, set(), []),
    ]
# Monthly consumption of a home (low, high) and the summer factor
CONSUMPTION = {'water': (8, 24, 1.2), 'electricity': (110, 380, 1.6)}
SUMMER = {6, 7, 8, 9}

# kind, name, account code
METHODS = [
    ('cash', '现金', '100101'),
    ('wechat', '微信支付', '101201'),
    ('alipay', '支付宝', '101202'),
    ('card', '银行卡', '101203'),
    ('transfer', '银行转账', '100201'),
    ]
METHOD_WEIGHTS = {
    'wechat': 42, 'alipay': 18, 'cash': 14, 'card': 10, 'transfer': 16}
# code, name, kind, estate code, the cashier's login
DESKS = [
    ('QTA', '前台A', 'counter', 'CH', 'frontdesk'),
    ('QTB', '前台B', 'counter', 'JX', 'specialist'),
    ('SM', '上门收费', 'home', 'CH', 'frontdesk'),
    ]
HOME_SHARE = 0.12
APPROVER = 'supervisor'

# How payers pay, by weight: every month (within days), every quarter,
# late by months, stopped paying at some month, never paid this year.
BEHAVIOURS = {
    'monthly': 60, 'quarterly': 18, 'late': 12, 'stopped': 7, 'never': 3}
CASH_SHORTAGE = Decimal(50)
SHORTAGE_NOTE = (
    "现金短款50元：收银员找零时多找给业主50元，经调取监控核实，"
    "已联系业主，业主同意下次缴费时退回。")

# The contacts logged at each level: method, login, answers
CONTACTS = {
    'phone': ('phone', 'supervisor', [
            "业主表示近期资金紧张，承诺月底前缴清。",
            "电话无人接听，已发送缴费提醒短信。",
            "业主称在外地出差，回来后到前台缴费。",
            "业主对物业服务有意见，已记录并转客服跟进。",
            ]),
    'letter': ('express', 'specialist', [
            "催缴函已通过顺丰快递寄出。",
            "催缴函已寄出，业主已签收。",
            ]),
    'visit': ('visit', 'manager', [
            "上门拜访，业主不在家，已在门上张贴缴费通知。",
            "上门面谈，业主承诺分期缴纳欠费。",
            ]),
    'legal': ('legal', 'manager', [
            "欠费逾期已久，已委托律师事务所发出律师函。",
            "已向人民法院提起诉讼，等待立案。",
            ]),
    }


def month_start(date):
    return date.replace(day=1)


class LockOnDemand(set):
    """The tables the transaction holds locked, which locks any table
    asked for.  Tryton 8 restarts a transaction to lock a table or rows
    (journal periods, strict sequences, the units and payers of a billing
    batch ...) before anything else; tools/kefu_demo.py runs every hook in
    one transaction it cannot restart, and nothing runs beside it."""

    def __init__(self, transaction):
        super().__init__(transaction._locked_tables)
        self.transaction = transaction

    def __contains__(self, table):
        if not super().__contains__(table):
            self.transaction.database.lock(
                self.transaction.connection, table)
            self.add(table)
        return True


@contextmanager
def locks_on_demand():
    transaction = Transaction()
    locked = transaction._locked_tables
    transaction._locked_tables = LockOnDemand(transaction)
    try:
        yield
    finally:
        transaction._locked_tables = locked | set(
            transaction._locked_tables)


def run_tasks():
    """Run the tasks queued in the transaction (an invoice paid by its
    reconciliation ...) as the dispatcher does after a request when there
    is no worker: tools/kefu_demo.py has no dispatcher"""
    Queue = Pool().get('ir.queue')
    tasks = Transaction().tasks
    while tasks:
        Queue(tasks.pop(0)).run()


def populate(options):
    "Create the fees' demo data; return False if it is already there"
    FeeTypeModel = Pool().get('kefu.fee.type')
    company = demo_company()
    if not company:
        return False
    with Transaction().set_context(active_test=False):
        if FeeTypeModel.search([
                    ('company', '=', company.id),
                    ('code', 'in', [f.code for f in FEE_TYPES]),
                    ]):
            return False
    # finance imports last month's bank statement in the story
    give_accounting_groups()
    builder = FeeBuilder(options, company)
    builder.build()
    if builder.bank_file:
        print("kefu_fee: the bank's statement to import (工商银行基本户, "
            "国内银行流水): %s" % builder.bank_file, flush=True)
    return True


def give_accounting_groups():
    """The accountants post, approve and dun in Tryton's accounting screens
    too, approve and pay the deposit refunds (Tryton's payments) and import
    the bank statements: the finance login gets Tryton's groups of them"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    groups = [ModelData.get_id(*x.split('.')) for x in [
            'account.group_account', 'account_dunning.group_dunning',
            'account_payment.group_payment',
            'account_payment.group_payment_approval',
            'account_statement.group_statement']]
    users = User.search([('login', '=', 'finance')])
    for user in users:
        user.groups = list(user.groups) + [
            g for g in groups if g not in {x.id for x in user.groups}]
    User.save(users)


class FeeBuilder:
    "Builds the fees' year: accounting setup, bills, payments, dunnings"

    def __init__(self, options, company):
        self.options = options
        self.company = company
        self.today = options.today
        self.rng = options.random('kefu_fee')
        self.clock = self.today
        first = month_start(self.today) - relativedelta(months=MONTHS - 1)
        self.months = [first + relativedelta(months=i) for i in range(MONTHS)]

    def build(self):
        from .demo_deposit import DepositBuilder
        pool = Pool()
        Date = pool.get('ir.date')
        with locks_on_demand(), \
                patch.object(Date, 'today', self.simulated_today), \
                Transaction().set_context(
                    company=self.company.id, _skip_warnings=True,
                    # the texts the module writes (bills, moves) in the
                    # staff's language, as when they click
                    language='zh_CN'):
            self.setup_accounting()
            self.users = self.demo_users()
            self.fee_types = self.create_fee_types()
            self.configure_repairs(self.fee_types['WX'])
            self.units = self.billed_units()
            self.create_addresses(self.units)
            self.meters = self.create_meters(self.units)
            self.create_unit_fees(self.units, self.meters)
            self.bill_repairs()
            self.bill()
            self.desks = self.create_desks()
            self.take_payments()
            self.deposits = DepositBuilder(self)
            self.deposits.build()
            self.close_days()
            self.run_dunnings()
            self.bank_file = self.deposits.write_bank_file()
        return True

    def simulated_today(self, timezone=None):
        return self.clock

    # Accounting

    def setup_accounting(self):
        self.check_currency()
        self.accounts = self.chart()
        for year in (self.today.year - 1, self.today.year):
            self.fiscal_year(year)
        self.configure()

    def check_currency(self):
        if self.company.currency.code != 'CNY':
            raise ValueError(
                "the demo company's currency is %s, not CNY"
                % self.company.currency.code)

    def chart(self):
        "The accounts of the company by code, the Kefu chart made if none"
        Account = Pool().get('account.account')
        if not Account.search([('company', '=', self.company.id)], limit=1):
            self.create_chart()
        return {a.code: a for a in Account.search([
                    ('company', '=', self.company.id),
                    ('code', '!=', None),
                    ])}

    def create_chart(self):
        "Run Tryton's create-chart wizard with the Kefu template"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Template = pool.get('account.account.template')
        CreateChart = pool.get('account.create_chart', type='wizard')
        session_id, _, _ = CreateChart.create()
        wizard = CreateChart(session_id)
        wizard.account.account_template = Template(
            ModelData.get_id('kefu_fee', 'account_template_root'))
        wizard.account.company = self.company
        wizard.transition_create_account()
        # The receivable and payable accounts the wizard proposes
        properties = wizard.states['properties'].get_defaults(
            wizard, 'properties', list(wizard.properties._fields))
        for name, value in properties.items():
            if '.' not in name:  # not the rec_names of the client
                setattr(wizard.properties, name, value)
        wizard.transition_create_properties()
        CreateChart.delete(session_id)

    def tax(self, name):
        "The company's tax made from the Kefu template tax_<name>"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Tax = pool.get('account.tax')
        taxes = Tax.search([
                ('company', '=', self.company.id),
                ('template', '=', ModelData.get_id('kefu_fee', 'tax_' + name)),
                ], limit=1)
        return taxes[0] if taxes else None

    def fiscal_year(self, year):
        "The fiscal year of year with its months and sequences, made if none"
        FiscalYear = Pool().get('account.fiscalyear')
        start = dt.date(year, 1, 1)
        if FiscalYear.search([
                    ('company', '=', self.company.id),
                    ('start_date', '<=', start),
                    ('end_date', '>=', start),
                    ], limit=1):
            return
        move_sequence = self.sequence(
            '凭证 %s' % year, ('account', 'sequence_type_account_move'),
            '%s-' % year)
        invoice_type = ('account_invoice', 'sequence_type_account_invoice')
        sequences = {
            'out_invoice_sequence': self.sequence(
                '账单 %s' % year, invoice_type, 'ZD%s-' % year),
            'out_credit_note_sequence': self.sequence(
                '红字账单 %s' % year, invoice_type, 'HZ%s-' % year),
            'in_invoice_sequence': self.sequence(
                '供应商发票 %s' % year, invoice_type, 'GY%s-' % year),
            'in_credit_note_sequence': self.sequence(
                '供应商红字发票 %s' % year, invoice_type, 'GH%s-' % year),
            }
        fiscal_year, = FiscalYear.create([{
                    'name': '%s年度' % year,
                    'start_date': start,
                    'end_date': dt.date(year, 12, 31),
                    'company': self.company.id,
                    'move_sequence': move_sequence.id,
                    'invoice_sequences': [('create', [{
                                    'company': self.company.id,
                                    **{k: s.id for k, s in sequences.items()},
                                    }])],
                    }])
        FiscalYear.create_period([fiscal_year])

    def sequence(self, name, sequence_type, prefix):
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        ModelData = pool.get('ir.model.data')
        sequence, = Sequence.create([{
                    'name': name,
                    'sequence_type': ModelData.get_id(*sequence_type),
                    'company': self.company.id,
                    'prefix': prefix,
                    'padding': 6,
                    }])
        return sequence

    def configure(self):
        "The bills' journal and term, the close's accounts, the dunnings"
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        AccountConfiguration = pool.get('account.configuration')
        ModelData = pool.get('ir.model.data')
        Journal = pool.get('account.journal')
        self.revenue_journal = Journal(
            ModelData.get_id('account', 'journal_revenue'))
        self.cash_journal = Journal(ModelData.get_id('account', 'journal_cash'))
        config = Configuration(1)
        config.fee_journal = self.revenue_journal
        config.payment_term = self.payment_term()
        config.cash_journal = self.cash_journal
        config.cash_difference_account = self.accounts['1901']
        config.cash_in_transit_account = self.accounts['101299']
        config.prepayment_account = self.accounts['2203']
        config.save()
        procedure = ModelData.get_id('kefu_fee', 'dunning_procedure_kefu')
        account_config = AccountConfiguration(1)
        if not account_config.default_dunning_procedure:
            account_config.default_dunning_procedure = procedure
            account_config.save()
        # The parties made before kept the empty default of their time
        PartyProcedure = pool.get('party.party.dunning_procedure')
        PartyProcedure.write(PartyProcedure.search([
                    ('dunning_procedure', '=', None),
                    ]), {'dunning_procedure': procedure})

    def payment_term(self):
        PaymentTerm = Pool().get('account.invoice.payment_term')
        term, = PaymentTerm.create([{
                    'name': '30天',
                    'description': '账单日起30天内缴清',
                    'lines': [('create', [{
                                    'type': 'remainder',
                                    'relativedeltas': [('create', [{
                                                    'days': 30,
                                                    }])],
                                    }])],
                    }])
        return term

    def demo_users(self):
        "kefu_base's demo users by login"
        from trytond.modules.kefu_base.demo import USERS
        User = Pool().get('res.user')
        return {u.login: u for u in User.search([
                    ('login', 'in', [u[0] for u in USERS]),
                    ])}

    # Fees, units and meters

    def create_fee_types(self):
        pool = Pool()
        FeeTypeModel = pool.get('kefu.fee.type')
        vlist = []
        for fee in FEE_TYPES:
            tax = self.tax(fee.tax) if fee.tax else None
            vlist.append({
                    'company': self.company.id,
                    'code': fee.code,
                    'name': fee.name,
                    'kind': fee.kind,
                    'method': fee.method,
                    'rate': Decimal(fee.rate),
                    'periodicity': fee.periodicity,
                    'account': self.accounts[fee.account].id,
                    'tax': tax.id if tax else None,
                    'meter_kind': fee.meter,
                    'tiers': [('create', [{
                                    'quantity_from': Decimal(q),
                                    'rate': Decimal(r),
                                    } for q, r in fee.tiers])],
                    })
        records = FeeTypeModel.create(vlist)
        return {f.code: r for f, r in zip(FEE_TYPES, records)}

    def configure_repairs(self, fee_type):
        "Paid repairs billed as fee_type when kefu_ticket is activated"
        Configuration = Pool().get('kefu.configuration')
        if 'repair_fee_type' in Configuration._fields:
            config = Configuration(1)
            config.repair_fee_type = fee_type
            config.save()

    def billed_units(self):
        """{unit: first day billed} of the units handed over: the go-live
        month of their building, or their first owner's day when later"""
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Ownership = pool.get('kefu.unit.ownership')
        units = Unit.search([
                ('estate.company', '=', self.company.id),
                ('delivery_state', '=', 'handed_over'),
                ], order=[('estate', 'ASC'), ('code_sort', 'ASC')])
        first = {}
        for ownership in Ownership.search([
                    ('unit', 'in', [u.id for u in units]),
                    ], order=[('date_from', 'ASC')]):
            first.setdefault(ownership.unit, ownership.date_from)
        units = [u for u in units if u in first and first[u] <= self.today]
        go_live = self.months[-FULL_MONTHS]
        veterans = [u for u in units if first[u] <= self.months[0]]
        self.pilots = set(self.rng.sample(
                veterans, min(PILOT_UNITS, len(veterans))))
        return {u: self.months[0] if u in self.pilots
            else max(go_live, first[u]) for u in units}

    def create_addresses(self, units):
        """An address for the owners without one: a bill needs one; the
        owner's unit is where the bills go"""
        pool = Pool()
        Ownership = pool.get('kefu.unit.ownership')
        Address = pool.get('party.address')
        ownerships = Ownership.search([
                ('unit', 'in', [u.id for u in units]),
                ('party.addresses', '=', None),
                ], order=[('date_from', 'DESC'), ('id', 'ASC')])
        vlist, seen = [], set()
        for ownership in ownerships:
            if ownership.party in seen:
                continue
            seen.add(ownership.party)
            unit = ownership.unit
            vlist.append({
                    'party': ownership.party.id,
                    'street_unstructured': '%s %s%s' % (
                        unit.estate.address, unit.estate.name, unit.code),
                    'city': '深圳市',
                    })
        create(Address, vlist)

    def create_meters(self, units):
        """Water and electricity meters of the occupied pilot units and of
        a sample of the others, read on the first of every month from the
        month before they are billed; {unit: {kind: meter}}"""
        pool = Pool()
        Meter = pool.get('kefu.meter')
        candidates = [u for u, start in units.items()
            if u.occupancy == 'occupied' and u.usage != 'parking'
            and start in self.months]
        others = [u for u in candidates if u not in self.pilots]
        count = min(MAX_METERED, int(len(others) * METER_SHARE))
        sample = sorted(
            [u for u in candidates if u in self.pilots]
            + self.rng.sample(others, count), key=lambda u: u.id)
        vlist = []
        for unit in sample:
            for kind in CONSUMPTION:
                vlist.append({
                        'unit': unit.id,
                        'kind': kind,
                        'number': '%s%08d' % (
                            kind[0].upper(), self.rng.randint(0, 10 ** 8 - 1)),
                        })
        meters = defaultdict(dict)
        for meter in create(Meter, vlist):
            meters[meter.unit][meter.kind] = meter
        self.create_readings(meters, units)
        return meters

    def create_readings(self, meters, units):
        "The readings month by month, one meter replaced in the year"
        Reading = Pool().get('kefu.meter.reading')
        first = {m: units[u] - relativedelta(months=1)
            for u, kinds in meters.items() for m in kinds.values()}
        values = {m: Decimal(self.rng.randint(100, 5000)) for m in first}
        pilots = [m for m in first if m.unit in self.pilots]
        replaced = self.rng.choice(pilots) if pilots else None
        dates = [self.months[0] - relativedelta(months=1)] + self.months
        for date in (d.replace(day=READING_DAY) for d in dates):
            vlist = []
            for meter in values:
                if date < first[meter]:
                    continue
                if date > first[meter]:
                    values[meter] += self.consumption(meter, date)
                reading = {'meter': meter.id, 'date': date,
                    'value': values[meter]}
                if meter == replaced and date == self.months[MONTHS // 2]:
                    reading.update(self.replacement(values[meter]))
                    values[meter] = reading['value']
                vlist.append(reading)
            create(Reading, vlist)

    def consumption(self, meter, date):
        "The consumption of the month before date"
        low, high, summer = CONSUMPTION[meter.kind]
        used = self.rng.uniform(low, high)
        if (date - relativedelta(months=1)).month in SUMMER:
            used *= summer
        if meter.unit.usage == 'commercial':
            used *= 3
        return Decimal(used).quantize(Decimal('0.1'))

    def replacement(self, old_value):
        "A reading of a meter replaced since the last: a new one from 0"
        new_start = Decimal(0)
        used_on_new = Decimal(self.rng.randint(2, 9))
        return {
            'replaced': True,
            'old_value': old_value,
            'new_start': new_start,
            'value': new_start + used_on_new,
            }

    def create_unit_fees(self, units, meters):
        UnitFee = Pool().get('kefu.unit.fee')
        vlist = []
        for unit, start in units.items():
            for fee in FEE_TYPES:
                if fee.meter:
                    meter = meters.get(unit, {}).get(fee.meter)
                    if not meter:
                        continue
                elif unit.usage not in fee.usages:
                    continue
                else:
                    meter = None
                vlist.append({
                        'company': self.company.id,
                        'unit': unit.id,
                        'fee_type': self.fee_types[fee.code].id,
                        'date_from': start,
                        'meter': meter.id if meter else None,
                        })
        create(UnitFee, vlist)

    # Billing

    def bill_repairs(self):
        """The paid repairs of kefu_ticket's demo checked before the fees
        were set up: on this month's bills"""
        pool = Pool()
        try:
            WorkOrder = pool.get('kefu.work_order')
        except KeyError:
            return
        if not hasattr(WorkOrder, 'bill_repairs'):
            return
        orders = [o for o in WorkOrder.search([
                    ('state', '=', 'checked'),
                    ('warranty', '=', 'paid'),
                    ('price', '>', 0),
                    ('unit', 'in', [u.id for u in self.units]),
                    ], order=[('id', 'ASC')])
            if not o.fee_charge]
        if orders:
            self.clock = self.months[-1]
            WorkOrder.bill_repairs(orders)

    def bill(self):
        "The monthly billing runs, each computed and posted in batches"
        pool = Pool()
        Estate = pool.get('kefu.estate')
        estates = Estate.search([('company', '=', self.company.id)])
        for month in self.months:
            self.clock = month
            self.bill_month(month, estates)

    def bill_month(self, month, estates):
        pool = Pool()
        BillingRun = pool.get('kefu.billing.run')
        Charge = pool.get('kefu.fee.charge')
        Invoice = pool.get('account.invoice')
        run, = BillingRun.create([{
                    'company': self.company.id,
                    'month': month,
                    'invoice_date': month,
                    'estates': [('add', [e.id for e in estates])],
                    }])
        # What compute() and post() do, without the task queue
        BillingRun.write([run], {'state': 'computing'})
        for unit_ids in self.batches(run.pending()):
            BillingRun.bill_batch([run], unit_ids)
        run = BillingRun(run.id)
        if run.state == 'computing':
            BillingRun.finish_compute([run])
        BillingRun.write([run], {'state': 'posting'})
        charges = Charge.search([('billing_run', '=', run.id)])
        pending = [(c.invoice.id, c.id) for c in charges
            if c.invoice.state == 'draft']
        for invoice_ids in self.batches(pending):
            BillingRun.post_bills(Invoice.browse(invoice_ids))
        BillingRun.finish_post([run])
        run_tasks()

    @staticmethod
    def batches(pairs):
        """The keys of the (key, charge or unit fee) pairs, in batches of
        at most BATCH charges"""
        per_key = defaultdict(int)
        for key, _ in pairs:
            per_key[key] += 1
        batch, size = [], 0
        for key, count in per_key.items():
            if batch and size + count > BATCH:
                yield batch
                batch, size = [], 0
            batch.append(key)
            size += count
        if batch:
            yield batch

    # Payments

    def create_desks(self):
        """The counters of both estates and the home collection, each
        taking cash, WeChat, Alipay, cards and transfers"""
        pool = Pool()
        Desk = pool.get('kefu.fee.desk')
        Estate = pool.get('kefu.estate')
        methods = self.payment_methods()
        estates = {e.code: e for e in Estate.search([
                    ('company', '=', self.company.id)])}
        desks = Desk.create([{
                    'company': self.company.id,
                    'code': code,
                    'name': name,
                    'kind': kind,
                    'estate': estates[estate].id,
                    'methods': [('create', [{
                                    'kind': k,
                                    'payment_method': methods[k].id,
                                    } for k, _, _ in METHODS])],
                    } for code, name, kind, estate, _ in DESKS
                if estate in estates])
        return {d.code: d for d in desks}

    def payment_methods(self):
        PaymentMethod = Pool().get('account.invoice.payment.method')
        records = PaymentMethod.create([{
                    'company': self.company.id,
                    'name': name,
                    'journal': self.cash_journal.id,
                    'debit_account': self.accounts[code].id,
                    'credit_account': self.accounts[code].id,
                    } for _, name, code in METHODS])
        return {k: r for (k, _, _), r in zip(METHODS, records)}

    def take_payments(self):
        "Every payer's payments of the year, day after day, at the desks"
        from .payment import take_payment
        Invoice = Pool().get('account.invoice')
        payments = sorted(self.plan_payments(), key=lambda p: (p[0], p[2]))
        self.paid_days = defaultdict(set)
        for date, desk_code, _, party, unit, kind, ids, extra in payments:
            ids = [i for i in ids if self.open[i]]
            owed = sum(self.open[i] for i in ids)
            amount = owed + extra if extra >= 0 else max(owed + extra, CENT)
            if amount <= 0:
                continue
            self.clock = date
            with Transaction().set_user(self.cashier(desk_code).id):
                take_payment(self.desks[desk_code], date, unit, party, kind,
                    amount, Invoice.browse(ids), keep_excess=extra > 0)
            run_tasks()
            self.paid_days[desk_code].add(date)
            for invoice_id in ids:  # oldest first, as take_payment pays
                part = min(amount, self.open[invoice_id])
                self.open[invoice_id] -= part
                amount -= part
        self.clock = self.today

    def cashier(self, desk_code):
        login = {d[0]: d[4] for d in DESKS}[desk_code]
        return self.users[login]

    def payers(self):
        """{(party, unit): [(bill date, invoice id)]} of the posted bills:
        a payer pays for each unit of theirs"""
        Charge = Pool().get('kefu.fee.charge')
        bills = defaultdict(set)
        # What each bill asks, kept here as amount_to_pay costs queries: its
        # charges' amounts, tax included
        self.open = defaultdict(Decimal)
        for charge in Charge.search([
                    ('company', '=', self.company.id),
                    ('state', '=', 'posted'),
                    ], order=[('unit', 'ASC'), ('id', 'ASC')]):
            bills[charge.payer, charge.invoice].add(charge.unit)
            self.open[charge.invoice.id] += charge.amount
        payers = defaultdict(list)
        for (party, invoice), units in bills.items():
            unit = min(units, key=lambda u: u.id)
            payers[party, unit].append((invoice.invoice_date, invoice.id))
        return {k: sorted(v) for k, v in sorted(
                payers.items(), key=lambda i: (i[0][1].id, i[0][0].id))}

    def plan_payments(self):
        """(date, desk, order, party, unit, method kind, invoice ids, extra
        amount) of every payment: extra > 0 is kept as prepayment, < 0 is
        a payment short of what is owed"""
        rng = self.rng
        payments = []
        prepayers = 2
        payers = self.payers()
        behaviours = self.behaviours(payers)
        for order, ((party, unit), bills) in enumerate(payers.items()):
            behaviour = behaviours[party, unit]
            desk = self.plan_desk(unit)
            kind = rng.choices(
                list(METHOD_WEIGHTS), list(METHOD_WEIGHTS.values()))[0]
            for date, ids in getattr(self, 'plan_' + behaviour)(bills):
                if date > self.today:
                    continue
                extra = Decimal(0)
                if behaviour == 'late' and rng.random() < 0.1:
                    extra = -Decimal(rng.randint(1, 9) * 10)
                if (prepayers and behaviour == 'monthly'
                        and (self.today - date).days < 10):
                    prepayers -= 1
                    extra = Decimal(500)
                if rng.random() > 0.8:
                    kind = rng.choices(list(METHOD_WEIGHTS),
                        list(METHOD_WEIGHTS.values()))[0]
                payments.append(
                    (date, desk, order, party, unit, kind, ids, extra))
        return payments

    def behaviours(self, payers):
        """How each payer pays.  The pilot's payers, billed since the
        year's start, are few: one never paid and one stopped, so that the
        arrears reach every dunning level, and the others pay"""
        rng = self.rng
        behaviours = {k: rng.choices(
                list(BEHAVIOURS), list(BEHAVIOURS.values()))[0]
            for k in payers}
        veterans = [k for k, bills in payers.items()
            if bills[0][0] == self.months[0]]
        paying = [b for b in BEHAVIOURS if b not in {'stopped', 'never'}]
        for key in veterans:
            behaviours[key] = rng.choices(
                paying, [BEHAVIOURS[b] for b in paying])[0]
        for key, behaviour in zip(
                rng.sample(veterans, min(2, len(veterans))),
                ['never', 'stopped']):
            behaviours[key] = behaviour
        return behaviours

    def plan_desk(self, unit):
        if unit.estate.code == 'JX':
            return 'QTB'
        return 'SM' if self.rng.random() < HOME_SHARE else 'QTA'

    def days_after(self, date, low, high):
        return date + dt.timedelta(days=self.rng.randint(low, high))

    def plan_monthly(self, bills):
        "Every bill within weeks, a few together with the next"
        waiting = []
        for date, invoice in bills:
            waiting.append(invoice)
            if self.rng.random() < 0.1 and invoice != bills[-1][1]:
                continue
            # Most pay in the first days, some after the due date
            days = self.rng.choice([(0, 10), (0, 10), (5, 25), (20, 50)])
            yield self.days_after(date, *days), waiting
            waiting = []

    def plan_quarterly(self, bills):
        "Everything open every three months"
        offset = self.rng.randint(0, 2)
        waiting = []
        for index, (date, invoice) in enumerate(bills):
            waiting.append(invoice)
            if (index + offset) % 3 == 2:
                yield self.days_after(date, 0, 20), waiting
                waiting = []

    def plan_late(self, bills):
        "Everything open but the last bill, every two to four months"
        waiting, due = [], self.rng.randint(2, 4)
        for date, invoice in bills:
            if len(waiting) >= due:
                yield self.days_after(date, 10, 40), waiting
                waiting, due = [], self.rng.randint(2, 4)
            waiting.append(invoice)

    def plan_stopped(self, bills):
        "Every month until some month, then nothing"
        stop = self.rng.randint(1, max(1, len(bills) - 4))
        yield from self.plan_monthly(bills[:stop])

    def plan_never(self, bills):
        return []

    # Daily close

    def close_days(self):
        """The last days of the counters and the home collection's last day
        out closed: counted, banked, approved by the supervisor; one cash
        shortage explained.  Today stays open."""
        shortage = True
        for code, _, kind, _, _ in DESKS:
            days = sorted(d for d in self.paid_days[code] if d < self.today)
            if code not in self.desks:
                continue
            for date in days[-(CLOSED_DAYS if kind == 'counter' else 1):]:
                self.clock = date
                close = self.close_day(self.desks[code], date, shortage)
                shortage = shortage and not close.has_difference
        self.clock = self.today

    def close_day(self, desk, date, shortage):
        pool = Pool()
        CashClose = pool.get('kefu.cash.close')
        Line = pool.get('kefu.cash.close.line')
        cashier = self.cashier(desk.code)
        close, = CashClose.create([{
                    'company': self.company.id,
                    'desk': desk.id,
                    'date': date,
                    'cashier': cashier.employee.id,
                    }])
        for line in close.lines:
            line.counted = line.expected
            if line.kind == 'cash':
                if shortage and line.expected >= CASH_SHORTAGE:
                    line.counted -= CASH_SHORTAGE
                    close.explanation = SHORTAGE_NOTE
                line.banked = line.counted
        Line.save(close.lines)
        close.save()
        with Transaction().set_user(cashier.id):
            CashClose.count([close])
        with Transaction().set_user(self.users[APPROVER].id):
            CashClose.approve([close])
            CashClose.close([close])
        return CashClose(close.id)

    # Dunning

    def run_dunnings(self):
        """The weekly dunning run of the last months up to today, then the
        contacts of each dunning logged"""
        Dunning = Pool().get('account.dunning')
        day = self.today - relativedelta(months=DUNNING_MONTHS)
        days = []
        while day < self.today:
            days.append(day)
            day += dt.timedelta(days=7)
        days.append(self.today)
        for day in days:
            self.clock = day
            Dunning.kefu_run()
        self.clock = self.today
        self.log_contacts(Dunning.search([
                    ('company', '=', self.company.id),
                    ('state', 'in', ['waiting', 'final']),
                    ], order=[('id', 'ASC')]))

    def log_contacts(self, dunnings):
        "What the staff did at every level each dunning went through"
        pool = Pool()
        Contact = pool.get('kefu.dunning.contact')
        vlist = []
        for dunning in dunnings:
            for level in dunning.procedure.levels:
                action = level.kefu_action
                if action in CONTACTS:
                    vlist.append(self.contact(dunning, level))
                if level == dunning.level:
                    break
        create(Contact, vlist)

    def contact(self, dunning, level):
        method, login, answers = CONTACTS[level.kefu_action]
        maturity = dunning.line.maturity_date
        date = maturity + level.overdue + dt.timedelta(
            days=self.rng.randint(0, 6))
        date = min(date, self.today)
        values = {
            'dunning': dunning.id,
            'date': dt.datetime.combine(date, dt.time(
                    self.rng.randint(1, 9), self.rng.choice([0, 15, 30, 45]))),
            'employee': self.users[login].employee.id,
            'method': method,
            'answer': self.rng.choice(answers),
            }
        if method == 'express':
            values['tracking_number'] = 'SF%012d' % self.rng.randint(
                0, 10 ** 12 - 1)
        return values
