# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who may do what with fees: the front desk takes payments and prints
receipts but cannot post moves, change rates, bill or approve a close;
finance (with Tryton's accounting group) can; nobody deletes money.  The
collection rate and the arrears are read by supervisors (their estates),
office managers and finance (every estate), by nobody else."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.modules.kefu_base.tests.tools import as_user, click, create_user
from trytond.modules.kefu_fee.tests.test_payment import (
    DAY, bill, pay, setup_books, setup_estate)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    TestCase, activate_module, with_transaction)
from trytond.transaction import Transaction

# The models of the fee reports, each of them a table_query
REPORTS = [
    'kefu.fee.arrears', 'kefu.fee.collection', 'kefu.fee.collection.month']


class FeeAccessTestCase(TestCase):
    "Test the access rights of the fees"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['kefu_fee'])

    @contextmanager
    def setup(self):
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            site = setup_estate(company, books)
            invoice = bill(company, books, site, Decimal('300.00'), 1)
            pay(site, '100.00')
            yield company, books, site, invoice

    def finance_user(self, company, estate):
        ModelData = Pool().get('ir.model.data')
        user = create_user('accountant', company, estate, 'group_finance')
        user.groups += (ModelData.get_id('account', 'group_account'),)
        user.save()
        return user

    def counted_close(self, site, user):
        CashClose = Pool().get('kefu.cash.close')
        with as_user(user):
            close = CashClose(desk=site.desk, date=DAY)
            close.on_change_desk()
            close.save()
            for line in close.lines:
                line.counted = line.expected
                line.save()
            click(CashClose, 'count', [close])
        return close

    @with_transaction()
    def test_front_desk(self):
        "The front desk reads bills and charges, changes no money record"
        pool = Pool()
        FeeType = pool.get('kefu.fee.type')
        Charge = pool.get('kefu.fee.charge')
        Invoice = pool.get('account.invoice')
        Move = pool.get('account.move')
        Receipt = pool.get('kefu.fee.receipt')
        CashClose = pool.get('kefu.cash.close')
        Run = pool.get('kefu.billing.run')
        with self.setup() as (company, books, site, invoice):
            clerk = create_user('clerk', company, site.estate)
            close = self.counted_close(site, clerk)
            with as_user(clerk):
                self.assertEqual(Invoice(invoice.id).total_amount,
                    Decimal('300.00'))
                receipt, = Receipt.search([])
                self.assertEqual(receipt.amount, Decimal('100.00'))
                fee_types = FeeType.search([])
                self.assertTrue(fee_types)
                with self.assertRaises(AccessError):
                    FeeType.write(fee_types, {'rate': Decimal('9')})
                with self.assertRaises(AccessError):
                    Move.create([{'journal': books.journal_cash.id,
                                'date': DAY}])
                with self.assertRaises(AccessError):
                    Move.post(Move.search([]))
                with self.assertRaises(AccessError):
                    Run.create([{'month': DAY.replace(day=1),
                                'invoice_date': DAY,
                                'estates': [('add', [site.estate.id])]}])
                with self.assertRaises(AccessButtonError):
                    click(CashClose, 'approve', [close])
                with self.assertRaises(AccessError):
                    Receipt.delete([receipt])
                with self.assertRaises(AccessError):
                    Charge.delete(Charge.search([]))

    @with_transaction()
    def test_finance(self):
        "Finance changes rates, bills and approves a close it did not count"
        pool = Pool()
        FeeType = pool.get('kefu.fee.type')
        Move = pool.get('account.move')
        CashClose = pool.get('kefu.cash.close')
        Run = pool.get('kefu.billing.run')
        Receipt = pool.get('kefu.fee.receipt')
        with self.setup() as (company, books, site, invoice):
            clerk = create_user('clerk', company, site.estate)
            accountant = self.finance_user(company, site.estate)
            close = self.counted_close(site, clerk)
            with as_user(accountant):
                fee_types = FeeType.search([])
                FeeType.write(fee_types, {'rate': Decimal('2.80')})
                self.assertTrue(Move.search([]))
                run, = Run.create([{'month': DAY.replace(day=1),
                            'invoice_date': DAY,
                            'estates': [('add', [site.estate.id])]}])
                click(CashClose, 'approve', [close])
                self.assertEqual(CashClose(close.id).state, 'approved')
                with self.assertRaises(AccessError):
                    Receipt.delete(Receipt.search([]))


class FeeReportAccessTestCase(TestCase):
    """Test who reads the collection rate and the arrears, and of which
    estates.

    Green Garden (the site of test_payment): January's 300.00 billed and
    100.00 of it paid on 10 March.  North Park: February's 500.00 billed,
    nothing paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(['kefu_fee'])

    @contextmanager
    def setup(self):
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            books = setup_books(company)
            site = setup_estate(company, books)
            bill(company, books, site, Decimal('300.00'), 1)
            pay(site, '100.00')
            north = self.north_park(company, site)
            with Transaction().set_context(date=DAY):
                yield company, site.estate, north

    def north_park(self, company, site):
        "A second estate with February's 500.00 billed to Li Na, unpaid"
        pool = Pool()
        Building = pool.get('kefu.building')
        Charge = pool.get('kefu.fee.charge')
        Estate = pool.get('kefu.estate')
        Party = pool.get('party.party')
        Unit = pool.get('kefu.unit')
        estate = Estate(name="North Park", code='NP', company=company)
        estate.save()
        building = Building(estate=estate, code='N1', name="North 1")
        building.save()
        unit = Unit(estate=estate, building=building, code='N1-101',
            building_area=Decimal(200))
        unit.save()
        payer = Party(name="Li Na")
        payer.save()
        Charge(company=company, estate=estate, building=building, unit=unit,
            fee_type=site.fee_type, payer=payer,
            period_start=dt.date(2025, 2, 1), period_end=dt.date(2025, 2, 28),
            rate=Decimal(1), quantity=Decimal(500), amount=Decimal(500),
            description="Property service 2025-02", state='posted').save()
        return estate

    def read_reports(self):
        """What the user reads of the reports: the arrears' totals and the
        collection's billed, collected and arrears collected per estate
        name; the months' figures"""
        pool = Pool()
        Arrears = pool.get('kefu.fee.arrears')
        Rate = pool.get('kefu.fee.collection')
        Month = pool.get('kefu.fee.collection.month')
        arrears = {(r.estate.name, r.unit.code): r.total
            for r in Arrears.search([])}
        rates = {(r.estate.name, r.month): (
                r.billed, r.collected, r.arrears_collected)
            for r in Rate.search([])}
        months = {r.month: (r.billed, r.collected, r.arrears_collected)
            for r in Month.search([])}
        return arrears, rates, months

    def report_ids(self):
        "The ids of every row of each report, as the administrator sees"
        pool = Pool()
        return {name: [r.id for r in pool.get(name).search([])]
            for name in REPORTS}

    def every_estate(self):
        "The figures of both estates"
        money = Decimal
        return ({
                ("Green Garden", '1-1-101'): money('200.00'),
                ("North Park", 'N1-101'): money('500.00'),
                }, {
                ("Green Garden", dt.date(2025, 1, 1)): (
                    money('300.00'), money('100.00'), money('0.00')),
                ("Green Garden", dt.date(2025, 3, 1)): (
                    money('0.00'), money('0.00'), money('100.00')),
                ("North Park", dt.date(2025, 2, 1)): (
                    money('500.00'), money('0.00'), money('0.00')),
                }, {
                dt.date(2025, 1, 1): (
                    money('300.00'), money('100.00'), money('0.00')),
                dt.date(2025, 2, 1): (
                    money('500.00'), money('0.00'), money('0.00')),
                dt.date(2025, 3, 1): (
                    money('0.00'), money('0.00'), money('100.00')),
                })

    @with_transaction()
    def test_reports_refused(self):
        "The front desk and the groups outside money read no fee report"
        pool = Pool()
        with self.setup() as (company, garden, north):
            ids = self.report_ids()
            self.assertEqual({n: len(i) for n, i in ids.items()}, {
                    'kefu.fee.arrears': 2,
                    'kefu.fee.collection': 3,
                    'kefu.fee.collection.month': 3,
                    })
            for group in ['group_front_desk', 'group_specialist',
                    'group_engineering', 'group_security',
                    'group_title_deed']:
                user = create_user(group, company, garden, group)
                for name in REPORTS:
                    Report = pool.get(name)
                    with self.subTest(group=group, report=name), \
                            as_user(user):
                        with self.assertRaises(AccessError):
                            Report.search([])
                        with self.assertRaises(AccessError):
                            Report.read(ids[name], ['id'])

    @with_transaction()
    def test_reports_supervisor(self):
        "A supervisor reads the reports of the estates they look after"
        pool = Pool()
        with self.setup() as (company, garden, north):
            ids = self.report_ids()
            supervisor = create_user(
                'supervisor', company, garden, 'group_supervisor')
            arrears, rates, months = self.every_estate()
            garden_only = (
                {k: v for k, v in arrears.items() if k[0] == "Green Garden"},
                {k: v for k, v in rates.items() if k[0] == "Green Garden"},
                {k: v for k, v in months.items()
                    if k != dt.date(2025, 2, 1)})
            with as_user(supervisor):
                self.assertEqual(self.read_reports(), garden_only)
                for name in ['kefu.fee.arrears', 'kefu.fee.collection']:
                    Report = pool.get(name)
                    seen = [r.id for r in Report.search([])]
                    others = sorted(set(ids[name]) - set(seen))
                    self.assertEqual(len(others), 1)
                    with self.assertRaises(AccessError):
                        Report.read(others, ['total' if 'arrears' in name
                                else 'billed'])
            supervisor.kefu_estates = [north]
            supervisor.save()
            with as_user(supervisor):
                arrears, rates, months = self.read_reports()
                self.assertEqual(arrears, {
                        ("North Park", 'N1-101'): Decimal('500.00')})
                self.assertEqual(list(rates), [
                        ("North Park", dt.date(2025, 2, 1))])
                self.assertEqual(months, {dt.date(2025, 2, 1): (
                            Decimal('500.00'), Decimal('0.00'),
                            Decimal('0.00'))})

    @with_transaction()
    def test_reports_every_estate(self):
        "Finance and office managers read the reports of every estate"
        with self.setup() as (company, garden, north):
            accountant = create_user(
                'accountant', company, garden, 'group_finance')
            manager = create_user(
                'manager', company, garden, 'group_office_manager')
            for user in [accountant, manager]:
                with self.subTest(user=user.login), as_user(user):
                    self.assertEqual(
                        self.read_reports(), self.every_estate())
