# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The VAT included in published rates (vat.py), proven over amounts."""
import unittest
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from trytond.modules.kefu_fee import vat
from trytond.modules.kefu_fee.unit_fee import round_half_up

RATES = [Decimal('0.06'), Decimal('0.09'), Decimal('0.05'), Decimal('0.03'),
    Decimal('0.01')]
cents = st.integers(min_value=1, max_value=10_000_000).map(
    lambda c: Decimal(c) / 100)


class VatTestCase(unittest.TestCase):
    "VAT the Chinese way: gross × r / (1 + r), rounded half up"

    def test_included_tax_figures(self):
        "Known figures, including the halves Tryton's rounding gets wrong"
        self.assertEqual(vat.included_tax(Decimal('221.25'), RATES[0]),
            Decimal('12.52'))
        self.assertEqual(vat.included_tax(Decimal('473.78'), RATES[0]),
            Decimal('26.82'))
        self.assertEqual(vat.included_tax(Decimal('0.53'), RATES[0]),
            Decimal('0.03'))
        self.assertEqual(round_half_up(Decimal('0.125')), Decimal('0.13'))
        self.assertEqual(round_half_up(Decimal('252.525')), Decimal('252.53'))

    def test_split_figures(self):
        "The rounding difference goes to the largest line"
        self.assertEqual(
            vat.split([Decimal('221.25'), Decimal('252.53')], RATES[0]),
            [Decimal('12.52'), Decimal('14.30')])

    @settings(max_examples=2000, deadline=None)
    @given(st.lists(cents, min_size=1, max_size=12), st.sampled_from(RATES))
    def test_split_property(self, grosses, rate):
        """Every bill's VAT is the formula on its total, its total the sum
        of the published amounts, and no line's net is negative"""
        taxes = vat.split(grosses, rate)
        total = sum(grosses)
        expected = (total * rate / (1 + rate)).quantize(
            Decimal('0.01'), rounding=ROUND_HALF_UP)
        self.assertEqual(sum(taxes), expected)
        nets = [g - t for g, t in zip(grosses, taxes)]
        self.assertEqual(sum(nets) + sum(taxes), total)
        self.assertTrue(all(n >= 0 for n in nets))
        self.assertTrue(all(t >= 0 for t in taxes))
