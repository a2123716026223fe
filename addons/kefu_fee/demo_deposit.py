# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the deposit ledger (押金台账), built by FeeBuilder.build()
before the desks' last days are closed: a deposit taken at a desk is
counted in that desk's daily close.

The settings: the deposits held on 224101 其他应付款-押金及保证金, the
mortgage guarantees on 122101 其他应收款-按揭保证金 placed from the bank
100201, their moves in the journal 押金, the refunds paid through the
payment journal 押金退款 (processed by hand, cleared on 101204 其他货币资金-
付款清算 in the journal 银行), payments numbered FK000001 …, and four
deduction reasons.

The story, day by day up to yesterday (nothing is taken today: today's
counter stays the cashier's): renovations of both estates with the owner's
deposit and the contractor's (1,000 each) and the workers' passes (20
each), some going on, some accepted and refunded, some with deductions
(a lost pass, a lost permit, a violation, public property damaged); key
deposits of contractors; a venue deposit; refunds requested by the front
desk (翠湖花园) or the supervisor (锦绣华庭) and waiting for finance,
approved, being paid, paid and matched with the bank statement (the
deposit closed and reconciled), one withdrawn; a receipt recorded twice
and reversed; an application withdrawn before paying (cancelled); refunds
late and due today; the mortgage guarantees of four loans placed with
three banks, one of them released.  The refunds paid before are matched
by the bank statement imported a month ago (see demo_statement.py); those
being paid are in the bank file the demo leaves to import."""
import datetime as dt
from decimal import Decimal
from itertools import cycle, groupby

from trytond.pool import Pool
from trytond.transaction import Transaction

RENOVATION = 1000
WORKER_PASS = 20
KEY = 200
# code: name, account code, Kefu tax template, default amount.  Fines and
# compensations are 营业外收入 without VAT; repairing what was damaged is a
# service the company charges, with its VAT.
REASONS = {
    'lost_pass': ('丢失施工证', '6301', None, 100),
    'lost_permit': ('丢失施工许可证', '6301', None, 100),
    'violation': ('违规装修', '6301', None, None),
    'damage': ('损坏公共设施', '6051', 'vat_6', None),
    }
CONTRACTORS = [
    '深圳市美家装饰工程有限公司', '深圳市匠心装饰设计工程有限公司',
    '深圳市鸿福建筑装饰工程有限公司', '深圳市华艺装饰工程有限公司',
    '深圳市居然之家装饰工程有限公司', '深圳市安居装饰工程有限公司',
    ]
WORKERS = [
    '李建军', '王海涛', '张志刚', '刘国强', '陈永德', '杨振华', '赵东平',
    '黄俊杰', '周文斌', '吴家明', '孙德林', '马春生',
    ]
# name, prefix of the guarantee references
BANKS = [
    ('中国工商银行深圳南山支行', 'GHNS'),
    ('中国建设银行深圳龙岗支行', 'JHLG'),
    ('招商银行深圳科技园支行', 'ZHKJ'),
    ]
# The first digits of the personal and company accounts refunds go to
PERSONAL_ACCOUNTS = ['6222 0240', '6217 0072', '6225 8812']
# who takes the money and asks for refunds at each estate (a login in
# the estate, with the groups of the deposit's buttons), at which desk
STAFF = {'CH': ('frontdesk', 'QTA'), 'JX': ('supervisor', 'QTB')}
DEDUCTOR = 'supervisor'
GUARANTOR = 'titledeed'
FINANCE = 'finance'
# The bank statement of the refunds paid last month was imported that
# many days ago
PREVIOUS_STATEMENT = 29

RECEIVE, REQUEST, DECIDE, PAY, STATEMENT = range(5)


class Story:
    """What happens to one deposit: each step so many days before today,
    the steps of a day in the order the desk and finance do them"""

    def __init__(self, kind, site, party, unit=None, **values):
        self.kind = kind
        self.site = site
        self.party = party
        self.unit = unit
        self.values = values
        self.steps = []
        self.deposit = None
        self.receipts = []
        self.refund = None
        self.bank_day = None
        self.account = None

    def _step(self, days, phase, action, *args):
        self.steps.append((days, phase, action, args))
        return self

    def receive(self, days, amount, method='cash'):
        return self._step(days, RECEIVE, 'receive', Decimal(amount), method)

    def deduct(self, days, reason, text, amount=None):
        return self._step(days, RECEIVE, 'deduct', reason, text,
            None if amount is None else Decimal(amount))

    def reverse(self, days):
        "Reverse the last receipt (recorded twice by mistake)"
        return self._step(days, DECIDE, 'reverse')

    def request(self, days, text=None):
        "Ask for the refund of what is left"
        return self._step(days, REQUEST, 'request', text)

    def approve(self, days):
        return self._step(days, DECIDE, 'approve')

    def withdraw(self, days):
        "Cancel the refund requested"
        return self._step(days, DECIDE, 'withdraw')

    def pay(self, days, bank_days=None):
        """Send the refund to be paid; the bank shows it bank_days before
        today (the day after by default)"""
        self.bank_day = days - 1 if bank_days is None else bank_days
        return self._step(days, PAY, 'pay')

    def release(self, days, amount):
        return self._step(days, RECEIVE, 'release', Decimal(amount))

    def create(self, days):
        "Record the deposit before any money comes"
        return self._step(days, RECEIVE, 'create')

    def cancel(self, days):
        return self._step(days, DECIDE, 'cancel')


class DepositBuilder:
    "Builds the deposit ledger's settings and story on the fees' demo"

    def __init__(self, fee):
        self.fee = fee
        self.company = fee.company
        self.today = fee.today
        self.rng = fee.options.random('kefu_fee.deposit')
        self.paid = []  # the stories whose refund is being paid or paid
        self.statements = None
        self.accounts = {}  # party: bank account number

    def build(self):
        self.configure()
        self.reasons = self.create_reasons()
        self.sites = self.estate_sites()
        # Both estates tell the story; a register too small to have homes
        # billed in both gets no deposits
        if set(self.sites) != set(STAFF):
            return
        self.stories = self.plan()
        self.run(self.stories)

    def date(self, days):
        return self.today - dt.timedelta(days=days)

    def user(self, login):
        return Transaction().set_user(self.fee.users[login].id)

    # Settings

    def configure(self):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        accounts = self.fee.accounts
        deposit_journal, self.bank_journal = self.journals()
        config = Configuration(1)
        config.deposit_account = accounts['224101']
        config.guarantee_account = accounts['122101']
        config.guarantee_bank_account = accounts['100201']
        config.deposit_journal = deposit_journal
        config.deposit_payment_journal = self.payment_journal()
        config.save()
        self.payment_sequence()

    def journals(self):
        Journal = Pool().get('account.journal')
        return Journal.create([
                {'name': '押金', 'code': 'YJ', 'type': 'general'},
                {'name': '银行', 'code': 'YH', 'type': 'cash'},
                ])

    def payment_journal(self):
        PaymentJournal = Pool().get('account.payment.journal')
        journal, = PaymentJournal.create([{
                    'name': '押金退款',
                    'company': self.company.id,
                    'currency': self.company.currency.id,
                    'process_method': 'manual',
                    'clearing_account': self.fee.accounts['101204'].id,
                    'clearing_journal': self.bank_journal.id,
                    }])
        return journal

    def payment_sequence(self):
        """The payments' own numbers (FK000001): the refund's number is what
        the bank shows in its memo"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        sequence, = Sequence.create([{
                    'name': '付款',
                    'sequence_type': ModelData.get_id(
                        'account_payment', 'sequence_type_account_payment'),
                    'company': self.company.id,
                    'prefix': 'FK',
                    'padding': 6,
                    }])
        config = Configuration(1)
        config.payment_sequence = sequence
        config.save()

    def create_reasons(self):
        Reason = Pool().get('kefu.deposit.reason')
        vlist = []
        for name, code, tax, amount in REASONS.values():
            tax = self.fee.tax(tax) if tax else None
            vlist.append({
                    'name': name,
                    'company': self.company.id,
                    'account': self.fee.accounts[code].id,
                    'tax': tax.id if tax else None,
                    'amount': Decimal(amount) if amount else None,
                    })
        return dict(zip(REASONS, Reason.create(vlist)))

    # The parties

    def estate_sites(self):
        """{estate code: (estate, desk, [(unit, owner)])}: the occupied homes
        of each estate billed by the fees, in a random order"""
        Ownership = Pool().get('kefu.unit.ownership')
        homes = sorted((u for u in self.fee.units
                if u.usage == 'residential' and u.occupancy == 'occupied'),
            key=lambda u: u.id)
        owners = {}
        for ownership in Ownership.search(Ownership.current_domain(
                    [u.id for u in homes], date=self.today),
                order=[('share', 'DESC'), ('id', 'ASC')]):
            owners.setdefault(ownership.unit, ownership.party)
        sites = {}
        for code, (_, desk) in STAFF.items():
            units = [(u, owners[u]) for u in homes
                if u.estate.code == code and u in owners]
            if units and desk in self.fee.desks:
                sites[code] = (units[0][0].estate, self.fee.desks[desk],
                    self.rng.sample(units, len(units)))
        return sites

    def parties(self, names):
        "The parties of names, made when there is none of that name"
        Party = Pool().get('party.party')
        found = {p.name: p for p in Party.search([('name', 'in', names)])}
        missing = [n for n in names if n not in found]
        for party in Party.create([{'name': n} for n in missing]):
            found[party.name] = party
        return [found[n] for n in names]

    def bank_account(self, party):
        "The bank account number of the party refunds go to"
        if party not in self.accounts:
            if party.name in CONTRACTORS:
                head = '4000 0230'
            else:
                head = self.rng.choice(PERSONAL_ACCOUNTS)
            self.accounts[party] = head + ' %04d %04d %03d' % (
                self.rng.randint(0, 9999), self.rng.randint(0, 9999),
                self.rng.randint(0, 999))
        return self.accounts[party]

    # The story

    def plan(self):
        "The stories of the deposits"
        # a contractor renovates several homes
        self.contractors = cycle(self.parties(CONTRACTORS))
        self.workers = cycle(self.parties(WORKERS))
        self.homes = {code: iter(units)
            for code, (_, _, units) in self.sites.items()}
        stories = []
        for method in [self.closed_renovation, self.going_renovation,
                self.late_renovations, self.paying_renovations,
                self.mistakes, self.keys_and_venues, self.guarantees]:
            stories.extend(method())
        return stories

    def home(self, code):
        "The next home of the estate (again from the first when all used)"
        try:
            return next(self.homes[code])
        except StopIteration:
            self.homes[code] = iter(self.sites[code][2])
            return next(self.homes[code])

    def renovation(self, code, passes=0, refund_due=None):
        """The owner's deposit, the contractor's and passes workers' of a
        renovation in the estate, due refund_due days before today"""
        unit, owner = self.home(code)
        site = self.sites[code]
        due = self.date(refund_due) if refund_due is not None else None
        what = '%s%s装修' % (site[0].name, unit.code)
        owner_story = Story('renovation_owner', site, owner, unit,
            refund_due=due, description=what + '押金（业主）')
        contractor = Story('renovation_contractor', site,
            next(self.contractors), unit, refund_due=due,
            description=what + '押金（施工单位）')
        workers = []
        for _ in range(passes):
            number = 'SG%s%04d' % (code, self.rng.randint(1, 9999))
            workers.append(Story('worker_pass', site, next(self.workers),
                    unit, reference=number,
                    description='%s 施工证 %s' % (what, number)))
        return owner_story, contractor, workers

    def closed_renovation(self):
        """翠湖花园: accepted a month ago, a permit lost, an elevator's
        panel scratched and a pass lost: refunded, paid, matched, closed"""
        owner, contractor, workers = self.renovation('CH', 2, 33)
        owner.receive(95, RENOVATION, 'wechat').deduct(
            40, 'lost_permit', "装修施工许可证遗失，按规定补办").request(33)
        contractor.receive(95, RENOVATION, 'transfer').deduct(
            60, 'damage', "搬运建材划伤3号电梯轿厢不锈钢壁板，更换壁板",
            600).deduct(45, 'lost_pass', "施工证遗失1张未交回").request(33)
        for worker in workers:
            worker.receive(95, WORKER_PASS).request(33, "施工证已交回")
        stories = [owner, contractor] + workers
        for story in stories:
            story.approve(32).pay(31)
        return stories

    def going_renovation(self):
        """锦绣华庭: works going on, a violation at noon, a pass lost; a new
        worker came later"""
        owner, contractor, workers = self.renovation('JX', 4)
        owner.receive(20, RENOVATION, 'alipay')
        contractor.receive(20, RENOVATION, 'transfer').deduct(
            8, 'violation', "中午12:00至14:00休息时间电钻施工，经劝阻仍继续",
            200)
        for index, worker in enumerate(workers):
            worker.receive(20 if index < 3 else 12, WORKER_PASS)
        workers[1].deduct(5, 'lost_pass', "施工证遗失，押金不退", WORKER_PASS)
        return [owner, contractor] + workers

    def late_renovations(self):
        """翠湖花园: a renovation accepted with its refunds asked for after
        their due day (waiting for finance), one due today, one late and
        not asked for yet"""
        owner, contractor, workers = self.renovation('CH', 2, 3)
        owner.receive(70, RENOVATION, 'card').request(2)
        contractor.receive(70, RENOVATION, 'transfer').deduct(
            30, 'violation', "擅自在外墙开孔安装空调，已责令恢复原状",
            500).request(2)
        for worker in workers:
            worker.receive(70, WORKER_PASS).request(2, "施工证已交回")
        stories = [owner, contractor] + workers
        for days, due in [(50, 0), (64, 10)]:
            owner, contractor, _ = self.renovation('CH', refund_due=due)
            owner.receive(days, RENOVATION, 'wechat')
            contractor.receive(days, RENOVATION, 'transfer')
            stories += [owner, contractor]
        return stories

    def paying_renovations(self):
        """锦绣华庭: refunds approved by finance and waiting to be paid;
        refunds being paid (the bank file shows them); a refund withdrawn
        because the owner starts a second phase of works"""
        stories = []
        owner, contractor, _ = self.renovation('JX', refund_due=6)
        owner.receive(80, RENOVATION, 'wechat').request(6).approve(5)
        contractor.receive(80, RENOVATION, 'transfer').deduct(
            25, 'damage', "运送建材撞坏单元门禁门，更换门体及闭门器",
            800).request(6).approve(5)
        stories += [owner, contractor]
        owner, contractor, workers = self.renovation('JX', 2, 8)
        owner.receive(90, RENOVATION, 'alipay')
        contractor.receive(90, RENOVATION, 'transfer').deduct(
            40, 'violation', "装修垃圾未袋装，堆放在楼道", 300)
        for worker in workers:
            worker.receive(90, WORKER_PASS)
        for story in [owner, contractor] + workers:
            story.request(8).approve(7).pay(2)
        stories += [owner, contractor] + workers
        owner, _, _ = self.renovation('JX')
        owner.receive(40, RENOVATION, 'wechat').request(10).withdraw(9)
        owner.values['description'] += "，业主二期装修继续使用"
        stories.append(owner)
        return stories

    def mistakes(self):
        """A receipt recorded twice, reversed by finance the same day; an
        application withdrawn before paying, cancelled"""
        twice, _, _ = self.renovation('CH')
        twice.receive(4, RENOVATION, 'wechat').receive(
            4, RENOVATION, 'wechat').reverse(4)
        withdrawn, _, _ = self.renovation('CH')
        withdrawn.values['description'] += "（业主撤回装修申请）"
        withdrawn.create(9).cancel(8)
        return [twice, withdrawn]

    def keys_and_venues(self):
        """Contractors' key deposits (one key out, one returned and
        refunded, one being refunded) and a deposit for the club's hall"""
        stories = []
        for code, days, refund in [
                ('CH', 6, None), ('CH', 50, (40, 39, 38)),
                ('JX', 25, (3, 2, 1))]:
            unit, _ = self.home(code)
            story = Story('key', self.sites[code], next(self.contractors),
                unit, description='借用%s业主钥匙（业主委托装修进场）'
                % unit.code)
            story.receive(days, KEY)
            if refund:
                request, approve, pay = refund
                story.request(request, "钥匙已归还").approve(
                    approve).pay(pay, bank_days=max(pay - 1, 0))
            stories.append(story)
        unit, owner = self.home('CH')
        hall = Story('other', self.sites['CH'], owner, unit,
            description='会所多功能厅场地使用押金（业主家宴）')
        stories.append(hall.receive(6, 500, 'wechat'))
        return stories

    def guarantees(self):
        """The developer's mortgage guarantee deposits (按揭保证金, 5% of
        the loans) placed with the lending banks until the owners' title
        and mortgage are registered; one of them released"""
        banks = self.parties([b for b, _ in BANKS])
        stories = []
        for index, (code, bank, loan, days, released) in enumerate([
                ('CH', 0, 1200000, 300, None),
                ('JX', 1, 850000, 280, 20),
                ('JX', 2, 1560000, 120, None),
                ('CH', 0, 960000, 60, None)]):
            unit, owner = self.home(code)
            placed = self.date(days)
            reference = '%s-%s-%03d' % (
                BANKS[bank][1], placed.year, 17 + index * 23)
            story = Story('mortgage_guarantee', self.sites[code],
                banks[bank], unit, reference=reference,
                description='业主%s按揭贷款%s万元，按贷款额5%%缴存保证金'
                % (owner.name, loan // 10000))
            amount = Decimal(loan) * Decimal('0.05')
            story.receive(days, amount, None)
            if released:
                story.release(released, amount)
            stories.append(story)
        return stories

    # Running the story

    def run(self, stories):
        "Every step of every story, day after day; the payments per day"
        Line = Pool().get('kefu.deposit.line')
        events = [(-days, phase, n, i, story, action, args)
            for n, story in enumerate(stories)
            for i, (days, phase, action, args) in enumerate(story.steps)]
        events.append((-PREVIOUS_STATEMENT, STATEMENT, 0, 0, None,
                'statement', ()))
        events.sort(key=lambda e: e[:4])
        for (day, phase), group in groupby(events, key=lambda e: e[:2]):
            self.fee.clock = self.date(-day)
            group = list(group)
            if phase == PAY:
                with self.user(FINANCE):
                    Line.pay([e[4].refund for e in group])
                self.paid.extend(e[4] for e in group)
                continue
            for _, _, _, _, story, action, args in group:
                getattr(self, 'do_' + action)(story, *args)
        self.fee.clock = self.today

    def do_create(self, story):
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        Kind = pool.get('kefu.deposit.kind')
        estate, _, _ = story.site
        with self.user(self.staff(story)):
            story.deposit = Deposit(estate=estate, unit=story.unit,
                party=story.party, kind=Kind.get(story.kind), **story.values)
            story.deposit.save()

    def staff(self, story):
        if story.kind == 'mortgage_guarantee':
            return GUARANTOR
        return STAFF[story.site[0].code][0]

    def do_receive(self, story, amount, method):
        Deposit = Pool().get('kefu.deposit')
        if not story.deposit:
            self.do_create(story)
        _, desk, _ = story.site
        with self.user(self.staff(story)):
            story.receipts.append(Deposit.receive(story.deposit, amount,
                    date=self.fee.clock,
                    method=desk.method(method) if method else None))

    def do_deduct(self, story, reason, text, amount):
        Deposit = Pool().get('kefu.deposit')
        reason = self.reasons[reason]
        with self.user(DEDUCTOR):
            Deposit.deduct(story.deposit, amount or reason.amount, reason,
                date=self.fee.clock, description=text)

    def do_reverse(self, story):
        Line = Pool().get('kefu.deposit.line')
        with self.user(FINANCE):
            Line.reverse([story.receipts[-1]])

    def do_request(self, story, text):
        Deposit = Pool().get('kefu.deposit')
        if not story.account:
            story.account = self.bank_account(story.party)
        description = '退至%s银行账户 %s' % (story.party.name, story.account)
        if text:
            description = '%s；%s' % (text, description)
        with self.user(self.staff(story)):
            story.refund = Deposit.request_refund(story.deposit,
                date=self.fee.clock, description=description)

    def do_approve(self, story):
        Line = Pool().get('kefu.deposit.line')
        with self.user(FINANCE):
            Line.approve([story.refund])

    def do_withdraw(self, story):
        Line = Pool().get('kefu.deposit.line')
        with self.user(FINANCE):
            Line.cancel([story.refund])

    def do_release(self, story, amount):
        Deposit = Pool().get('kefu.deposit')
        with self.user(GUARANTOR):
            Deposit.release(story.deposit, self.fee.clock, amount,
                description='产权证及抵押登记办妥，银行解除保证金')

    def do_cancel(self, story):
        Deposit = Pool().get('kefu.deposit')
        with self.user(DEDUCTOR):
            Deposit.cancel([story.deposit])

    def do_statement(self, story):
        "Last month's bank statement: the refunds paid, matched and posted"
        from .demo_statement import StatementBuilder
        self.statements = StatementBuilder(self.fee)
        self.statements.setup()
        self.statements.import_previous(
            [s for s in self.paid if s.bank_day >= PREVIOUS_STATEMENT])

    def write_bank_file(self):
        """Write the bank's export of the refunds being paid and of the last
        days' transfers; return its path (None without deposits)"""
        if not self.statements:
            return None
        return self.statements.write_file(
            [s for s in self.paid if s.bank_day < PREVIOUS_STATEMENT])
