# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A real trytond server on a fresh database, for the end-to-end tests.

TrytonServer creates a database on the backend of the run
(TRYTOND_DATABASE_URI: SQLite when unset, in a temporary folder; PostgreSQL:
a uniquely named database), activates every Kefu module (addons/kefu_*)
with zh_CN translatable, and
serves it with sao the way `make demo` does (`trytond -c trytond.conf -d <db>`:
preloading the database is what avoids the login bug of trytond 8.0.12) on a
free localhost port.  A demo database (SQLite) is built once per run: the
next server asking for the same number of units starts from a copy of it,
kept in the run's DB_CACHE folder.  RPCClient talks JSON-RPC to it with
urllib only.

trytond 8.0 reads its configuration files after the TRYTOND_* variables, so
trytond.conf's `uri` and `listen` would win over TRYTOND_DATABASE__URI and
TRYTOND_WEB__LISTEN: every command gets `-c trytond.conf <tmp>/server.conf`,
the second file holding this server's database, path, listen and root.

Usage::

    server = TrytonServer('rpc')
    server.start()          # raises with the server's log when it fails
    client = server.client()
    client.login('admin', server.password)
    ...
    server.stop()           # stops trytond, drops the database
"""
import base64
import datetime as dt
import glob
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, 'trytond.conf')
SAO_DIR = os.path.join(ROOT, 'sao', 'node_modules', 'tryton-sao')
BIN = os.path.dirname(sys.executable)
SCREENSHOTS = os.path.join(ROOT, 'var', 'screenshots')
# Every Kefu module, as `make demo` activates them
MODULES = sorted(
    os.path.basename(p)
    for p in glob.glob(os.path.join(ROOT, 'addons', 'kefu_*')))

ADMIN_TIMEOUT = 900     # trytond-admin --all on a slow machine
START_TIMEOUT = 120     # until the server answers GET /


def database_uri():
    "The backend of the run: TRYTOND_DATABASE_URI, SQLite when unset"
    return (os.environ.get('TRYTOND_DATABASE_URI')
        or os.environ.get('TRYTOND_DATABASE__URI')
        or 'sqlite://')


def project_retry():
    """The project's [database] retry (trytond.conf): how often a request
    retries to take a lock another request holds"""
    import configparser
    project = configparser.ConfigParser()
    project.read(os.path.join(ROOT, 'trytond.conf'))
    return project.get('database', 'retry')


def is_postgresql(uri=None):
    return (uri or database_uri()).startswith('postgresql')


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _pg_execute(uri, sql):
    import psycopg
    with psycopg.connect(uri.rstrip('/') + '/postgres',
            autocommit=True) as conn:
        conn.execute(sql)


class ServerError(Exception):
    pass


class TrytonServer:
    "A trytond serving a fresh database with the Kefu modules activated"

    def __init__(self, name, language='zh_CN', demo_units=None):
        self.uri = database_uri()
        # tests/run.py drops the PostgreSQL databases of its run,
        # test_kefu_<run id>..., left by a crashed test.
        self.database = 'test_kefu_%s_%s_%s' % (
            os.environ.get('KEFU_RUN_ID', 'solo'), name, uuid.uuid4().hex[:8])
        self.language = language
        # With demo_units, the database is filled by the project's demo
        # generator (tools/kefu_demo.py): its staff users, with this
        # server's password, and that many units.
        self.demo_units = demo_units
        self.password = 'kefu-e2e-' + uuid.uuid4().hex[:12]
        self.tmp = None
        self.process = None
        self.port = None
        self.log_path = None
        self._log = None
        self._created = False
        self.timings = {}

    @property
    def url(self):
        return 'http://127.0.0.1:%s/' % self.port

    @property
    def browser_url(self):
        # sao's session cookie is Secure: on plain HTTP only localhost and
        # 127.0.0.1 are trustworthy origins.
        return 'http://localhost:%s/' % self.port

    def env(self):
        env = dict(os.environ)
        # The Makefile exports its demo folders: this server has its own.
        env.pop('TRYTOND_DATABASE_URI', None)
        env.update({
                'TRYTOND_CONFIG': CONFIG,
                'TRYTOND_DATABASE__URI': self.uri,
                'TRYTOND_DATABASE__PATH': self.tmp,
                'TRYTOND_WEB__ROOT': SAO_DIR,
                'TRYTOND_WEB__LISTEN': '127.0.0.1:%s' % (self.port or 8000),
                'TRYTONPASSFILE': os.path.join(self.tmp, 'adminpass'),
                # The files the demo leaves for the staff (the bank's
                # statement to import): this server's, not var/demo's
                'KEFU_DEMO_DIR': self.demo_dir,
                })
        return env

    @property
    def demo_dir(self):
        "The folder of the files the demo generator left"
        return os.path.join(self.tmp, 'demo')

    def demo_files(self, pattern='*'):
        "The files of pattern the demo generator left, sorted"
        return sorted(glob.glob(os.path.join(self.demo_dir, pattern)))

    def config(self):
        """The configuration files: trytond.conf, then the settings of this
        server.  trytond 8.0 reads its files after the TRYTOND_* variables,
        so trytond.conf's uri and listen would win over the environment."""
        path = os.path.join(self.tmp, 'server.conf')
        with open(path, 'w') as f:
            f.write('[database]\nuri = %s\npath = %s\n\n'
                '[web]\nlisten = 127.0.0.1:%s\nroot = %s\n' % (
                    self.uri, self.tmp, self.port or 8000, SAO_DIR))
        return ['-c', CONFIG, path]

    def _run(self, *args):
        log = os.path.join(self.tmp, 'admin.log')
        with open(log, 'a') as out:
            out.write('$ %s\n' % ' '.join(args))
            out.flush()
            result = subprocess.run(args, env=self.env(), stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                timeout=ADMIN_TIMEOUT)
        if result.returncode:
            with open(log) as f:
                tail = f.read()[-4000:]
            raise ServerError('%s failed (exit %s):\n%s' % (
                    ' '.join(args[:4]), result.returncode, tail))

    def create_database(self):
        if not os.path.isfile(os.path.join(SAO_DIR, 'index.html')):
            raise ServerError(
                'sao is not installed in %s: run `make sao`' % SAO_DIR)
        if self.from_template():
            return
        admin = os.path.join(BIN, 'trytond-admin')
        with open(os.path.join(self.tmp, 'adminpass'), 'w') as f:
            f.write(self.password + '\n')
        if is_postgresql(self.uri):
            _pg_execute(self.uri,
                'CREATE DATABASE "%s" ENCODING \'UTF8\'' % self.database)
        else:
            open(self.sqlite_path, 'w').close()
        self._created = True
        lang = ['-l', self.language] if self.language else []
        start = time.monotonic()
        self._run(admin, *self.config(), '-d', self.database, '--all',
            '--email', 'admin@example.com', *lang)
        self._run(admin, *self.config(), '-d', self.database,
            '-u', *MODULES, '--activate-dependencies', *lang)
        self.timings['database'] = time.monotonic() - start
        self.check_backend()
        if self.demo_units:
            start = time.monotonic()
            self._run(sys.executable, os.path.join(ROOT, 'tools',
                    'kefu_demo.py'), '-c', self.config()[-1],
                '-d', self.database, '--units', str(self.demo_units),
                '--password', self.password)
            self.timings['demo'] = time.monotonic() - start
        self.save_template()

    @property
    def sqlite_path(self):
        return os.path.join(self.tmp, self.database + '.sqlite')

    def template(self):
        """Where this run keeps the SQLite database of a demo server, for
        the next server asking for the same one: the folder of the run's
        module cache (DB_CACHE, which tests/run.py makes for each run), or
        None (PostgreSQL, no demo, or no such folder)"""
        cache = os.environ.get('DB_CACHE')
        if (is_postgresql(self.uri) or not self.demo_units or not cache
                or not os.path.isdir(cache)):
            return None
        return os.path.join(cache, 'e2e-demo-%s-%s' % (
                self.language, self.demo_units))

    def save_template(self):
        "Keep a copy of a fresh demo database (SQLite) for the run"
        template = self.template()
        if not template or os.path.exists(template + '.json'):
            return
        shutil.copyfile(self.sqlite_path, template + '.sqlite')
        if os.path.isdir(self.demo_dir):
            shutil.copytree(self.demo_dir, template + '-files',
                dirs_exist_ok=True)
        with open(template + '.json', 'w') as f:
            json.dump({'password': self.password}, f)

    def from_template(self):
        """Start from this run's copy of the same demo database (SQLite: a
        file copied in a second instead of minutes of trytond-admin and
        demo generator); return whether there was one"""
        template = self.template()
        if not template or not os.path.exists(template + '.json'):
            return False
        start = time.monotonic()
        with open(template + '.json') as f:
            self.password = json.load(f)['password']
        shutil.copyfile(template + '.sqlite', self.sqlite_path)
        if os.path.isdir(template + '-files'):
            shutil.copytree(template + '-files', self.demo_dir)
        self._created = True
        self.check_backend()
        self.timings['template'] = time.monotonic() - start
        return True

    def check_backend(self):
        """Check that the Kefu modules are activated in the database of the
        run's backend"""
        query = ("SELECT state FROM ir_module WHERE name IN (%s)"
            % ', '.join("'%s'" % m for m in MODULES))
        if is_postgresql(self.uri):
            import psycopg
            with psycopg.connect(
                    self.uri.rstrip('/') + '/' + self.database) as conn:
                rows = conn.execute(query).fetchall()
        else:
            import sqlite3
            conn = sqlite3.connect(self.sqlite_path)
            try:
                rows = conn.execute(query).fetchall()
            finally:
                conn.close()
        if rows != [('activated',)] * len(MODULES):
            raise ServerError('Kefu is not activated in %s on %s: %s' % (
                    self.database, self.uri, rows))

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix='kefu-e2e-')
        try:
            self.create_database()
            self.port = free_port()
            self.log_path = os.path.join(self.tmp, 'trytond.log')
            self._log = open(self.log_path, 'w')
            start = time.monotonic()
            # As `make demo` serves: trytond -c trytond.conf -d <db>
            self.process = subprocess.Popen(
                [os.path.join(BIN, 'trytond'), *self.config(),
                    '-d', self.database],
                env=self.env(), stdout=self._log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
            self.wait()
            self.timings['server'] = time.monotonic() - start
        except BaseException:
            self.stop()
            raise

    def log(self, size=4000):
        if not self.log_path or not os.path.exists(self.log_path):
            return ''
        with open(self.log_path, errors='replace') as f:
            return f.read()[-size:]

    def wait(self):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise ServerError('trytond exited with %s:\n%s' % (
                        self.process.returncode, self.log()))
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError,
                    http.client.HTTPException, socket.timeout):
                pass
            if time.monotonic() > deadline:
                raise ServerError('trytond did not answer %s in %s s:\n%s' % (
                        self.url, START_TIMEOUT, self.log()))
            time.sleep(0.2)

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self._log:
            self._log.close()
            self._log = None
        if self._created and is_postgresql(self.uri):
            _pg_execute(self.uri,
                'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.database)
        self._created = False
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def client(self):
        return RPCClient(self.url, self.database)


class RPCError(Exception):
    "The error member of a JSON-RPC answer"

    def __init__(self, error):
        super().__init__(error)
        self.error = error

    @property
    def message(self):
        "The user-facing message of a UserError, else the whole error"
        error = self.error
        if (isinstance(error, list) and len(error) == 2
                and isinstance(error[1], list) and error[1]):
            return error[1][0]
        return str(error)


def encode(value):
    "Encode dates and decimals the way trytond's JSON-RPC expects them"
    if isinstance(value, dt.datetime):
        return {'__class__': 'datetime', 'year': value.year,
            'month': value.month, 'day': value.day, 'hour': value.hour,
            'minute': value.minute, 'second': value.second,
            'microsecond': value.microsecond}
    if isinstance(value, dt.date):
        return {'__class__': 'date', 'year': value.year,
            'month': value.month, 'day': value.day}
    if isinstance(value, Decimal):
        return {'__class__': 'Decimal', 'decimal': str(value)}
    raise TypeError(repr(value))


def decode(obj):
    kind = obj.get('__class__')
    if kind == 'date':
        return dt.date(obj['year'], obj['month'], obj['day'])
    if kind == 'Decimal':
        return Decimal(obj['decimal'])
    return obj


class RPCClient:
    "JSON-RPC over urllib, as sao talks to trytond"

    def __init__(self, url, database):
        self.url = url.rstrip('/') + '/%s/rpc/' % database
        self.authorization = None
        self.context = {}
        self.user_id = None
        self._id = 0

    def request(self, method, *params, timeout=60):
        """POST one call; return the parsed answer (with 'result' or
        'error').  HTTP errors raise urllib.error.HTTPError."""
        self._id += 1
        data = json.dumps({'id': self._id, 'method': method,
                'params': list(params)}, default=encode).encode('utf-8')
        headers = {'Content-Type': 'application/json'}
        if self.authorization:
            headers['Authorization'] = self.authorization
        req = urllib.request.Request(
            self.url, data=data, headers=headers, method='POST')
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return json.loads(response.read(), object_hook=decode)

    def call(self, method, *params):
        "Call method and return its result; raise RPCError on an error"
        answer = self.request(method, *params)
        if 'error' in answer:
            raise RPCError(answer['error'])
        return answer['result']

    def model(self, model, method, *args, context=None):
        "Call model.<model>.<method>(*args, context)"
        ctx = dict(self.context)
        ctx.update(context or {})
        return self.call('model.%s.%s' % (model, method), *args, ctx)

    def login(self, login, password, language='en'):
        "Log in; raise RPCError when trytond answers with an error"
        result = self.call(
            'common.db.login', login, {'password': password}, language)
        user_id, token = result[0], result[1]
        self.user_id = user_id
        self.authorization = 'Session ' + base64.b64encode(
            ('%s:%s:%s' % (login, user_id, token)).encode('utf-8')
            ).decode('ascii')
        self.context = self.call(
            'model.res.user.get_preferences', True, {})
        return user_id

    def setup_company(self, name='客服物业管理有限公司'):
        """Create the CNY currency and a company and make it the logged-in
        user's: the estate rules show only the user's companies."""
        currency, = self.model('currency.currency', 'create', [{
                    'name': 'Yuan Renminbi', 'code': 'CNY',
                    'numeric_code': '156', 'symbol': '¥', 'digits': 2,
                    'rounding': Decimal('0.01'),
                    }])
        party, = self.model('party.party', 'create', [{'name': name}])
        company, = self.model('company.company', 'create', [{
                    'party': party, 'currency': currency,
                    'timezone': 'Asia/Shanghai'}])
        self.model('res.user', 'write', [self.user_id], {
                'companies': [['add', [company]]], 'company': company})
        self.context = self.call(
            'model.res.user.get_preferences', True, {})
        return company
