# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The billing run (计费): one period of the chosen fees for the chosen
estates or buildings, billed as one customer invoice per payer, one line
per unit and fee, each line's origin its charge."""
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
from trytond.transaction import Transaction

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
        "Mark computed the runs with nothing left to bill"
        cls.finish_compute([r for r in runs
                if r.state == 'computing' and not r.pending()])

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
        """Post the run's draft bills in short transactions (the bill and
        move numbers are taken one after the other, company-wide)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Configuration = pool.get('kefu.configuration')
        size = Configuration(1).posting_batch_size
        for run in runs:
            invoices = Invoice.search([
                    ('kefu_billing_run', '=', run.id),
                    ('state', '=', 'draft'),
                    ], order=[('id', 'ASC')])
            for batch in grouped_slice(invoices, size):
                cls.__queue__.post_batch([run], [i.id for i in batch])
            if not invoices:
                cls.__queue__.finish_post([run])

    @classmethod
    def post_batch(cls, runs, invoice_ids):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoices = Invoice.search([
                ('id', 'in', invoice_ids),
                ('state', '=', 'draft'),
                ], order=[('id', 'ASC')])
        with Transaction().set_context(_skip_warnings=True):
            Invoice._post(invoices)
        for run in runs:
            if not Invoice.search([
                        ('kefu_billing_run', '=', run.id),
                        ('state', '=', 'draft'),
                        ], limit=1):
                cls.finish_post([run])

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
