# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every user-visible string of every Kefu module has a zh_CN translation."""
import glob
import os
import sys
import unittest

from trytond.tests.test_tryton import activate_module, with_transaction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import kefu_po  # noqa: E402

MODULES = sorted(
    os.path.basename(p)
    for p in glob.glob(os.path.join(ROOT, 'addons', 'kefu_*')))


class TranslationTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @with_transaction()
    def test_zh_cn_complete(self):
        "Each source string of each module is translated into zh_CN"
        for module in MODULES:
            with self.subTest(module=module):
                sources = kefu_po.source_entries(module)
                self.assertGreater(len(sources), 20)
                _, missing = kefu_po.merge(module, sources)
                self.assertEqual(missing, [],
                    msg=f'{len(missing)} strings of {module} lack a zh_CN '
                    'translation: run tools/kefu_po.py and fill them in')
