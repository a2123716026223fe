# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo data of the tickets, for `make demo` (the hook is described in
kefu_base/demo.py).

The departments 客服部, 工程部, 秩序维护部 and 保洁部 with the demo users as
members, heads and duty managers; the assignment rules (complaints,
inquiries, suggestions and help to customer service, repairs to
engineering); the office manager as general manager; and a year of
tickets up to today 17:00, about one per unit (at most MAX_TICKETS):
repairs, complaints (classes 1/2/3, minor/important/major), inquiries,
suggestions, help and emergencies of the register's owners, by phone, at
the desk, online ...

Every ticket lives its story through the model's own buttons: opened,
feedback given, the work order notified, on site, started, finished and
checked, the return visit, the acceptance and the supervisor's review,
each at its moment.  sla.now() is patched to the simulated clock and the
sweep runs every day at 17:00, so the deadlines, when they were met, the
escalations and the statistics are the model's, not made up.  Nothing
after today 17:00 happens: the last days' tickets are open, in progress
or waiting, a few of them late and escalated."""
import datetime as dt
import heapq
import itertools
import random
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.kefu_base.demo import create, demo_company
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import sla

# The demo company is in Asia/Shanghai, which has no summer time.
UTC_OFFSET = dt.timedelta(hours=8)
DAYS = 365
# Each ticket lives its story through the buttons, about 0.1 s of work on
# SQLite: a register of 100,000 units gets the workload of 2,000.
MAX_TICKETS = 2000
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# Tickets reported in the last days are more often late or waiting, so
# that the front desk's tabs show some.
RECENT = 10
# The front desk's rounds of return visits (local from, to) and the
# supervisor's review on Monday, Wednesday and Friday, acceptances recorded
# first: the tickets of a round are handled in one call.
CALLBACK_ROUNDS = [((10, 0), (11, 30)), ((15, 0), (16, 30))]
ACCEPT_ROUND = (16, 40)
CLOSE_ROUND = (16, 50)
REVIEW_DAYS = {0, 2, 4}

# code, name, kind, head and duty manager (login), members (logins)
DEPARTMENTS = [
    ('KF', '客服部', 'customer_service', 'supervisor',
        ['frontdesk', 'specialist', 'supervisor']),
    ('GC', '工程部', 'engineering', 'engineer', ['engineer']),
    ('ZX', '秩序维护部', 'security', 'security', ['security']),
    ('BJ', '保洁部', 'cleaning', None, []),
    ]
RULES = [
    ('complaint', 'KF'), ('inquiry', 'KF'), ('suggestion', 'KF'),
    ('help', 'KF'), ('repair', 'GC'),
    ]
GENERAL_MANAGER = 'manager'

KINDS = {
    'repair': 35, 'complaint': 25, 'inquiry': 20, 'suggestion': 10,
    'help': 5, 'emergency': 2,
    }
CHANNELS = {
    'repair': {'phone': 60, 'visit': 15, 'online': 20, 'group_centre': 5},
    'complaint': {'phone': 45, 'visit': 25, 'online': 10, 'letter': 5,
        'email': 5, 'group_centre': 10},
    'inquiry': {'phone': 55, 'visit': 25, 'online': 15, 'email': 5},
    'suggestion': {'visit': 30, 'online': 30, 'letter': 15, 'email': 15,
        'phone': 10},
    'help': {'phone': 70, 'visit': 30},
    'emergency': {'phone': 90, 'visit': 10},
    }
# Categories (XML ids of category.xml, None: none) by kind; complaints by
# class.
CATEGORIES = {
    'repair': {'plumbing': 30, 'electricity': 20, 'door_window': 15,
        'leak': 15, 'lift': 8, 'fire_facility': 6, 'railing': 6},
    'class_1': {'service': 25, 'cleanliness': 25, 'security': 20,
        'landscaping': 10, 'fees': 10, 'noise': 10},
    'class_2': {'building_quality': 60, 'leak': 40},
    'class_3': {'noise': 50, 'parking': 50},
    'inquiry': {'fees': 40, 'parking': 20, None: 40},
    'suggestion': {'landscaping': 25, 'parking': 25, 'security': 20,
        'cleanliness': 20, None: 10},
    'help': {None: 70, 'security': 30},
    'emergency': {'lift_entrapment': 40, 'facility_failure': 15,
        'power_cut': 15, 'water_cut': 15, 'injury': 10, 'fire': 5},
    }
CLASSES = {'class_1': 60, 'class_2': 30, 'class_3': 10}
SEVERITIES = {'minor': 70, 'important': 25, 'major': 5}
SATISFACTION = {5: 55, 4: 30, 3: 10, 2: 4, 1: 1}
# The hour a resident calls (local time), by weight.
HOURS = {8: 4, 9: 9, 10: 10, 11: 8, 12: 4, 13: 5, 14: 8, 15: 9, 16: 8,
    17: 7, 18: 6, 19: 6, 20: 4}

# (kind, category): (what the resident says, what was done[, public area])
# Suggestions: (the suggestion, adopted, not adopted).
TEXTS = {
    ('repair', 'plumbing'): [
        ("厨房水龙头漏水，关不紧。", "更换水龙头阀芯，试水正常。"),
        ("卫生间下水道堵塞，排水很慢。", "疏通下水管道，排水恢复正常。"),
        ("马桶水箱一直流水。", "更换水箱进水阀，已不再流水。"),
        ("阳台地漏返臭味。", "加装防臭地漏芯，已无异味。"),
        ],
    ('repair', 'electricity'): [
        ("客厅插座没电。", "更换损坏的插座，通电正常。"),
        ("家里频繁跳闸，空调回路合不上闸。", "空调回路漏电开关损坏，已更换。"),
        ("楼道感应灯不亮。", "更换楼道灯管及感应开关。", True),
        ("地下车库部分照明灯不亮。", "更换车库灯管12支。", True),
        ],
    ('repair', 'door_window'): [
        ("入户门锁芯卡住，钥匙拧不动。", "更换锁芯，新钥匙已交业主。"),
        ("阳台推拉窗关不严，漏风。", "调整窗扇滑轮，更换密封条。"),
        ("单元门门禁刷卡没有反应。", "更换门禁读卡器，刷卡正常。", True),
        ],
    ('repair', 'leak'): [
        ("楼上渗水，卫生间天花板滴水。",
            "楼上卫生间防水层破损，已重做防水，闭水试验48小时无渗漏。"),
        ("外墙渗水，卧室墙面发霉。", "外墙打胶修补，淋水试验无渗漏。"),
        ("厨房给水管接头渗水。", "更换接头密封件，试压无渗漏。"),
        ],
    ('repair', 'lift'): [
        ("电梯外呼按钮失灵，按了没反应。", "更换外呼按钮，运行正常。", True),
        ("电梯运行时有异响。", "维保单位检修，已调整导靴并润滑。", True),
        ],
    ('repair', 'fire_facility'): [
        ("楼道消防栓箱玻璃破损。", "更换消防栓箱玻璃。", True),
        ("消防通道防火门闭门器损坏，门关不上。",
            "更换闭门器，防火门能自动关闭。", True),
        ("家中烟感报警器一直鸣叫。", "更换烟感探头电池并测试正常。"),
        ],
    ('repair', 'railing'): [
        ("阳台栏杆松动。", "加固栏杆连接件，检查牢固。"),
        ("楼梯扶手松脱。", "重新固定楼梯扶手。", True),
        ],
    ('complaint', 'service'): [
        ("前台工作人员态度冷淡，办事拖拉。",
            "已对当班人员进行批评教育，并当面向业主致歉。"),
        ("报修后维修人员没有按约定时间上门。",
            "已向业主致歉，重新约定上门时间，并对维修人员进行考核。"),
        ],
    ('complaint', 'cleanliness'): [
        ("楼道垃圾两天没有清运，有异味。", "已安排保洁员清运，并增加清运频次。"),
        ("电梯轿厢地面很脏，长时间没人打扫。", "已安排清洁，并列入每日巡查。"),
        ],
    ('complaint', 'security'): [
        ("外来人员随意进出小区，门岗不登记。", "已加强门岗管理，外来人员一律登记。"),
        ("夜间巡逻不到位，车库电动车被盗。", "已调取监控并报警，夜间增加巡逻频次。"),
        ],
    ('complaint', 'landscaping'): [
        ("绿化带杂草丛生，很久没有修剪。", "已安排绿化工修剪，并制定月度养护计划。"),
        ],
    ('complaint', 'fees'): [
        ("物业费账单有误，多收了一个月。", "核对后确认多收，已退还并致歉。"),
        ("停车费上涨没有提前公示。", "已向业主解释调价依据，并补发公示。"),
        ],
    ('complaint', 'noise'): [
        ("小区外工地夜间施工，噪音扰民。", "已向城管部门反映，并告知业主投诉渠道。"),
        ("楼上住户装修超时施工，周末也在打钻。",
            "已上门劝导装修户遵守装修时间，并加强巡查。"),
        ],
    ('complaint', 'parking'): [
        ("小区门口道路乱停车，堵住出入口。", "已联系交警部门处理，并增设禁停标识。"),
        ("自己的车位被别人占用。", "已联系占位车主挪车，并加强车库巡查。"),
        ],
    ('complaint', 'building_quality'): [
        ("新房墙面开裂，要求开发商维修。", "已转开发商工程部，约定时间上门维修。"),
        ("客厅地面空鼓，瓷砖起拱。", "已协调开发商维修，更换起拱瓷砖。"),
        ],
    ('complaint', 'leak'): [
        ("外墙渗水，已反映多次仍未解决。", "已协调开发商维修外墙防水，淋水试验无渗漏。"),
        ],
    ('inquiry', 'fees'): [
        ("咨询物业费收费标准和缴费方式。", "已告知收费标准，可在前台、微信或银行代扣缴纳。"),
        ("咨询物业费发票如何开具。", "已告知在前台凭缴费记录开具电子发票。"),
        ],
    ('inquiry', 'parking'): [
        ("咨询地下车位月租办理手续。", "已告知办理流程及所需资料（行驶证、身份证）。"),
        ("咨询访客车辆临时停车收费。", "已告知首小时免费，之后每小时5元。"),
        ],
    ('inquiry', None): [
        ("咨询装修申请需要提交哪些资料。", "已告知需提供装修方案、施工单位资质并缴纳装修押金。"),
        ("咨询本周停水的具体时间。", "已告知停水时间为周三9:00至15:00。"),
        ("咨询快递柜的位置和使用方法。", "已告知快递柜位于各单元大堂及使用方法。"),
        ("咨询如何办理业主卡。", "已告知携带身份证和房产证到前台办理。"),
        ],
    ('suggestion', 'landscaping'): [
        ("建议在儿童游乐区增加遮阳棚。", "建议已采纳，遮阳棚已列入本季度改造计划。",
            "经评估，游乐区上方为消防登高面，暂不采纳，已向业主说明原因。"),
        ],
    ('suggestion', 'parking'): [
        ("建议在地下车库增设电动车充电桩。", "建议已采纳，首批20个充电桩下月安装。",
            "车库配电容量不足，暂不采纳，待电力增容后再议。"),
        ],
    ('suggestion', 'security'): [
        ("建议在小区后门增加监控摄像头。", "建议已采纳，已加装两台摄像头。",
            "后门已有监控覆盖，暂不采纳，已向业主说明。"),
        ],
    ('suggestion', 'cleanliness'): [
        ("建议增加垃圾分类投放点。", "建议已采纳，每栋楼增设一处分类投放点。",
            "现有投放点已满足需要，暂不采纳。"),
        ],
    ('suggestion', None): [
        ("建议在大堂设置雨伞架。", "建议已采纳，各单元大堂已放置雨伞架。",
            "大堂空间有限，暂不采纳。"),
        ],
    ('help', None): [
        ("独居老人需要帮忙更换灯泡。", "工作人员已上门协助更换。"),
        ("钥匙锁在屋内，请求帮忙联系开锁。", "核实业主身份后，已联系备案开锁公司上门开锁。"),
        ("搬家需要借用手推车。", "已借出手推车并登记。"),
        ],
    ('help', 'security'): [
        ("家中老人走失，请求帮忙查看监控。", "秩序维护部调取监控，已在小区花园找到老人。"),
        ("车辆被堵，请求帮忙联系车主。", "已通过车位登记联系车主挪车。"),
        ],
    ('emergency', 'fire'): [
        ("地下车库有烟雾，疑似车辆起火。",
            "秩序维护部携灭火器到场扑灭，无人员受伤，已报119备案。", True),
        ],
    ('emergency', 'injury'): [
        ("业主在小区广场摔倒受伤。", "秩序维护部到场协助送医，已通知家属。", True),
        ],
    ('emergency', 'lift_entrapment'): [
        ("电梯困人，电梯停在两层之间。", "工程部5分钟内到场，已安全解困，维保单位已检修。", True),
        ],
    ('emergency', 'facility_failure'): [
        ("二次供水水泵故障，高层无水。", "工程部抢修水泵，供水已恢复。", True),
        ],
    ('emergency', 'power_cut'): [
        ("整栋楼突然停电。", "配电房开关跳闸，已更换开关，供电恢复。", True),
        ],
    ('emergency', 'water_cut'): [
        ("小区主水管爆裂，停水。", "关闭阀门抢修水管，供水已恢复。", True),
        ],
    }
PAUSE_REASONS = ["业主出差，回来后再处理", "等待业主提供照片和相关资料",
    "业主要求周末再约时间"]
PROBLEMS = ["业主反映问题仍未解决，需要再次处理。", "业主反映维修后又出现同样问题。"]
CALLER_NAMES = ["王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士"]
PRICES = [30, 50, 80, 120, 150, 200, 260, 350]


def weighted(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]


def lock_table(Model):
    """Lock the table of Model before the first write of a singleton locks
    it: the RPC layer would restart the transaction with the table locked,
    but tools/kefu_demo.py runs every hook in one transaction it cannot
    restart"""
    transaction = Transaction()
    transaction.database.lock(transaction.connection, Model._table)
    transaction._locked_tables.add(Model._table)


def populate(options):
    "Create the tickets' demo data; return False if it is already there"
    Department = Pool().get('kefu.department')
    company = demo_company()
    if not company:
        return False
    with Transaction().set_context(active_test=False):
        if Department.search([
                    ('company', '=', company.id),
                    ('code', 'in', [d[0] for d in DEPARTMENTS]),
                    ]):
            return False
    TicketBuilder(options, company).build()
    return True


class TicketPlan:
    "What happens to one ticket, drawn before it is created"

    def __init__(self, rng, kind, reported_at, recent):
        self.rng = random.Random(rng.random())
        self.kind = kind
        self.reported_at = reported_at
        self.recent = recent
        self.values = {}
        self.texts = None
        self.id = None
        self.orders = []


class TicketBuilder:

    def __init__(self, options, company):
        self.options = options
        self.company = company
        self.rng = options.random('kefu_ticket')
        self.today = options.today
        self.end = self.at(self.today, 17)
        self.clock = None
        self.notifications_read = 0

    def at(self, day, hour, minute=0, second=0):
        "The naive UTC datetime of day at the local time"
        return dt.datetime.combine(
            day, dt.time(hour, minute, second)) - UTC_OFFSET

    def local(self, moment):
        return moment + UTC_OFFSET

    def round_at(self, moment, hour, minute=0, days=0):
        "The first local hour:minute at or after moment, days later"
        day = self.local(moment).date() + dt.timedelta(days=days)
        result = self.at(day, hour, minute)
        if result < moment:
            result += DAY
        return result

    def daytime(self, moment, rng):
        "moment, or 08:xx the next morning when it falls in the night"
        hour = self.local(moment).hour
        if 8 <= hour < 21:
            return moment
        return self.round_at(moment, 8, rng.randrange(60))

    def build(self):
        pool = Pool()
        User = pool.get('res.user')
        logins = {l for d in DEPARTMENTS for l in [d[3], *d[4]] if l}
        logins |= {GENERAL_MANAGER}
        self.users = {u.login: u for u in User.search([
                    ('login', 'in', sorted(logins)),
                    ])}
        self.departments()
        self.rules()
        self.configuration()
        self.categories = self.load_categories()
        self.load_register()
        plans = self.plan()
        self.create_tickets(plans)
        with patch.object(sla, 'now', new=lambda: self.clock):
            self.simulate(plans)
        self.read_old_notifications()

    # Departments, rules, configuration

    def employee(self, login):
        user = self.users.get(login)
        return user.employee if user else None

    def departments(self):
        Department = Pool().get('kefu.department')
        vlist = []
        for code, name, kind, head, members in DEPARTMENTS:
            head = self.employee(head)
            vlist.append({
                    'company': self.company.id,
                    'code': code,
                    'name': name,
                    'kind': kind,
                    'head': head.id if head else None,
                    'duty_manager': head.id if head else None,
                    'members': [('create', [{
                                    'employee': self.employee(m).id,
                                    'on_duty': True,
                                    } for m in members if self.employee(m)])],
                    })
        self.department_ids = {
            d.code: d.id for d in Department.create(vlist)}

    def rules(self):
        Rule = Pool().get('kefu.ticket.assignment.rule')
        Rule.create([{
                    'company': self.company.id,
                    'sequence': 10 * (i + 1),
                    'kind': kind,
                    'department': self.department_ids[code],
                    } for i, (kind, code) in enumerate(RULES)])

    def configuration(self):
        Configuration = Pool().get('kefu.configuration')
        manager = self.employee(GENERAL_MANAGER)
        if manager:
            lock_table(Configuration)
            Configuration.write(
                [Configuration(1)], {'general_manager': manager.id})

    def load_categories(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        names = {c for weights in CATEGORIES.values() for c in weights if c}
        return {n: ModelData.get_id('kefu_ticket', 'category_' + n)
            for n in names}

    def load_register(self):
        "The handed-over units, their owners' periods and mobiles"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        Ownership = pool.get('kefu.unit.ownership')
        Mechanism = pool.get('party.contact_mechanism')
        units = Unit.search(
            [('delivery_state', '=', 'handed_over')], order=[('id', 'ASC')])
        self.unit_estate = {u.id: u.estate.id for u in units}
        self.estate_codes = {u.estate.id: u.estate.code for u in units}
        self.homes = [u.id for u in units if u.usage != 'parking']
        self.spaces = [u.id for u in units if u.usage == 'parking']
        self.periods = {}
        for ownership in Ownership.search(
                [('unit', 'in', [u.id for u in units])],
                order=[('unit', 'ASC'), ('date_from', 'ASC'), ('id', 'ASC')]):
            self.periods.setdefault(ownership.unit.id, []).append((
                    ownership.date_from, ownership.date_to,
                    ownership.party.id))
        self.mobiles = {}
        for mechanism in Mechanism.search([('type', '=', 'mobile')]):
            self.mobiles.setdefault(mechanism.party.id, mechanism.value)

    # The plan

    def plan(self):
        rng = self.rng
        first = self.today - dt.timedelta(days=DAYS - 1)
        plans = []
        for _ in range(min(self.options.units, MAX_TICKETS)):
            kind = weighted(rng, KINDS)
            day = first + dt.timedelta(days=rng.randrange(DAYS))
            if kind == 'emergency':
                hour = rng.randrange(24)
            else:
                hour = weighted(rng, HOURS)
            reported_at = self.at(
                day, hour, rng.randrange(60), rng.randrange(60))
            if reported_at >= self.end - 10 * MINUTE:
                reported_at = self.at(
                    day, rng.randint(8, 15), rng.randrange(60))
            plan = TicketPlan(rng, kind, reported_at,
                (self.today - day).days < RECENT)
            if self.fill(plan):
                plans.append(plan)
        self.repeats([p for p in plans if p.kind == 'complaint'])
        plans.sort(key=lambda p: p.reported_at)
        return plans

    def fill(self, plan):
        "The ticket's values and its story; False if no unit fits"
        r = plan.rng
        kind = plan.kind
        values = plan.values
        values.update({
                'kind': kind,
                'channel': weighted(r, CHANNELS[kind]),
                'reported_at': plan.reported_at,
                })
        group = kind
        if kind == 'complaint':
            group = values['complaint_class'] = weighted(r, CLASSES)
            values['severity'] = weighted(r, SEVERITIES)
        category = weighted(r, CATEGORIES[group])
        plan.category = category
        values['category'] = self.categories.get(category)
        plan.texts = r.choice(TEXTS[kind, category])
        values['description'] = plan.texts[0]
        if kind == 'suggestion':
            values['suggestion_decision'] = 'pending'
            public = r.random() < 0.5
        else:
            public = len(plan.texts) > 2 and plan.texts[2]
        if not self.caller(plan, public):
            return False
        plan.cancel = kind != 'emergency' and r.random() < 0.02
        return True

    def caller(self, plan, public):
        "The unit and the owner who called, or a caller for a public area"
        r = plan.rng
        values = plan.values
        pool = self.homes
        if plan.category == 'parking' and self.spaces and r.random() < 0.5:
            pool = self.spaces
        if not pool:
            return False
        day = self.local(plan.reported_at).date()
        for _ in range(10):
            unit = r.choice(pool)
            owners = [p for f, t, p in self.periods.get(unit, [])
                if f <= day and (t is None or t >= day)]
            if owners:
                break
        else:
            return False
        values['estate'] = self.unit_estate[unit]
        plan.estate_code = self.estate_codes[values['estate']]
        if public and r.random() < 0.3:
            values['caller_name'] = r.choice(CALLER_NAMES)
            values['phone'] = '13%09d' % r.randrange(10 ** 9)
        else:
            values['party'] = owners[0]
            values['phone'] = self.mobiles.get(owners[0])
        if not public:
            values['unit'] = unit
        return True

    def repeats(self, complaints):
        "A few complaints come back about the same unit and category"
        r = self.rng
        with_unit = [p for p in complaints
            if p.values.get('unit') and p.values.get('category')]
        for earlier in r.sample(with_unit, len(with_unit) // 25):
            later = r.choice(complaints)
            reported_at = earlier.reported_at + dt.timedelta(
                days=r.randint(5, 60), hours=r.randint(1, 5))
            if later is earlier or reported_at >= self.end - HOUR:
                continue
            for name in ['estate', 'unit', 'party', 'phone', 'category',
                    'complaint_class', 'caller_name']:
                later.values[name] = earlier.values.get(name)
            later.category, later.texts = earlier.category, earlier.texts
            later.values['description'] = "再次反映：" + earlier.texts[0]
            later.values['severity'] = 'important'
            later.values['reported_at'] = later.reported_at = reported_at
            later.recent = self.end - reported_at < RECENT * DAY

    def create_tickets(self, plans):
        "Drafts in the order they were reported, numbered in their year"
        Ticket = Pool().get('kefu.ticket')
        for year, group in itertools.groupby(
                plans, key=lambda p: self.local(p.reported_at).year):
            group = list(group)
            with Transaction().set_context(date=dt.date(year, 12, 31)):
                tickets = create(Ticket, [p.values for p in group])
            for plan, ticket in zip(group, tickets):
                plan.id = ticket.id

    # The simulation

    def simulate(self, plans):
        """Run the stories of the tickets and the daily sweep in the order
        of their moments; the events of the same moment and action (the
        supervisor's rounds) in one call"""
        heap = []
        counter = itertools.count()
        cutoff = self.end - 2 * DAY

        def schedule(story, priority):
            try:
                moment, action, plan = next(story)
            except StopIteration:
                return
            moment = moment.replace(microsecond=0)
            if self.clock:
                moment = max(moment, self.clock + SECOND)
            if moment <= self.end:
                heapq.heappush(heap, (
                        moment, priority, action, next(counter), story, plan))

        for plan in plans:
            schedule(self.story(plan), 0)
        schedule(self.sweeps(), 1)
        while heap:
            moment, priority, action, _, story, plan = heapq.heappop(heap)
            batch = [(story, plan)]
            while heap and heap[0][:3] == (moment, priority, action):
                batch.append(heapq.heappop(heap)[-2:])
            self.clock = moment
            if moment < cutoff:
                self.notifications_read = len(
                    Transaction().user_notifications)
            getattr(self, 'do_' + action)([p for _, p in batch])
            for story, _ in batch:
                schedule(story, priority)

    def sweeps(self):
        day = self.today - dt.timedelta(days=DAYS - 1)
        while day <= self.today:
            yield self.at(day, 17), 'sweep', None
            day += DAY

    def ticket(self, plan):
        return Pool().get('kefu.ticket')(plan.id)

    def story(self, plan):
        r = plan.rng
        if plan.kind in {'repair', 'emergency'}:
            delay = r.randint(10, 35) * SECOND
        else:
            delay = r.randint(60, 240) * SECOND
        yield plan.reported_at + delay, 'open', plan
        if plan.cancel:
            yield self.clock + r.randint(5, 40) * MINUTE, 'cancel', plan
            return
        yield from getattr(self, 'story_' + plan.kind)(plan)

    def story_repair(self, plan):
        r = plan.rng
        if r.random() < 0.92:
            delay = r.randint(5, 20) * SECOND
        else:
            delay = r.randint(2, 8) * MINUTE
        yield self.clock + delay, 'wo_create', plan
        yield from self.work(plan)
        yield from self.aftercare(plan)

    def story_emergency(self, plan):
        WorkOrder = Pool().get('kefu.work_order')
        r = plan.rng
        plan.orders = [o.id for o in WorkOrder.search(
                [('ticket', '=', plan.id)])]
        if plan.orders:
            yield from self.work(plan)
        else:
            yield self.clock + r.randint(30, 90) * MINUTE, 'resolve', plan
        yield from self.aftercare(plan)

    def work(self, plan):
        "The repairer on site, at work, perhaps back another day, checked"
        r = plan.rng
        if r.random() < 0.9:
            delay = r.randint(90, 290) * SECOND
        else:
            delay = r.randint(6, 20) * MINUTE
        yield self.clock + delay, 'wo_arrive', plan
        yield self.clock + r.randint(1, 12) * MINUTE, 'wo_start', plan
        if plan.kind == 'repair' and r.random() < (
                0.3 if plan.recent else 0.04):
            yield self.clock + r.randint(20, 60) * MINUTE, 'wo_leave', plan
            yield self.round_at(
                self.clock, r.randint(9, 10), r.randrange(60),
                days=plan.next_visit_days), 'wo_resume', plan
        yield self.clock + r.randint(20, 150) * MINUTE, 'wo_finish', plan
        yield from self.check(plan)

    def check(self, plan):
        r = plan.rng
        if r.random() < 0.88:
            delay = r.randint(3, 9) * MINUTE
        else:
            delay = r.randint(12, 90) * MINUTE
        yield self.clock + delay, 'wo_check', plan

    def story_complaint(self, plan):
        r = plan.rng
        yield self.clock + r.randint(5, 60) * MINUTE, 'start', plan
        due = self.ticket(plan).feedback_due or plan.reported_at + DAY
        if r.random() < (0.75 if plan.recent else 0.92):
            feedback = plan.reported_at + r.randint(15, 20 * 60) * MINUTE
        else:
            feedback = due + r.randint(60, 12 * 60) * MINUTE
        yield self.daytime(feedback, r), 'feedback', plan
        if r.random() < (0.4 if plan.recent else 0.05):
            plan.pause_reason = r.choice(PAUSE_REASONS)
            yield self.clock + r.randint(60, 240) * MINUTE, 'pause', plan
            yield self.round_at(
                self.clock, r.randint(9, 11), r.randrange(60),
                days=r.randint(1, 4)), 'resume', plan
        yield from self.milestones(plan)
        yield from self.aftercare(plan)

    def milestones(self, plan):
        "Answer, file card and resolution, in time or late"
        r = plan.rng
        ticket = self.ticket(plan)
        start = self.clock
        due = ticket.resolve_due or start + 2 * DAY
        if r.random() < (0.4 if plan.recent else 0.12):
            resolve = due + r.randint(3, 72) * HOUR
        else:
            resolve = start + (due - start) * r.uniform(0.1, 0.9)
        resolve = max(resolve, start + HOUR)
        events = []
        if ticket.answer_due and not ticket.answered_at:
            answer = start + (resolve - start) * r.uniform(0.2, 0.8)
            events.append((answer, 'answer'))
        if (ticket.file_card_due and not ticket.file_card_at
                and resolve > ticket.file_card_due):
            if r.random() < 0.9:
                card = ticket.file_card_due - r.randint(1, 8) * HOUR
            else:
                card = ticket.file_card_due + r.randint(1, 6) * HOUR
            events.append((max(card, start + MINUTE), 'file_card'))
        events.append((self.daytime(resolve, r), 'resolve'))
        for moment, action in sorted(events):
            yield moment, action, plan

    def story_inquiry(self, plan):
        r = plan.rng
        if r.random() < 0.8:
            yield self.clock + r.randint(3, 30) * MINUTE, 'resolve', plan
        else:
            yield self.clock + r.randint(10, 60) * MINUTE, 'feedback', plan
            yield self.daytime(
                self.clock + r.randint(20, 48) * HOUR, r), 'resolve', plan
        yield from self.aftercare(plan)

    def story_suggestion(self, plan):
        r = plan.rng
        yield self.daytime(
            self.clock + r.randint(1, 24) * HOUR, r), 'feedback', plan
        yield self.clock + r.randint(1, 30) * MINUTE, 'start', plan
        plan.adopted = r.random() < 0.4
        plan.told = r.random() < 0.8
        yield self.round_at(
            self.clock, r.randint(9, 16), r.randrange(60),
            days=r.randint(3, 20)), 'decide', plan
        yield from self.aftercare(plan)

    def story_help(self, plan):
        r = plan.rng
        yield self.clock + r.randint(2, 10) * MINUTE, 'start', plan
        yield self.clock + r.randint(20, 120) * MINUTE, 'resolve', plan
        yield from self.aftercare(plan)

    def aftercare(self, plan):
        "Return visits until the resident is satisfied, acceptance, review"
        r = plan.rng
        problem = r.random() < 0.05
        while True:
            ticket = self.ticket(plan)
            if ticket.state != 'resolved' or not ticket.callback_due:
                break
            if r.random() < (0.3 if plan.recent else 0.01):
                return
            resolved, due = ticket.resolved_at, ticket.callback_due
            if r.random() < 0.9:
                moment = resolved + (due - resolved) * r.uniform(0.1, 0.9)
            else:
                moment = due + r.randint(2, 48) * HOUR
            plan.callback_problem, problem = problem, False
            plan.callback_at, end = self.callback_round(moment, r)
            yield end, 'callback', plan
            if not plan.callback_problem:
                break
            if plan.orders:
                yield self.round_at(
                    self.clock, r.randint(9, 11), r.randrange(60),
                    days=1), 'wo_finish', plan
                yield from self.check(plan)
            else:
                yield self.round_at(
                    self.clock, r.randint(9, 16), r.randrange(60),
                    days=r.randint(1, 3)), 'resolve', plan
        if self.ticket(plan).state not in {'resolved', 'visited'}:
            return
        action = 'accept_specialist'
        if plan.kind in {'repair', 'emergency', 'complaint'} and (
                r.random() < 0.7):
            action = 'accept_resident'
        yield self.review_round(self.clock, ACCEPT_ROUND), action, plan
        close = self.review_round(self.clock, CLOSE_ROUND)
        if r.random() < 0.3:
            close = self.review_round(close + HOUR, CLOSE_ROUND)
        yield close, 'close', plan

    def review_round(self, moment, round_):
        "The supervisor's next review at the time round_ after moment"
        result = self.round_at(moment, *round_)
        while self.local(result).weekday() not in REVIEW_DAYS:
            result += DAY
        return result

    def callback_round(self, moment, rng):
        """The moment of a return visit planned for moment: within the
        front desk's next round of calls; and the end of that round, when
        the visits of the round are recorded"""
        day = self.local(moment).date()
        while True:
            for start, end in CALLBACK_ROUNDS:
                start, end = self.at(day, *start), self.at(day, *end)
                if moment < end:
                    begin = max(moment, start)
                    moment = begin + (end - begin) * rng.uniform(0, 0.9)
                    return moment.replace(microsecond=0), end
            day += DAY

    # The actions, each on a batch of plans at self.clock

    def tickets(self, plans, states=None):
        Ticket = Pool().get('kefu.ticket')
        tickets = Ticket.browse([p.id for p in plans])
        if states:
            tickets = [t for t in tickets if t.state in states]
        return tickets

    def orders(self, plans):
        WorkOrder = Pool().get('kefu.work_order')
        return WorkOrder.browse([o for p in plans for o in p.orders])

    def as_user(self, login):
        user = self.users.get(login)
        return Transaction().set_user(user.id if user else 0)

    def do_open(self, plans):
        Pool().get('kefu.ticket').open(self.tickets(plans))

    def do_cancel(self, plans):
        Pool().get('kefu.ticket').cancel(self.tickets(plans))

    def do_start(self, plans):
        Pool().get('kefu.ticket').start(self.tickets(plans, {'open'}))

    def do_feedback(self, plans):
        Pool().get('kefu.ticket').give_feedback(self.tickets(plans))

    def do_answer(self, plans):
        Pool().get('kefu.ticket').answer(self.tickets(plans))

    def do_file_card(self, plans):
        Pool().get('kefu.ticket').make_file_card(self.tickets(plans))

    def do_pause(self, plans):
        Ticket = Pool().get('kefu.ticket')
        for plan in plans:
            Ticket.pause(self.tickets([plan]), plan.pause_reason)

    def do_resume(self, plans):
        Pool().get('kefu.ticket').resume(self.tickets(plans))

    def do_resolve(self, plans):
        Ticket = Pool().get('kefu.ticket')
        tickets = self.tickets(plans)
        for plan, ticket in zip(plans, tickets):
            result = plan.texts[1]
            if ticket.result:
                result = ticket.result + "\n再次处理：" + result
            ticket.result = result
        Ticket.resolve(tickets)

    def do_decide(self, plans):
        Ticket = Pool().get('kefu.ticket')
        tickets = self.tickets(plans)
        for plan, ticket in zip(plans, tickets):
            ticket.suggestion_decision = (
                'adopted' if plan.adopted else 'not_adopted')
            ticket.resident_told = plan.told
            ticket.result = plan.texts[1 if plan.adopted else 2]
        Ticket.resolve(tickets)

    def do_wo_create(self, plans):
        WorkOrder = Pool().get('kefu.work_order')
        vlist = []
        for plan, ticket in zip(plans, self.tickets(plans)):
            r = plan.rng
            values = {
                'ticket': ticket.id,
                'department': (
                    ticket.department.id if ticket.department else None),
                'description': ticket.description,
                'warranty': 'in_warranty',
                }
            if ticket.unit and not (
                    plan.category == 'leak' and plan.estate_code == 'JX'
                    or r.random() < 0.15):
                values['warranty'] = 'paid'
                values['price'] = Decimal(r.choice(PRICES))
            vlist.append(values)
        orders = WorkOrder.create(vlist)
        for plan, order in zip(plans, orders):
            plan.orders = [order.id]
            plan.next_visit_days = plan.rng.randint(*(
                    (2, 4) if plan.recent else (1, 2)))
        WorkOrder.notify(orders)

    def do_wo_arrive(self, plans):
        Pool().get('kefu.work_order').arrive(self.orders(plans))

    def do_wo_start(self, plans):
        Pool().get('kefu.work_order').start(self.orders(plans))

    def do_wo_leave(self, plans):
        WorkOrder = Pool().get('kefu.work_order')
        day = self.local(self.clock).date()
        to_write = []
        for plan in plans:
            to_write.extend((self.orders([plan]), {
                        'left_early_consent': True,
                        'left_early_reason': "需更换配件，配件到货后再上门。",
                        'next_visit_date': day + dt.timedelta(
                            days=plan.next_visit_days),
                        }))
        WorkOrder.write(*to_write)
        WorkOrder.leave_early(self.orders(plans))

    def do_wo_resume(self, plans):
        Pool().get('kefu.work_order').resume(self.orders(plans))

    def do_wo_finish(self, plans):
        WorkOrder = Pool().get('kefu.work_order')
        to_write = []
        for plan in plans:
            to_write.extend((self.orders([plan]), {'report': plan.texts[1]}))
        WorkOrder.write(*to_write)
        WorkOrder.finish(self.orders(plans))

    def do_wo_check(self, plans):
        with self.as_user('specialist'):
            Pool().get('kefu.work_order').check(self.orders(plans))

    def do_callback(self, plans):
        "The return visits of a round, by the front desk of each estate"
        Callback = Pool().get('kefu.callback')
        callbacks = {c.ticket.id: c for c in Callback.search([
                    ('ticket', 'in', [p.id for p in plans]),
                    ('state', '=', 'pending'),
                    ])}
        by_login = {}
        for plan in plans:
            r = plan.rng
            callback = callbacks[plan.id]
            if plan.callback_problem:
                callback.result = 'problem'
                callback.satisfaction = r.randint(1, 3)
                callback.notes = r.choice(PROBLEMS)
            else:
                callback.result = 'ok'
                callback.satisfaction = weighted(r, SATISFACTION)
            callback.method = 'visit' if r.random() < 0.1 else 'phone'
            callback.done_at = plan.callback_at
            login = 'frontdesk' if plan.estate_code == 'CH' else 'specialist'
            by_login.setdefault(login, []).append(callback)
        for login, callbacks in sorted(by_login.items()):
            with self.as_user(login):
                Callback.do(callbacks)

    def do_accept_resident(self, plans):
        with self.as_user('frontdesk'):
            Pool().get('kefu.ticket').accept_resident(self.tickets(plans))

    def do_accept_specialist(self, plans):
        with self.as_user('specialist'):
            Pool().get('kefu.ticket').accept_specialist(self.tickets(plans))

    def do_close(self, plans):
        with self.as_user('supervisor'):
            Pool().get('kefu.ticket').close(self.tickets(plans))

    def do_sweep(self, plans):
        Pool().get('kefu.ticket').sla_sweep(self.clock)

    def read_old_notifications(self):
        "The bells show the last two days; what came before was read"
        for notification in Transaction().user_notifications[
                :self.notifications_read]:
            notification.unread = False
