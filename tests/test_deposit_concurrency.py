#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Ten refunds of one deposit at once: one passes (PostgreSQL only).

On a new PostgreSQL database with kefu_fee activated by trytond-admin (in
a whole run of tests/run.py: restored from the dump its module tests made
of a database where they activated kefu_fee, a minute less), the setup
step (this file run as a script) fills the books and an estate,
creates front-desk users and a renovation deposit of 900.00 received at
the desk.  Then PROCESSES operating-system processes, each as one of the
front-desk users (several processes share a user), click the deposit's
Refund button through proteus (its trytond backend calls the model the way
trytond's RPC dispatcher does: the access checks, then a transaction
restarted with the locks the code asked for; a lock still taken fails the
transaction's start, which neither retries further) and fill in the whole
900.00; they wait at a barrier (a file) and press OK together.

The ledger takes the deposit's row lock before it checks what is left
(SELECT ... FOR UPDATE NOWAIT on PostgreSQL: the first attempt asks for the
lock and is restarted with it; kefu.deposit first waits, on a connection
of its own, until the rows are free, and the restart retries the lock for
the project's [database] retry times).  So:

- exactly one process refunds; each of the nine others gets the ledger's
  DepositError (it saw the refund requested: nothing left), never a lock
  error; every OK went through the restart;
- the deposit holds 900.00 with 900.00 requested: held never below the
  refunds requested; one refund line, one payment of 900.00;
- an eleventh desk, which opened the form before the race and presses OK
  after it, gets the ledger's message: nothing left to refund;
- a direct SQL UPDATE making held negative, or below the refunds
  requested, is refused by PostgreSQL's checks.

On SQLite it is skipped with a printed reason (one process only, no row
locks).  The database is named as tests/run.py names the databases of its
run, and dropped at the end."""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
from collections import Counter
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
PROCESSES = 10
USERS = 4           # front-desk users; processes take them in turn
AMOUNT = Decimal('900.00')
ADMIN_TIMEOUT = 900
STEP_TIMEOUT = 300  # a process until ready, or until it answered


class DepositConcurrencyTestCase(unittest.TestCase):
    "Ten refunds of a whole deposit at once: exactly one passes"

    @classmethod
    def setUpClass(cls):
        from tests.server import is_postgresql
        if not is_postgresql():
            print('\ntests.test_deposit_concurrency: skipped on SQLite; '
                'concurrent transactions and row locks need PostgreSQL',
                file=sys.stderr)
            raise unittest.SkipTest('concurrent refunds need PostgreSQL')

    def setUp(self):
        from tests.server import database_uri, project_retry
        self.uri = database_uri()
        self.database = 'test_kefu_%s_deposit_%s' % (
            os.environ.get('KEFU_RUN_ID', 'solo'), uuid.uuid4().hex[:8])
        self.tmp = tempfile.mkdtemp(prefix='kefu-deposit-')
        self.config = os.path.join(self.tmp, 'trytond.conf')
        # The project's retry of a lock held by another request
        self.retry = project_retry()
        with open(self.config, 'w') as f:
            f.write('[database]\nuri = %s\nretry = %s\n' % (
                    self.uri, self.retry))
        self.processes = []
        self.created = False
        self.timings = {}
        self.addCleanup(self.cleanup)

    def cleanup(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        if self.created:
            self.admin_sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                % self.database)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # Processes and SQL

    def env(self):
        env = dict(os.environ)
        env.pop('TRYTOND_DATABASE__URI', None)
        env.pop('TRYTOND_CONFIG', None)
        # proteus (and trytond's default configuration) read this one
        env['TRYTOND_DATABASE_URI'] = self.uri
        env['TRYTOND_DATABASE__RETRY'] = self.retry
        env['TRYTONPASSFILE'] = os.path.join(self.tmp, 'adminpass')
        env['PYTHONPATH'] = os.pathsep.join(
            filter(None, [ROOT, env.get('PYTHONPATH')]))
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

    def script(self, *args):
        "The command running a step of this file"
        return [sys.executable, os.path.abspath(__file__),
            '-d', self.database, *args]

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

    def create_database(self):
        """Activate kefu_fee with trytond-admin, or restore the run's own
        dump of a database where the module tests activated it"""
        with open(os.path.join(self.tmp, 'adminpass'), 'w') as f:
            f.write(uuid.uuid4().hex + '\n')
        start = time.monotonic()
        self.admin_sql('CREATE DATABASE "%s" ENCODING \'UTF8\''
            % self.database)
        self.created = True
        dump = module_dump()
        if dump:
            uri = urllib.parse.urlparse(self.uri)
            options = [o for flag, value in [('-h', uri.hostname),
                    ('-p', uri.port), ('-U', uri.username)] if value
                for o in (flag, str(value))]
            env = self.env()
            if uri.password:
                env['PGPASSWORD'] = uri.password
            subprocess.run(['pg_restore', '-d', self.database, '-j', '2',
                    *options, dump], env=env, check=True,
                capture_output=True, timeout=ADMIN_TIMEOUT)
            self.timings['restore of the module tests\' dump'] = (
                time.monotonic() - start)
            return
        self.run_command(os.path.join(BIN, 'trytond-admin'),
            '-c', self.config, '-d', self.database, '-u', 'kefu_fee',
            '--activate-dependencies', '--email', 'admin@example.com',
            timeout=ADMIN_TIMEOUT)
        self.timings['activation'] = time.monotonic() - start

    def start_refunds(self, deposit, logins):
        """Start the processes (and a late one), wait until each shows the
        refund form, open the barrier; return their answers, then open the
        late one's and return its answer"""
        go, late = [os.path.join(self.tmp, n) for n in ['go', 'go-late']]
        readies = []
        for i in range(PROCESSES + 1):
            ready = os.path.join(self.tmp, 'ready-%s' % i)
            readies.append(ready)
            log = open(os.path.join(self.tmp, 'refund-%s.log' % i), 'w')
            self.processes.append(subprocess.Popen(self.script(
                        'refund', '--deposit', str(deposit),
                        '--login', logins[i % len(logins)],
                        '--amount', str(AMOUNT),
                        '--ready', ready,
                        '--go', go if i < PROCESSES else late),
                    env=self.env(), cwd=ROOT, stdout=subprocess.PIPE,
                    stderr=log, stdin=subprocess.DEVNULL, text=True))
            log.close()
        start = time.monotonic()
        while not all(os.path.exists(r) for r in readies):
            for i, process in enumerate(self.processes):
                if process.poll() is not None:
                    self.fail('refund process %s exited (%s) before the '
                        'barrier:\n%s' % (i, process.returncode,
                            self.log(i)))
            if time.monotonic() - start > STEP_TIMEOUT:
                self.fail('the processes were not ready in %s s'
                    % STEP_TIMEOUT)
            time.sleep(0.05)
        self.timings['processes ready'] = time.monotonic() - start
        open_barrier(go)
        start = time.monotonic()
        answers = [self.answer(i) for i in range(PROCESSES)]
        self.timings['refunds'] = time.monotonic() - start
        open_barrier(late)
        return answers, self.answer(PROCESSES)

    def answer(self, i):
        process = self.processes[i]
        stdout, _ = process.communicate(timeout=STEP_TIMEOUT)
        if process.returncode:
            self.fail('refund process %s failed (exit %s):\n%s' % (
                    i, process.returncode, self.log(i)))
        return json.loads(stdout.strip().splitlines()[-1])

    def log(self, i):
        with open(os.path.join(self.tmp, 'refund-%s.log' % i),
                errors='replace') as f:
            return f.read()[-4000:]

    # The test

    def test_one_refund_of_ten(self):
        "Ten front desks refund the whole deposit at once: one passes"
        self.create_database()
        start = time.monotonic()
        setup = json.loads(self.run_command(*self.script(
                    'setup', '--users', str(USERS),
                    '--amount', str(AMOUNT))).strip().splitlines()[-1])
        self.timings['setup'] = time.monotonic() - start
        deposit = setup['deposit']
        self.assertEqual(self.totals(deposit),
            (AMOUNT, 0, 0, 0, AMOUNT, 'open'))

        answers, late = self.start_refunds(deposit, setup['logins'])
        outcomes = Counter(a['outcome'] for a in answers)
        print('\ntests.test_deposit_concurrency: %s processes at once: %s '
            '(answered in %.2f to %.2f s), the late one %s; %s' % (
                PROCESSES, dict(outcomes),
                min(a['seconds'] for a in answers),
                max(a['seconds'] for a in answers), late['outcome'],
                ', '.join('%s %.1f s' % i for i in self.timings.items())),
            file=sys.stderr)
        self.assertEqual(len(answers), PROCESSES)
        self.assertEqual(outcomes['refunded'], 1, answers)
        # Each loser waited for the winner (kefu.deposit.lock) and was
        # answered with the ledger's message, not a lock error
        self.assertEqual(outcomes['refused'], PROCESSES - 1, answers)
        for answer in answers:
            if answer['outcome'] == 'refused':
                # The ledger's own words: nothing left to refund
                self.assertIn(': 0.00', answer['message'])
                self.assertIn(setup['number'], answer['message'])
            elif answer['outcome'] == 'locked':
                # NOWAIT, [database] retry times: the row stayed locked
                self.assertEqual(answer['error'], 'LockNotAvailable',
                    answer)
                self.assertIn('kefu_deposit', answer['message'])
            # Each OK asked for the deposit's lock and was restarted with
            # it (the loser then waited and gave up, or saw the refund)
            self.assertEqual(answer['restarts'], ['kefu_deposit'], answer)
        winner, = [a for a in answers if a['outcome'] == 'refunded']
        self.assertIn(winner['login'], setup['logins'])

        self.assertEqual(self.totals(deposit),
            (AMOUNT, 0, 0, AMOUNT, AMOUNT, 'open'))
        lines = self.sql('SELECT id, kind, amount, state, requested_by '
            'FROM kefu_deposit_line WHERE deposit = %s ORDER BY id',
            deposit)
        self.assertEqual([l[1:4] for l in lines], [
                ('receive', AMOUNT, 'posted'),
                ('refund', AMOUNT, 'requested')])
        refund = lines[1][0]
        self.assertEqual(self.sql('SELECT login FROM res_user WHERE '
                'id = %s', lines[1][4])[0][0], winner['login'])
        self.assertEqual(self.sql('SELECT amount, state, kind, origin '
                'FROM account_payment'),
            [(AMOUNT, 'submitted', 'payable',
                    'kefu.deposit.line,%s' % refund)])
        self.check_constraints(deposit)
        self.check_late(setup, late)
        self.assertEqual(self.totals(deposit),
            (AMOUNT, 0, 0, AMOUNT, AMOUNT, 'open'))
        self.assertEqual(
            self.sql('SELECT count(*) FROM account_payment')[0][0], 1)

    def check_late(self, setup, answer):
        """The late desk opened the form before the race and pressed OK
        after it: the ledger's own words, nothing left to refund"""
        self.assertEqual(answer['outcome'], 'refused', answer)
        self.assertEqual(answer['restarts'], ['kefu_deposit'], answer)
        # The refund of 900.00 exceeds what the deposit "YJ… Zhang Wei" can
        # still give: 0.00 (held 900.00, of which 900.00 already requested)
        for text in [setup['number'], ': 0.00', str(AMOUNT)]:
            self.assertIn(text, answer['message'])

    def totals(self, deposit):
        return self.sql('SELECT received, deducted, refunded, '
            'refund_pending, held, state FROM kefu_deposit WHERE id = %s',
            deposit)[0]

    def check_constraints(self, deposit):
        "PostgreSQL itself refuses a deposit holding less than requested"
        import psycopg
        for sets, constraint in [
                # balanced, but held negative (more refunded than received)
                ('refunded = received + 100, held = -100, '
                    'refund_pending = 0', 'held_positive'),
                # balanced, held positive but below the refund requested
                ('refunded = 100, held = received - 100',
                    'held_positive'),
                ('received = received + 1', 'balanced'),
                ]:
            with self.assertRaises(psycopg.errors.CheckViolation) as cm:
                self.sql('UPDATE kefu_deposit SET %s WHERE id = %%s' % sets,
                    deposit)
            self.assertIn(constraint, str(cm.exception))
        self.assertEqual(self.totals(deposit),
            (AMOUNT, 0, 0, AMOUNT, AMOUNT, 'open'))


def open_barrier(path):
    "Create the file path at once (the processes poll for it)"
    with open(path + '.tmp', 'w'):
        pass
    os.rename(path + '.tmp', path)


def module_dump():
    """The dump tests/run.py's module tests made of a database where
    kefu_fee is activated (trytond's DB_CACHE, named after the modules), or
    None (a filtered run, another cache)"""
    cache = os.environ.get('DB_CACHE')
    if not cache or cache.startswith('postgresql://'):
        return None
    name = hashlib.shake_128('kefu_fee'.encode('utf8')).hexdigest(40 // 2)
    path = os.path.join(cache, '%s-postgresql.dump' % name)
    return path if os.path.isdir(path) else None


# The steps, in their own processes (trytond is imported late: its
# configuration comes from the environment)

def setup(database, users, amount):
    """The books, the estate, the front-desk users and a deposit with
    amount received at the desk, committed"""
    from tests.fee_setup import transact

    def fill():
        from trytond.modules.company.tests import create_company
        from trytond.modules.currency.tests import create_currency
        from trytond.modules.kefu_base.tests.tools import create_user
        from trytond.modules.kefu_fee.tests.test_deposit import (
            new_deposit, setup_deposit_books)
        from trytond.modules.kefu_fee.tests.test_payment import (
            DAY, setup_books, setup_estate)
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool()
        Deposit = pool.get('kefu.deposit')
        User = pool.get('res.user')
        company = create_company(currency=create_currency('CNY'))
        User.write([User(Transaction().user)], {
                'companies': [('add', [company.id])],
                'company': company.id})
        with Transaction().set_context(
                User.get_preferences(context_only=True)):
            books = setup_books(company)
            setup_deposit_books(company, books)
            site = setup_estate(company, books)
            logins = []
            for i in range(users):
                logins.append(create_user('desk%s' % i, company,
                        site.estate, 'group_front_desk').login)
            deposit = new_deposit(site)
            Deposit.receive(deposit, amount, date=DAY,
                method=site.desk.method('cash'))
            return {'deposit': deposit.id, 'number': deposit.number,
                'logins': logins}
    return transact(database, fill)


def refund(database, deposit_id, login, amount, ready, go):
    """As login, click the deposit's Refund button, fill in amount, wait
    for the go file and press OK; return the outcome"""
    from proteus import Model, config
    from trytond import backend
    from trytond.exceptions import UserError
    from trytond.modules.kefu_fee.tests.test_payment import DAY
    from trytond.transaction import _TransactionLockRecordsError
    config.set_trytond(database=database, user=login)
    deposit = Model.get('kefu.deposit')(deposit_id)
    wizard = deposit.click('refund_wizard')
    wizard.form.amount = amount
    wizard.form.date = DAY
    # Count the restarts of OK for a row lock (trytond's retry path)
    restarts = []
    fix = _TransactionLockRecordsError.fix

    def counted(self, extras):
        restarts.append(self._table)
        return fix(self, extras)
    _TransactionLockRecordsError.fix = counted
    with open(ready, 'w'):
        pass
    while not os.path.exists(go):
        time.sleep(0.001)
    result = {'login': login}
    begin = time.monotonic()
    try:
        wizard.execute('operate')
        result['outcome'] = 'refunded'
    except UserError as error:
        result.update(outcome='refused', message=error.message)
    except backend.DatabaseOperationalError as error:
        result.update(outcome='locked', message=str(error),
            error=type(error).__name__)
    result.update(seconds=time.monotonic() - begin, restarts=restarts)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-d', '--database', required=True)
    subparsers = parser.add_subparsers(dest='action', required=True)
    setup_parser = subparsers.add_parser('setup')
    setup_parser.add_argument('--users', type=int, default=USERS)
    setup_parser.add_argument('--amount', type=Decimal, default=AMOUNT)
    refund_parser = subparsers.add_parser('refund')
    refund_parser.add_argument('--deposit', type=int, required=True)
    refund_parser.add_argument('--login', required=True)
    refund_parser.add_argument('--amount', type=Decimal, required=True)
    refund_parser.add_argument('--ready', required=True)
    refund_parser.add_argument('--go', required=True)
    args = parser.parse_args()
    if args.action == 'setup':
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        with Transaction().start(args.database, 0, readonly=True):
            Pool(args.database).init()
        result = setup(args.database, args.users, args.amount)
    else:
        result = refund(args.database, args.deposit, args.login,
            args.amount, args.ready, args.go)
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    main()
