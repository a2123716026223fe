# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The two view mistakes that break sao, checked without a browser.

tests/test_crawl.py finds them in the web client, once per suite; this
test names the view at once, in every module run."""
import unittest
from xml.etree import ElementTree

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


class ViewsTestCase(unittest.TestCase):
    "The views of kefu_base as sao reads them"

    @classmethod
    def setUpClass(cls):
        activate_module('kefu_base')

    def views(self):
        "(view, fields_view_get answer) of every kefu_base view"
        pool = Pool()
        View = pool.get('ir.ui.view')
        for view in View.search([('module', '=', 'kefu_base')]):
            # an extension is checked in the view it extends
            shown = view.inherit or view
            Model = pool.get(shown.model)
            yield view, Model.fields_view_get(view_id=shown.id)

    @with_transaction()
    def test_no_datetime_column(self):
        """sao has no date-time list column (ColumnFactory is not a
        constructor): a date-time field is two columns, widget date and
        widget time"""
        wrong = []
        for view, result in self.views():
            if result['type'] != 'tree':
                continue
            for node in ElementTree.fromstring(result['arch']).iter('field'):
                field = result['fields'].get(node.get('name'), {})
                if (field.get('type') in {'datetime', 'timestamp'}
                        and node.get('widget') not in {'date', 'time'}):
                    wrong.append('%s: %s' % (view.name, node.get('name')))
        self.assertEqual(wrong, [])

    @with_transaction()
    def test_no_pyson_as_text(self):
        """PYSON in a view attribute is set from Python (view_attributes),
        encoded: written as text in the XML it reaches sao raw and breaks
        the view (SyntaxError: Unexpected token)"""
        wrong = []
        for view, result in self.views():
            for node in ElementTree.fromstring(result['arch']).iter():
                for name, value in node.attrib.items():
                    if 'Eval(' in value:
                        wrong.append('%s: %s %s="%s"' % (
                                view.name, node.tag, name, value))
        self.assertEqual(wrong, [])
