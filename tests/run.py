#!/usr/bin/env python3
# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the whole Kefu suite: every module's tests and scenarios, then the
cross-module tests of this folder.

unittest honours the load_tests protocol through which Tryton registers its
.rst scenarios (pytest silently skips them), so this runner counts them and
fails when none ran.  The backend comes from TRYTOND_DATABASE_URI (SQLite in
memory when unset).

On PostgreSQL every database of a run is named test_kefu_<run id>...: the
test database (DB_NAME), and the servers of the end-to-end tests
(tests/server.py reads KEFU_RUN_ID).  The module template cache is a
temporary folder (pg_dump/pg_restore), not databases on the server, so the
runner drops only what this run created and never touches another run's or
anybody else's databases.

The last line printed is "N passed, M failed" (", K skipped" when some
were skipped), for any CI to read.  Usage: tests/run.py [name-filter ...]"""
import glob
import os
import shutil
import sys
import tempfile
import time
import unittest
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_names():
    names = []
    for path in sorted(glob.glob(
                os.path.join(ROOT, 'addons', 'kefu_*', 'tests', 'test_*.py'))):
        module = path.split(os.sep)[-3]
        name = os.path.splitext(os.path.basename(path))[0]
        names.append(f'trytond.modules.{module}.tests.{name}')
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'test_*.py'))):
        names.append('tests.' + os.path.splitext(os.path.basename(path))[0])
    return names


def count(suite):
    if isinstance(suite, unittest.TestSuite):
        for test in suite:
            yield from count(test)
    else:
        yield suite


def drop_run_databases(uri, run_id):
    "Drop the PostgreSQL databases this run created (and only those)"
    import psycopg
    with psycopg.connect(uri.rstrip('/') + '/postgres',
            autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (f'test\\_kefu\\_{run_id}%',))]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return names


def summary(result):
    "The last line of the run: N passed, M failed[, K skipped]"
    failed = (len(result.failures) + len(result.errors)
        + len(result.unexpectedSuccesses))
    skipped = len(result.skipped)

    def ran(outcomes):
        # A class skipped or failing in setUpClass is reported once, by a
        # stand-in that testsRun does not count
        return len([t for t, _ in outcomes
                if not isinstance(t, unittest.suite._ErrorHolder)])
    passed = (result.testsRun - ran(result.failures) - ran(result.errors)
        - len(result.unexpectedSuccesses) - ran(result.skipped)
        - len(result.expectedFailures))
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    return line


class TimedResult(unittest.TextTestResult):
    """Also adds up the seconds spent per test file (its class set-ups
    included), printed at the end to see where a run's time goes"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seconds = {}
        self._mark = time.monotonic()

    def _add(self, test):
        now = time.monotonic()
        name = type(test).__module__
        if name.startswith('trytond.modules.'):
            name = name[len('trytond.modules.'):]
        self.seconds[name] = self.seconds.get(name, 0) + now - self._mark
        self._mark = now

    def startTest(self, test):
        self._add(test)     # the class set-up since the last test
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self._add(test)

    def report(self, top=15):
        slowest = sorted(self.seconds.items(), key=lambda i: -i[1])[:top]
        return 'slowest test files: ' + ', '.join(
            f'{name} {seconds:.0f} s' for name, seconds in slowest)


def main(filters):
    uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
    os.environ['TRYTOND_DATABASE_URI'] = uri
    run_id = os.environ.setdefault('KEFU_RUN_ID', uuid.uuid4().hex[:8])
    # The module cache (and the demo database of the browser tests) of
    # this run, removed at its end unless DB_CACHE was given
    cache = None
    if 'DB_CACHE' not in os.environ:
        cache = os.environ['DB_CACHE'] = tempfile.mkdtemp(prefix='kefu-db-')
    if uri.startswith('postgresql'):
        os.environ.setdefault('DB_NAME', f'test_kefu_{run_id}')
    else:
        os.environ.setdefault('DB_NAME', ':memory:')
        # trytond's Cache.sync, once per [cache] clean_timeout (300 s),
        # asks the backend for an autocommit connection: with SQLite in
        # memory that is the test's own connection, so the test running at
        # that moment commits instead of rolling back and the next tests
        # find its records.  A suite run is shorter than a day.
        os.environ.setdefault('TRYTOND_CACHE__CLEAN_TIMEOUT', '86400')
    sys.path.insert(0, ROOT)
    from trytond import backend
    if backend.name != uri.split(':')[0]:
        print(f'FAILED: asked for {uri} but trytond uses {backend.name}: '
            'is uri set in the file of TRYTOND_CONFIG?', file=sys.stderr)
        return 1
    # A filter selects a test file by name, or single tests by their id
    # (e.g. scenario_access, one .rst of test_scenario).
    loader = unittest.TestLoader()
    tests, names = [], set()
    for name in test_names():
        for test in count(loader.loadTestsFromName(name)):
            if not filters or any(
                    f in name or f in test.id() for f in filters):
                tests.append(test)
                names.add(name)
    suite = unittest.TestSuite(tests)
    scenarios = [t for t in tests if 'scenario_' in t.id()
        or type(t).__name__ == 'DocFileCase']
    print(f'Kefu suite on {uri.split(":")[0]}: {len(tests)} tests, '
        f'{len(scenarios)} of them .rst scenarios, from {len(names)} files',
        flush=True)
    try:
        result = unittest.TextTestRunner(
            verbosity=1, resultclass=TimedResult).run(suite)
        print(result.report(), file=sys.stderr, flush=True)
    finally:
        if uri.startswith('postgresql'):
            drop_run_databases(uri, run_id)
        if cache:
            shutil.rmtree(cache, ignore_errors=True)
    status = 0 if result.wasSuccessful() else 1
    if not result.testsRun:
        print('FAILED: no test ran', file=sys.stderr)
        status = 1
    elif not filters and not scenarios:
        print('FAILED: no .rst scenario ran', file=sys.stderr)
        status = 1
    sys.stderr.flush()
    print(summary(result), flush=True)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
