# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The billing run (计费): one period of the chosen fees for the chosen
estates or buildings, billed as one customer invoice per payer, one line
per unit and fee, each line's origin its charge."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case
from sql.operators import Exists

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .exceptions import BillingError


class BillingRun(Workflow, ModelSQL, ModelView):
    __string__ = "Billing Run"
    __name__ = 'kefu.billing.run'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    month = fields.Date(
        "Month", required=True, states=_states,
        help="The first day of the month billed; a quarterly or yearly fee "
        "is billed by the run of the first month of its period.")
    invoice_date = fields.Date(
        "Bill Date", required=True, states=_states,
        help="The date of the bills; their due date follows from the "
        "payment term of the configuration.")
    estates = fields.Many2Many(
        'kefu.billing.run-kefu.estate', 'run', 'estate', "Estates",
        required=True, states=_states)
    buildings = fields.Many2Many(
        'kefu.billing.run-kefu.building', 'run', 'building', "Buildings",
        domain=[('estate', 'in', Eval('estates', []))],
        states=_states,
        help="Only these buildings of the estates; empty: all of them.")
    fee_types = fields.Many2Many(
        'kefu.billing.run-kefu.fee.type', 'run', 'fee_type', "Fee Types",
        domain=[('company', '=', Eval('company', -1))],
        states=_states, help="Only these fees; empty: every fee.")
    charges = fields.One2Many(
        'kefu.fee.charge', 'billing_run', "Charges", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('computing', "Computing"),
            ('computed', "Computed"),
            ('posting', "Posting"),
            ('posted', "Posted"),
            ], "State", readonly=True, required=True, sort=False,
        help="Computing: the charges and draft bills are being made, batch "
        "by batch; posting: the bills are being posted.")
    charge_count = fields.Function(fields.Integer(
            "Charges", help="The charges made by the run."), 'get_counts')
    charge_amount = fields.Function(fields.Numeric(
            "Amount", digits=(16, 2),
            help="The total of the charges, tax included."), 'get_counts')
    invoice_count = fields.Function(fields.Integer(
            "Bills", help="The bills made by the run."), 'get_counts')
    posted_count = fields.Function(fields.Integer(
            "Bills Posted", help="The bills of the run already posted."),
        'get_counts')
    pending_count = fields.Function(fields.Integer(
            "Still to Bill",
            help="The unit fees of the period not billed yet: a run "
            "interrupted bills only these when computed again."),
        'get_pending_count')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'computing'),
            ('computing', 'computing'),
            ('computing', 'computed'),
            ('computed', 'computing'),
            ('computed', 'posting'),
            ('posting', 'posting'),
            ('posting', 'posted'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'computing', 'computed']),
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': ~Eval('state').in_(['computed', 'posting']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def get_counts(cls, runs, names):
        pool = Pool()
        Charge = pool.get('kefu.fee.charge')
        Invoice = pool.get('account.invoice')
        charge = Charge.__table__()
        invoice = Invoice.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {r.id: 0 for r in runs} for n in names}
        ids = [r.id for r in runs]
        cursor.execute(*charge.select(
                charge.billing_run, Count(charge.id), Sum(charge.amount),
                where=reduce_ids(charge.billing_run, ids)
                & (charge.state != 'cancelled'),
                group_by=[charge.billing_run]))
        for run_id, count, amount in cursor:
            if 'charge_count' in result:
                result['charge_count'][run_id] = count
            if 'charge_amount' in result:
                # SQLite sums numerics as floats
                result['charge_amount'][run_id] = Decimal(
                    str(amount or 0)).quantize(Decimal('0.01'))
        cursor.execute(*invoice.select(
                invoice.kefu_billing_run, Count(invoice.id),
                Sum(Case((invoice.state.in_(['posted', 'paid']), 1), else_=0)),
                where=reduce_ids(invoice.kefu_billing_run, ids)
                & (invoice.state != 'cancelled'),
                group_by=[invoice.kefu_billing_run]))
        for run_id, count, posted in cursor:
            if 'invoice_count' in result:
                result['invoice_count'][run_id] = count
            if 'posted_count' in result:
                result['posted_count'][run_id] = posted or 0
        return result

    def get_pending_count(self, name):
        if self.state == 'draft':
            return None
        return len(self.pending())

    def periods(self):
        "{fee type: (first day, last day)} of the fees the run bills"
        pool = Pool()
        FeeType = pool.get('kefu.fee.type')
        fee_types = self.fee_types or FeeType.search([
                ('company', '=', self.company.id),
                ])
        periods = {}
        for fee_type in fee_types:
            period = fee_type.period(self.month)
            if period:
                periods[fee_type] = period
        return periods

    def pending(self, unit_ids=None):
        """The (unit id, unit fee id) of the period's unit fees without a
        live charge, in the order of the units: a set-based anti-join, so
        an interrupted run resumes where it stopped"""
        pool = Pool()
        UnitFee = pool.get('kefu.unit.fee')
        Unit = pool.get('kefu.unit')
        Charge = pool.get('kefu.fee.charge')
        unit_fee = UnitFee.__table__()
        unit = Unit.__table__()
        charge = Charge.__table__()
        cursor = Transaction().connection.cursor()
        result = []
        where = unit.estate.in_([e.id for e in self.estates])
        if self.buildings:
            where &= unit.building.in_([b.id for b in self.buildings])
        if unit_ids is not None:
            where &= reduce_ids(unit.id, unit_ids)
        for fee_type, (start, end) in self.periods().items():
            billed = charge.select(
                Literal(1),
                where=(charge.unit_fee == unit_fee.id)
                & (charge.period_start >= start)
                & (charge.period_start <= end)
                & (charge.state != 'cancelled'))
            cursor.execute(*unit_fee.join(
                    unit, condition=unit_fee.unit == unit.id).select(
                    unit.id, unit_fee.id, unit.code_sort,
                    where=where
                    & (unit_fee.fee_type == fee_type.id)
                    & (unit_fee.date_from <= end)
                    & ((unit_fee.date_to == Null)
                        | (unit_fee.date_to >= start))
                    & ~Exists(billed)))
            result.extend(cursor)
        result.sort(key=lambda r: (r[2] or '', r[0], r[1]))
        return [(u, f) for u, f, _ in result]

    @classmethod
    @ModelView.button
    @Workflow.transition('computing')
    def compute(cls, runs):
        """Bill the period's unit fees not billed yet, in batches of units,
        each batch its own transaction through the task queue"""
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        size = Configuration(1).billing_batch_size
        # Batches queued by an earlier click and not taken yet (or failed
        # without a worker, which leaves them waiting) are replaced by the
        # batches of what is pending now
        waiting = cls._waiting_batches()
        stale = [t for r in runs for t in waiting.get(r.id, [])]
        if stale:
            Queue = pool.get('ir.queue')
            now = dt.datetime.now()
            with without_check_access():
                Queue.write(stale, {'dequeued_at': now, 'finished_at': now})
        for run in runs:
            run.check_ready()
            unit_ids = list(dict.fromkeys(u for u, _ in run.pending()))
            for batch in grouped_slice(unit_ids, size):
                cls.__queue__.bill_batch([run], list(batch))
            if not unit_ids:
                cls.__queue__.finish_compute([run])

    def check_ready(self):
        pool = Pool()
        Configuration = pool.get('kefu.configuration')
        configuration = Configuration(1)
        configuration.fee_setting('fee_journal', self.company)
        if not self.periods():
            raise BillingError(gettext(
                    'kefu_fee.msg_billing_no_fee', run=self.rec_name))

    def get_rec_name(self, name):
        return '%s %s' % (
            self.month.strftime('%Y-%m') if self.month else '',
            ', '.join(e.rec_name for e in self.estates))

    @classmethod
    def _lock_rows(cls, Model, ids):
        """Serialise concurrent batches on the rows.  Model.lock (8.0)
        restarts the transaction with the rows locked first: a SELECT FOR
        UPDATE that waits would leave the batch on its REPEATABLE READ
        snapshot, blind to what the batch it waited for committed (a second
        bill for the same payer)."""
        Model.lock(Model.browse(sorted(ids)))

    @classmethod
    def bill_batch(cls, runs, unit_ids):
        "Make the charges and draft bills of the units not billed yet"
        pool = Pool()
        Unit = pool.get('kefu.unit')
        for run in runs:
            cls._lock_rows(Unit, unit_ids)
            run._bill(run.pending(unit_ids))
        # Checked once this batch committed: batches committing together
        # would each still see the other's units as pending
        cls.__queue__.check_computed(runs)

    @classmethod
    def check_computed(cls, runs):
        """Mark computed the runs with nothing left to bill.  While a batch
        of the run waits in the queue, that batch checks after it: the
        whole run is checked only by its last batches, not by each."""
        waiting = cls._waiting_batches()
        cls.finish_compute([r for r in runs
                if r.state == 'computing' and r.id not in waiting
                and not r.pending()])

    @classmethod
    def _waiting_batches(cls):
        "{run id: [its billing batches waiting in the queue]}"
        Queue = Pool().get('ir.queue')
        runs = defaultdict(list)
        with without_check_access():
            tasks = Queue.search([
                    ('dequeued_at', '=', None),
                    ('finished_at', '=', None),
                    ])
        for task in tasks:
            data = task.data or {}
            if (data.get('model') == cls.__name__
                    and data.get('method') == 'bill_batch'):
                instances = data.get('instances')
                for run_id in ([instances] if isinstance(instances, int)
                        else instances or []):
                    runs[run_id].append(task)
        return runs

    @classmethod
    @Workflow.transition('computed')
    def finish_compute(cls, runs):
        pass

    def _bill(self, pending):
        pool = Pool()
        UnitFee = pool.get('kefu.unit.fee')
        Charge = pool.get('kefu.fee.charge')
        Party = pool.get('party.party')
        Invoice = pool.get('account.invoice')
        periods = self.periods()
        charges = []
        for unit_fee in UnitFee.browse([f for _, f in pending]):
            start, end = periods[unit_fee.fee_type]
            values = unit_fee.compute(start, end)
            if values:
                values['period_start'], values['period_end'] = (
                    unit_fee.covered(start, end))
                values['billing_run'] = self.id
                values['custody_share'] = values['custody_share'].quantize(
                    Decimal('0.0001'))
                charges.append(Charge(**values))
        Charge.save(charges)
        charges += self._waiting_charges({u for u, _ in pending})
        if not charges:
            return
        self._lock_rows(Party, {c.payer.id for c in charges})
        Invoice.kefu_bill(
            charges, self.company, self.invoice_date,
            gettext('kefu_fee.msg_bill_description',
                month=self.month.strftime('%Y-%m')),
            run=self)

    def _waiting_charges(self, unit_ids):
        "The charges of their own (paid repairs ...) waiting for a bill"
        Charge = Pool().get('kefu.fee.charge')
        return Charge.search([
                ('company', '=', self.company.id),
                ('unit', 'in', list(unit_ids)),
                ('origin', '!=', None),
                ('invoice', '=', None),
                ('state', '=', 'billed'),
                ('period_start', '<=', self.invoice_date),
                ])

    @classmethod
    @ModelView.button
    @Workflow.transition('posting')
    def post(cls, runs):
        """Post the run's draft bills in short transactions, one batch after
        the other (bill and move numbers are strict sequences, taken one
        after the other company-wide): clicked again while posting, it
        resumes a posting whose task was lost"""
        for run in runs:
            cls.__queue__.post_batch([run])

    @classmethod
    def post_batch(cls, runs):
        """Post the next batch of each run's draft bills in this transaction,
        then queue the next batch (or mark the run posted)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Configuration = pool.get('kefu.configuration')
        size = Configuration(1).posting_batch_size
        for run in runs:
            if run.state != 'posting':
                continue
            invoices = Invoice.search([
                    ('kefu_billing_run', '=', run.id),
                    ('state', '=', 'draft'),
                    ], order=[('id', 'ASC')], limit=size)
            cls.post_bills(invoices)
            if Invoice.search([
                        ('kefu_billing_run', '=', run.id),
                        ('state', '=', 'draft'),
                        ], limit=1):
                cls.__queue__.post_batch([run])
            else:
                cls.finish_post([run])

    @classmethod
    def post_bills(cls, invoices):
        "Post the draft bills of a run, the locks taken first"
        Invoice = Pool().get('account.invoice')
        cls._lock_posting(invoices)
        with Transaction().set_context(
                _skip_warnings=True, _kefu_posting=True):
            Invoice._post(invoices)

    @classmethod
    def _lock_posting(cls, invoices):
        """Take the locks posting asks for before any work: trytond 8.0
        takes a lock by restarting the transaction with it, so the locks
        Invoice._post asks for on the way (the rows of the strict sequences
        of the bill numbers, then of the move numbers after the moves are
        made; a new journal period) would each throw away the work done
        before them.  Only the rows are locked: desk payments numbering
        their moves wait for this batch, nothing else does."""
        pool = Pool()
        JournalPeriod = pool.get('account.journal.period')
        Period = pool.get('account.period')
        sequences = defaultdict(set)
        pairs = set()
        done = set()
        for invoice in invoices:
            date = invoice.accounting_date or invoice.invoice_date
            key = (invoice.company, invoice.type, invoice.journal, date,
                invoice._sequence_type)
            if not date or key in done:
                continue
            done.add(key)
            sequence, date = invoice._number_sequence()
            period = Period.find(invoice.company, date=date)
            for record in [sequence, period.move_sequence_used]:
                if record and record.__name__ == 'ir.sequence.strict':
                    sequences[record.__class__].add(record)
            pairs.add((invoice.journal.id, period.id))
        for Sequence, records in sequences.items():
            Sequence.lock(sorted(records, key=lambda r: r.id))
        for journal_id, period_id in pairs:
            if not JournalPeriod.search([
                        ('journal', '=', journal_id),
                        ('period', '=', period_id),
                        ], limit=1):
                JournalPeriod.lock()
                break

    @classmethod
    @Workflow.transition('posted')
    def finish_post(cls, runs):
        pass

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class BillingRunEstate(ModelSQL):
    __string__ = "Billing Run - Estate"
    __name__ = 'kefu.billing.run-kefu.estate'
    run = fields.Many2One(
        'kefu.billing.run', "Run", required=True, ondelete='CASCADE')
    estate = fields.Many2One(
        'kefu.estate', "Estate", required=True, ondelete='CASCADE')


class BillingRunBuilding(ModelSQL):
    __string__ = "Billing Run - Building"
    __name__ = 'kefu.billing.run-kefu.building'
    run = fields.Many2One(
        'kefu.billing.run', "Run", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'kefu.building', "Building", required=True, ondelete='CASCADE')


class BillingRunFeeType(ModelSQL):
    __string__ = "Billing Run - Fee Type"
    __name__ = 'kefu.billing.run-kefu.fee.type'
    run = fields.Many2One(
        'kefu.billing.run', "Run", required=True, ondelete='CASCADE')
    fee_type = fields.Many2One(
        'kefu.fee.type', "Fee Type", required=True, ondelete='CASCADE')
