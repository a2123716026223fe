# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the browser flows of the staff share (front desk, tickets, cashier,
accountant): a demo server of their own, what they know before the browser
opens read over JSON-RPC, screenshots named by the flow, the flow run in
Debian's chromium.  They run once per suite, on SQLite: what they show does
not depend on the database backend, which the other tests cover."""
import glob
import os
import sys
import time
import unittest

from tests.server import SCREENSHOTS, TrytonServer, is_postgresql
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, check_browser

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None


class BrowserFlowTestCase(unittest.TestCase):
    """A flow of the staff in sao; subclasses name it (prefix: of its
    server's database and of its screenshots, var/screenshots/<prefix>-*.png
    and failure-<prefix>.*), its server and what it prepares"""
    prefix = None
    title = None            # "the front-desk browser flow"
    server_class = TrytonServer
    demo_units = None

    @classmethod
    def prepare(cls, server):
        "What the staff know before the browser opens, by name"
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        if is_postgresql():
            print('\n%s: skipped on PostgreSQL; %s runs once per suite, '
                'on SQLite' % (cls.__module__, cls.title), file=sys.stderr)
            raise unittest.SkipTest('%s runs on SQLite only' % cls.title)
        check_browser()
        cls.server = cls.server_class(cls.prefix, demo_units=cls.demo_units)
        cls.server.start()
        try:
            cls.data = cls.prepare(cls.server)
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        for pattern in ['%s-*.png', 'failure-%s.*']:
            for path in glob.glob(
                    os.path.join(SCREENSHOTS, pattern % self.prefix)):
                os.remove(path)

    def run_flow(self, flow_class):
        """Run flow_class(test, browser, server, data) in chromium; return
        the flow and the seconds it took"""
        start = time.monotonic()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                flow = flow_class(self, browser, self.server, self.data)
                flow.run()
            finally:
                browser.close()
        return flow, time.monotonic() - start

    def server_timings(self):
        "How long the server took to build its database and to start"
        return {k: round(v) for k, v in self.server.timings.items()}
