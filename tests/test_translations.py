# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every user-visible string of every Kefu module has a zh_CN translation,
written with Chinese punctuation."""
import glob
import os
import re
import sys
import unittest

import polib

from tests.server import is_postgresql
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
        if is_postgresql():
            # The catalogues are files: what they hold does not depend on
            # the backend, and the suite runs on both
            print('\ntests.%s: skipped on PostgreSQL; the catalogues are '
                'checked once per suite, on SQLite' % __name__.split('.')[-1],
                file=sys.stderr)
            raise unittest.SkipTest('the catalogues are checked on SQLite')
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


# ASCII , ; : ( ) ? ! next to a Chinese character (or a placeholder, which
# stands for text of the sentence); digits (17:30) and Latin text keep theirs.
CJK = '[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]'
PLACEHOLDER = re.compile(r'%\(\w+\)[sd]')
ASCII_NEXT_TO_CJK = re.compile(
    f'{CJK}[,;:()?!]|[,;:()?!]{CJK}')
# Format examples staff type exactly as shown (the calendar import).
EXAMPLES = re.compile(r'“[^”]*[A-Za-z0-9][^”]*”')


class PunctuationTestCase(unittest.TestCase):

    def test_chinese_punctuation(self):
        "zh_CN messages, labels and help use Chinese punctuation"
        for module in MODULES:
            for entry in polib.pofile(kefu_po.po_path(module)):
                text = EXAMPLES.sub('', PLACEHOLDER.sub('字', entry.msgstr))
                text = text.replace('日期, 类型, 名称', '')
                with self.subTest(module=module, msgctxt=entry.msgctxt):
                    self.assertIsNone(ASCII_NEXT_TO_CJK.search(text),
                        msg=f'ASCII punctuation in {entry.msgstr!r}')
