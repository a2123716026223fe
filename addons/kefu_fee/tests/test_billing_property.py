# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A property test of billing: random fees, areas, custody and periods
billed and posted; the receivables posted equal the charges, and every
bill's VAT is the Chinese formula on its total."""
import datetime as dt
import itertools
from unittest.mock import patch
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from trytond.modules.account.tests.test_module import get_fiscalyear
from trytond.modules.account_invoice.tests.test_module import (
    set_invoice_sequences)
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.kefu_fee.tests.tools import create_kefu_chart, kefu_taxes
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.tests.test_tryton import (
    TestCase, activate_module, with_transaction)

CENT = Decimal('0.01')
areas = st.integers(min_value=1000, max_value=30000).map(
    lambda c: Decimal(c) / 100)
rates = st.integers(min_value=1, max_value=900).map(
    lambda c: Decimal(c) / 100)
units = st.lists(
    st.tuples(areas, st.sampled_from(['occupied', 'vacant', 'in_custody']),
        st.integers(min_value=0, max_value=2)),
    min_size=1, max_size=6)
fees = st.lists(
    st.tuples(st.sampled_from(['per_area', 'fixed']),
        st.sampled_from(['service', 'garbage', 'parking']), rates,
        st.sampled_from(['monthly', 'quarterly']),
        st.sampled_from(['vat_6', 'vat_9', 'vat_simple_3', None])),
    min_size=1, max_size=3)
months = st.integers(min_value=1, max_value=12)


class BillingPropertyTestCase(TestCase):
    "Test billing over random fees and units"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kefu_fee')

    @with_transaction()
    def test_receivables_equal_charges(self):
        "Σ receivables posted = Σ charges, each bill's VAT the formula"
        company = create_company()
        with set_company(company):
            self.setup_accounting(company)
            counter = itertools.count()

            # Each example bills and posts in the database: no shrinking
            @settings(max_examples=8, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))
            @given(units, fees, months)
            def check(units, fees, month):
                self.check_run(company, next(counter), units, fees, month)
            check()

    @with_transaction()
    def test_post_one_batch_after_another(self):
        "Posting: each batch queues the next; Post again resumes a lost one"
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Invoice = pool.get('account.invoice')
        Queue = pool.get('ir.queue')
        Run = pool.get('kefu.billing.run')
        company = create_company()
        with set_company(company):
            self.setup_accounting(company)
            configuration = Configuration(1)
            configuration.posting_batch_size = 2
            configuration.save()
            estate, unit_records, run = self.garbage_run(company, [
                    (Decimal('80.00'), 'occupied', o) for o in [0, 1, 2]]
                + [(Decimal('60.00'), 'occupied', o) for o in [0, 1]])
            Run.bill_batch([run], [u.id for u in unit_records])
            run.state = 'computed'
            run.save()
            bills = Invoice.search([('kefu_billing_run', '=', run.id)],
                order=[('id', 'ASC')])
            self.assertEqual(len(bills), 3)  # one a payer

            def run_tasks(limit=None):
                "Run the queued tasks; return how many posting batches ran"
                tasks = Transaction().tasks
                batches = 0
                while tasks and limit != batches:
                    task = Queue(tasks.pop(0))
                    batches += task.data['method'] == 'post_batch'
                    task.run()
                return batches

            Run.post([run])
            # The first batch posts the first 2 bills and queues the next;
            # the queued task is lost (a worker killed)
            self.assertEqual(run_tasks(limit=1), 1)
            Transaction().tasks.clear()
            self.assertEqual([b.state for b in Invoice.browse(bills)],
                ['posted', 'posted', 'draft'])
            self.assertEqual(Run(run.id).state, 'posting')

            Run.post([run])  # clicked again: resumes
            self.assertEqual(run_tasks(), 1)
            self.assertEqual(Run(run.id).state, 'posted')
            bills = Invoice.browse(bills)
            self.assertEqual([b.state for b in bills], ['posted'] * 3)
            self.assertEqual(sorted(b.number for b in bills),
                [b.number for b in bills])  # numbered in order
            self.assertEqual(sum(b.total_amount for b in bills),
                Decimal('75.00'))

    @with_transaction()
    def test_computed_checked_by_last_batches(self):
        """Computing: while batches of the run wait in the queue, a batch's
        check leaves the run to them; the last batch checks the whole run
        and marks it computed (the whole run is read once, not by each of
        its batches)"""
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Queue = pool.get('ir.queue')
        Run = pool.get('kefu.billing.run')
        company = create_company()
        with set_company(company):
            self.setup_accounting(company)
            configuration = Configuration(1)
            configuration.billing_batch_size = 2
            configuration.save()
            estate, unit_records, run = self.garbage_run(company, [
                    (Decimal('80.00'), 'occupied', o)
                    for o in [0, 1, 2, 0, 1]])

            whole_run_reads = []
            pending = Run.pending

            def spy(self, unit_ids=None):
                if unit_ids is None:
                    whole_run_reads.append(self.id)
                return pending(self, unit_ids)

            Run.compute([run])
            tasks = Transaction().tasks
            self.assertEqual(
                [Queue(t).data['method'] for t in tasks], ['bill_batch'] * 3)
            states = []
            # As trytond's dispatcher runs them without a worker: the last
            # queued first, each in its transaction
            while tasks:
                task = Queue(tasks.pop())
                with patch.object(Run, 'pending', spy):
                    task.run()
                if task.data['method'] == 'check_computed':
                    state, = Run.read([run.id], ['state'])
                    states.append(state['state'])
            self.assertEqual(states, ['computing', 'computing', 'computed'])
            self.assertEqual(whole_run_reads, [run.id])
            self.assertEqual(Run(run.id).pending(), [])
            self.assertEqual(Run(run.id).charge_count, 5)

            # A run whose first batch ran and whose other two were lost
            # (failed without a worker, they stay waiting): Compute again
            # replaces them, and the run gets computed
            second = Run(company=company, month=dt.date(2026, 6, 1),
                invoice_date=dt.date(2026, 6, 5), estates=[estate])
            second.save()
            Run.compute([second])
            lost = tasks[:2]
            Queue(tasks.pop()).run()
            Queue(tasks.pop()).run()
            tasks.clear()
            self.assertEqual(len(Run(second.id).pending()), 4)
            Run.compute([second])
            self.assertEqual(
                {(t.dequeued_at is not None, t.finished_at is not None)
                    for t in Queue.browse(lost)}, {(True, True)})
            while tasks:
                Queue(tasks.pop()).run()
            self.assertEqual(
                (Run(second.id).state, Run(second.id).charge_count),
                ('computed', 5))

    def garbage_run(self, company, unit_values):
        """The units of unit_values paying a garbage fee of 15.00 a month
        since January 2026, and a draft billing run of May 2026 for their
        estate: (estate, units, run)"""
        pool = Pool()
        Run = pool.get('kefu.billing.run')
        UnitFee = pool.get('kefu.unit.fee')
        estate, unit_records = self.make_units(company, 0, unit_values)
        fee_type, = self.make_fees(company, 0, [
                ('fixed', 'garbage', Decimal('15.00'), 'monthly',
                    'vat_6')])
        UnitFee.save([UnitFee(company=company, unit=u,
                    fee_type=fee_type, date_from=dt.date(2026, 1, 1))
                for u in unit_records])
        run = Run(company=company, month=dt.date(2026, 5, 1),
            invoice_date=dt.date(2026, 5, 5), estates=[estate])
        run.save()
        return estate, unit_records, run

    def setup_accounting(self, company):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        Journal = pool.get('account.journal')
        self.accounts = create_kefu_chart(company)
        self.taxes = kefu_taxes(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(
                company, today=dt.date(2026, 6, 1)))
        fiscalyear.save()
        fiscalyear.create_period([fiscalyear])
        configuration = Configuration(1)
        configuration.fee_journal, = Journal.search(
            [('type', '=', 'revenue')])
        configuration.save()
        self.owners = []
        Party = pool.get('party.party')
        for name in ["张伟", "李娜", "王芳"]:
            party = Party(name=name)
            party.save()
            self.owners.append(party)

    def check_run(self, company, n, unit_values, fee_values, month):
        pool = Pool()
        Run = pool.get('kefu.billing.run')
        Invoice = pool.get('account.invoice')
        Charge = pool.get('kefu.fee.charge')
        Line = pool.get('account.move.line')
        estate, unit_records = self.make_units(company, n, unit_values)
        fee_types = self.make_fees(company, n, fee_values)
        UnitFee = pool.get('kefu.unit.fee')
        UnitFee.save([UnitFee(company=company, unit=u, fee_type=f,
                        date_from=dt.date(2026, 1, 1))
                for u in unit_records for f in fee_types])

        run = Run(company=company, month=dt.date(2026, month, 1),
            invoice_date=dt.date(2026, 12, 31), estates=[estate],
            fee_types=fee_types)
        run.save()
        if not run.periods():
            return
        Run.bill_batch([run], [u.id for u in unit_records])
        invoices = Invoice.search([('kefu_billing_run', '=', run.id)])
        Run.post_bills(invoices)

        charges = Charge.search([('billing_run', '=', run.id)])
        self.assertEqual(
            len(charges),
            len(unit_records) * len([f for f in fee_types
                    if f.period(run.month)]))
        self.assertTrue(all(c.state == 'posted' for c in charges))
        moves = [i.move for i in Invoice.browse(invoices)]
        receivable = sum(
            (l.debit - l.credit for l in Line.search([
                        ('move', 'in', [m.id for m in moves]),
                        ('account', '=', self.accounts['1122'].id),
                        ])), Decimal(0))
        self.assertEqual(receivable, sum(c.amount for c in charges))
        for invoice in Invoice.browse(invoices):
            self.check_bill(invoice)

    def check_bill(self, invoice):
        grosses = {}
        for line in invoice.lines:
            tax = line.origin.tax
            grosses.setdefault(tax, Decimal(0))
            grosses[tax] += line.origin.amount
        expected = sum(
            ((g * t.rate / (1 + t.rate)).quantize(
                        CENT, rounding=ROUND_HALF_UP)
                for t, g in grosses.items() if t), Decimal(0))
        self.assertEqual(invoice.tax_amount, expected)
        self.assertEqual(invoice.total_amount, sum(grosses.values()))

    def make_units(self, company, n, unit_values):
        pool = Pool()
        Estate = pool.get('kefu.estate')
        Building = pool.get('kefu.building')
        Unit = pool.get('kefu.unit')
        estate = Estate(name="Estate %s" % n, code='E%s' % n,
            company=company)
        estate.save()
        building = Building(estate=estate, code='1', floors=30)
        building.save()
        records = []
        for i, (area, occupancy, owner) in enumerate(unit_values):
            records.append(Unit(
                    estate=estate, building=building, code='1-%s' % i,
                    floor=1, building_area=area,
                    delivery_state='handed_over', occupancy=occupancy,
                    ownerships=[{
                            'party': self.owners[owner].id,
                            'share': Decimal(100),
                            'date_from': dt.date(2025, 1, 1)}]))
        Unit.save(records)
        return estate, records

    def make_fees(self, company, n, fee_values):
        FeeType = Pool().get('kefu.fee.type')
        records = []
        for i, (method, kind, rate, periodicity, tax) in enumerate(
                fee_values):
            records.append(FeeType(
                    company=company, name="Fee %s" % i,
                    code='F%s-%s' % (n, i), kind=kind, method=method,
                    rate=rate, periodicity=periodicity,
                    account=self.accounts['600101'],
                    tax=self.taxes[tax] if tax else None))
        FeeType.save(records)
        return records
