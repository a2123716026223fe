# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""VAT included in published rates, the Chinese way (价税分离).

Chinese fee rates are published tax included: a bill's total is the sum of
its amounts, and its VAT is gross × r / (1 + r) rounded half up to the cent,
per rate on the whole bill.  Tryton computes tax on untaxed lines, which
cannot give that figure for about one amount in eighteen, so the lines of a
bill carry their net amounts and the bill one manual tax per rate holding
both the base and the tax (its tax lines keep the tax reports complete)."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal('0.01')


def included_tax(gross, rate):
    "The VAT included in gross at rate, rounded half up to the cent"
    return (gross * rate / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def split(grosses, rate):
    """Return the VAT of each gross amount so that they add up to the VAT of
    their total: each line's own VAT, the rounding difference on the
    largest line"""
    taxes = [included_tax(g, rate) for g in grosses]
    difference = included_tax(sum(grosses, Decimal(0)), rate) - sum(
        taxes, Decimal(0))
    if difference and grosses:
        largest = max(range(len(grosses)), key=lambda i: grosses[i])
        taxes[largest] += difference
    return taxes
