# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A billing run survives its worker being killed (PostgreSQL only).

On a new PostgreSQL database with kefu_fee activated by trytond-admin,
tests/fee_setup.py fills the books and an estate of UNITS units (two fees
each, billing batches of BATCH units) and clicks Compute on the run of
November 2026 with `[queue] worker = True`: the batches are only queued
(ir.queue rows).  trytond-worker bills them; once some batches but not all
have committed, the worker's whole process group is killed with SIGKILL
(the batch in flight is lost with its transaction and its task, already
dequeued, is never taken again).  The test checks the partial state, starts
the worker again and clicks Compute again: the tasks still queued and the
run's anti-join bill what is missing.  Then:

- every unit × fee × period is billed exactly once;
- no bill is without lines, and each payer has one bill;
- Σ charges = Σ bills (untaxed + tax) = the total computed here from the
  areas and the rates (each charge rounded half up);
- each bill's tax = round half up (Σ gross × 6% / 1.06);
- after Post (through the worker) every bill and charge is posted and the
  receivable balance is Σ charges;
- a cashier's payment taken at the desk while the run posts (once its
  first bill is posted) commits while bills of the run are still waiting
  to be posted: posting locks the company's numbering for one batch at a
  time, never for the whole run, and the payment pays its bill in full.

It runs on PostgreSQL only (SQLite has no concurrent worker); on SQLite it
is skipped with a printed reason.  The database is named as tests/run.py
names the databases of its run, and dropped at the end."""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from collections import defaultdict
from decimal import Decimal

from tests.fee_setup import (
    MONTH, VAT_RATE, gross_amounts, payer, plan, round_half_up)
from tests.server import database_uri, is_postgresql, project_retry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
SETUP = os.path.join(ROOT, 'tests', 'fee_setup.py')
UNITS = 150
BATCH = 10          # units a billing batch
POSTING_BATCH = 5   # bills a posting batch
FEES = 2            # fees a unit pays
WORKERS = 2         # processes of trytond-worker
KILL_AFTER = 3      # batches committed before the kill
ADMIN_TIMEOUT = 900
STEP_TIMEOUT = 300  # until a run is computed or posted
# To rerun the test quickly: a database where kefu_fee is activated (and
# nothing else done), copied instead of activating kefu_fee
TEMPLATE = os.environ.get('KEFU_BILLING_TEMPLATE')


class BillingFaultTestCase(unittest.TestCase):
    "A billing run killed mid-way resumes and bills everything once"

    @classmethod
    def setUpClass(cls):
        if not is_postgresql():
            print('\ntests.test_billing_fault: skipped on SQLite; the '
                'worker runs on PostgreSQL only', file=sys.stderr)
            raise unittest.SkipTest('the billing worker needs PostgreSQL')

    def setUp(self):
        self.uri = database_uri()
        self.database = 'test_kefu_%s_billing_%s' % (
            os.environ.get('KEFU_RUN_ID', 'solo'), uuid.uuid4().hex[:8])
        self.tmp = tempfile.mkdtemp(prefix='kefu-billing-')
        self.config = os.path.join(self.tmp, 'trytond.conf')
        with open(self.config, 'w') as f:
            # The project's retry: a desk payment waits for a posting batch
            # as it would in production
            f.write('[database]\nuri = %s\nretry = %s\n\n'
                '[queue]\nworker = True\n' % (self.uri, project_retry()))
        self.worker = None
        self.timings = {}
        self.created = False
        self.addCleanup(self.cleanup)

    def cleanup(self):
        self.stop_worker(signal.SIGTERM)
        if self.created:
            self.admin_sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                % self.database)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # Processes and SQL

    def env(self):
        env = dict(os.environ)
        env.pop('TRYTOND_DATABASE_URI', None)
        env.pop('TRYTOND_CONFIG', None)
        env['TRYTOND_DATABASE__URI'] = self.uri
        env['TRYTONPASSFILE'] = os.path.join(self.tmp, 'adminpass')
        return env

    def run_command(self, *args, timeout=STEP_TIMEOUT):
        result = subprocess.run(args, env=self.env(), cwd=ROOT,
            capture_output=True, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL)
        if result.returncode:
            self.fail('%s failed (exit %s):\n%s' % (
                    ' '.join(args[:4]), result.returncode,
                    (result.stdout + result.stderr)[-4000:]))
        return result.stdout

    def setup_step(self, *args):
        "Run a step of tests/fee_setup.py; return its JSON line"
        output = self.run_command(sys.executable, SETUP, '-c', self.config,
            '-d', self.database, *args)
        return json.loads(output.strip().splitlines()[-1])

    def admin_sql(self, sql):
        import psycopg
        with psycopg.connect(self.uri.rstrip('/') + '/postgres',
                autocommit=True) as conn:
            conn.execute(sql)

    def sql(self, query, *params):
        import psycopg
        with psycopg.connect(
                self.uri.rstrip('/') + '/' + self.database,
                autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def value(self, query, *params):
        return self.sql(query, *params)[0][0]

    def start_worker(self):
        log = open(os.path.join(self.tmp, 'worker.log'), 'a')
        # Its own session: the kill takes the pool's processes with it,
        # as a crash of the machine would.
        self.worker = subprocess.Popen([
                os.path.join(BIN, 'trytond-worker'), '-c', self.config,
                '-d', self.database, '-n', str(WORKERS),
                ], env=self.env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    def stop_worker(self, sig):
        if self.worker is None:
            return
        if self.worker.poll() is None:
            try:
                os.killpg(self.worker.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
        self.worker = None

    def worker_log(self):
        path = os.path.join(self.tmp, 'worker.log')
        if not os.path.exists(path):
            return ''
        with open(path, errors='replace') as f:
            return f.read()[-4000:]

    def wait_state(self, run_id, state):
        "Wait until the run is in state and its tasks are done"
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            current = self.value(
                'SELECT state FROM kefu_billing_run WHERE id = %s', run_id)
            waiting = self.value('SELECT count(*) FROM ir_queue '
                'WHERE dequeued_at IS NULL')
            if current == state and not waiting:
                return
            if self.worker.poll() is not None:
                self.fail('trytond-worker exited:\n%s' % self.worker_log())
            if time.monotonic() > deadline:
                self.fail('run %s is %s, not %s, after %s s (%s tasks '
                    'waiting); errors: %s\n%s' % (
                        run_id, current, state, STEP_TIMEOUT, waiting,
                        self.errors(), self.worker_log()))
            time.sleep(0.2)

    def errors(self):
        return self.sql('SELECT message FROM ir_error ORDER BY id')

    # The test

    def create_database(self):
        with open(os.path.join(self.tmp, 'adminpass'), 'w') as f:
            f.write(uuid.uuid4().hex + '\n')
        start = time.monotonic()
        if TEMPLATE:
            self.admin_sql('CREATE DATABASE "%s" TEMPLATE "%s"' % (
                    self.database, TEMPLATE))
            self.created = True
            return
        self.admin_sql('CREATE DATABASE "%s" ENCODING \'UTF8\''
            % self.database)
        self.created = True
        self.run_command(os.path.join(BIN, 'trytond-admin'),
            '-c', self.config, '-d', self.database, '-u', 'kefu_fee',
            '--activate-dependencies', '--email', 'admin@example.com',
            timeout=ADMIN_TIMEOUT)
        self.timings['activation'] = time.monotonic() - start

    def kill_mid_run(self):
        """Let the worker commit some batches, kill it, return the charges
        committed then"""
        self.start_worker()
        start = time.monotonic()
        while True:
            charges = self.value('SELECT count(*) FROM kefu_fee_charge')
            if charges >= KILL_AFTER * BATCH * FEES:
                break
            if time.monotonic() - start > STEP_TIMEOUT:
                self.fail('no batch billed in %s s:\n%s' % (
                        STEP_TIMEOUT, self.worker_log()))
            time.sleep(0.05)
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()
        self.worker = None
        self.timings['first_worker'] = time.monotonic() - start
        return charges

    def test_kill_and_resume(self):
        "Kill the worker mid-run, compute again: every fee billed once"
        units = plan(UNITS)
        expected = len(units) * FEES
        self.create_database()
        start = time.monotonic()
        self.setup_step('fill', '--units', str(UNITS),
            '--batch-size', str(BATCH),
            '--posting-batch-size', str(POSTING_BATCH))
        self.timings['fill'] = time.monotonic() - start
        run_id = self.setup_step('compute')['run']
        queued = self.value('SELECT count(*) FROM ir_queue')
        self.assertEqual(queued, -(-UNITS // BATCH))
        self.assertEqual(
            self.value('SELECT count(*) FROM kefu_fee_charge'), 0)

        self.kill_mid_run()
        # What the kill left: whole batches only
        charges = self.value('SELECT count(*) FROM kefu_fee_charge')
        lost = self.value('SELECT count(*) FROM ir_queue WHERE '
            'dequeued_at IS NOT NULL AND finished_at IS NULL')
        left = self.value(
            'SELECT count(*) FROM ir_queue WHERE dequeued_at IS NULL')
        print('\ntests.test_billing_fault: killed the worker after %.1f s '
            'with %s of %s charges committed, %s tasks lost in flight, %s '
            'still queued' % (self.timings['first_worker'], charges,
                expected, lost, left), file=sys.stderr)
        self.assertTrue(0 < charges < expected, charges)
        self.assertEqual(charges % FEES, 0)
        self.assertEqual(self.value('SELECT count(*) FROM kefu_fee_charge '
                'WHERE invoice IS NULL OR invoice_line IS NULL'), 0)
        self.assertEqual(self.value('SELECT state FROM kefu_billing_run '
                'WHERE id = %s', run_id), 'computing')

        # The resume: the worker again, and Compute again
        start = time.monotonic()
        self.start_worker()
        self.setup_step('compute', '--run', str(run_id))
        self.wait_state(run_id, 'computed')
        self.timings['resume'] = time.monotonic() - start
        self.check_bills(units, expected)

        desk = self.setup_step('desk')['desk']
        cashier = self.start_cashier(run_id, desk)
        start = time.monotonic()
        self.setup_step('post', '--run', str(run_id))
        payment = self.pay_while_posting(cashier, run_id)
        self.wait_state(run_id, 'posted')
        self.timings['post'] = time.monotonic() - start
        self.check_posted(units, payment)
        self.assertEqual(self.errors(), [])
        print('tests.test_billing_fault: %s' % ', '.join(
                '%s %.1f s' % i for i in self.timings.items()),
            file=sys.stderr)

    def start_cashier(self, run_id, desk):
        "A cashier's process at the desk, its pool loaded, waiting for go"
        log = open(os.path.join(self.tmp, 'cashier.log'), 'w')
        cashier = subprocess.Popen([sys.executable, SETUP, '-c', self.config,
                '-d', self.database, 'pay', '--run', str(run_id),
                '--desk', str(desk)], env=self.env(), cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True)
        log.close()
        self.addCleanup(self.stop_cashier, cashier)
        ready, _, _ = select.select([cashier.stdout], [], [], STEP_TIMEOUT)
        if not ready or not cashier.stdout.readline().strip():
            self.stop_cashier(cashier)
            self.fail('the cashier did not start:\n%s' % self.cashier_log())
        return cashier

    def stop_cashier(self, cashier):
        if cashier.poll() is None:
            cashier.kill()
            cashier.wait()

    def cashier_log(self):
        with open(os.path.join(self.tmp, 'cashier.log'),
                errors='replace') as f:
            return f.read()[-4000:]

    def bills(self, run_id, states):
        return self.value('SELECT count(*) FROM account_invoice WHERE '
            'kefu_billing_run = %s AND state = ANY(%s)', run_id, states)

    def pay_while_posting(self, cashier, run_id):
        """Once the run's first bill is posted, the cashier takes a
        payment: it must commit while the run still has bills to post"""
        deadline = time.monotonic() + STEP_TIMEOUT
        while not self.bills(run_id, ['posted']):
            if time.monotonic() > deadline:
                self.fail('no bill posted in %s s:\n%s' % (
                        STEP_TIMEOUT, self.worker_log()))
            time.sleep(0.05)
        waiting = ['draft', 'validated']
        before = self.bills(run_id, waiting)
        cashier.stdin.write('go\n')
        cashier.stdin.flush()
        output, _ = cashier.communicate(timeout=STEP_TIMEOUT)
        # Counted after the payment's commit: at most what was left then
        after = self.bills(run_id, waiting)
        if cashier.returncode:
            self.fail('the payment failed:\n%s' % self.cashier_log())
        payment = json.loads(output.strip().splitlines()[-1])
        print('\ntests.test_billing_fault: a desk payment taken while the '
            'run posted took %.1f s; bills to post: %s before it, %s after'
            % (payment['seconds'], before, after), file=sys.stderr)
        self.assertGreater(after, 0,
            'the desk payment waited until the whole run was posted')
        return payment

    def check_bills(self, units, expected):
        total, distinct = self.sql('SELECT count(*), count(DISTINCT '
            '(unit, fee_type, period_start)) FROM kefu_fee_charge '
            "WHERE state != 'cancelled' AND period_start = %s", MONTH)[0]
        self.assertEqual((total, distinct), (expected, expected))
        self.assertEqual(self.value('SELECT count(*) FROM account_invoice i '
                'WHERE NOT EXISTS (SELECT 1 FROM account_invoice_line l '
                'WHERE l.invoice = i.id)'), 0)
        grosses = defaultdict(Decimal)
        for unit in units:
            grosses[payer(unit)] += sum(gross_amounts(unit))
        bills = self.sql('''
            SELECT p.name, i.id,
                (SELECT sum(c.amount) FROM kefu_fee_charge c
                    WHERE c.invoice = i.id),
                (SELECT sum(l.quantity::numeric * l.unit_price)
                    FROM account_invoice_line l WHERE l.invoice = i.id),
                (SELECT coalesce(sum(t.amount), 0)
                    FROM account_invoice_tax t WHERE t.invoice = i.id)
            FROM account_invoice i JOIN party_party p ON p.id = i.party''')
        self.assertEqual(
            sorted(b[0] for b in bills), sorted(grosses),
            "one bill per payer")
        for name, invoice, charged, untaxed, tax in bills:
            self.assertEqual(charged, grosses[name], name)
            self.assertEqual(untaxed + tax, charged, name)
            self.assertEqual(tax, round_half_up(
                    charged * VAT_RATE / (1 + VAT_RATE)), name)
        expected_total = sum(grosses.values())
        self.assertEqual(self.value('SELECT sum(amount) FROM '
                'kefu_fee_charge'), expected_total)
        self.assertEqual(sum(b[3] + b[4] for b in bills), expected_total)

    def check_posted(self, units, payment):
        """Every bill and charge posted, but the bills paid at the desk;
        the receivable is what was billed less what was paid"""
        expected_total = sum(sum(gross_amounts(u)) for u in units)
        paid = Decimal(payment['amount'])
        self.assertGreater(paid, 0)
        self.assertEqual(self.sql('SELECT DISTINCT state FROM '
                "account_invoice WHERE id != ALL(%s)", payment['bills']),
            [('posted',)])
        self.assertEqual(self.sql('SELECT id, state FROM account_invoice '
                'WHERE id = ANY(%s) ORDER BY id', payment['bills']),
            [(i, 'paid') for i in sorted(payment['bills'])])
        self.assertEqual(self.sql('SELECT sum(amount), array_agg(DISTINCT '
                'state) FROM kefu_fee_charge WHERE invoice = ANY(%s)',
                payment['bills']), [(paid, ['paid'])])
        self.assertEqual(self.sql('SELECT DISTINCT state FROM '
                'kefu_fee_charge WHERE invoice != ALL(%s)',
                payment['bills']), [('posted',)])
        self.assertEqual(self.value('SELECT amount FROM kefu_fee_receipt '
                'WHERE id = %s', payment['receipt']), paid)
        expected_total -= paid
        receivable = self.value('''
            SELECT sum(l.debit - l.credit) FROM account_move_line l
                JOIN account_move m ON m.id = l.move
                JOIN account_account a ON a.id = l.account
                JOIN account_account_type t ON t.id = a.type
            WHERE m.state = 'posted' AND t.receivable''')
        self.assertEqual(receivable, expected_total)
