# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Amounts in Chinese capitals (人民币大写) as the People's Bank's rules for
vouchers write them: zeros, 壹拾, 整, 角 and 分, 万 and 亿."""
import unittest
from decimal import Decimal

from trytond.modules.kefu_fee.amount_words import amount_in_words

# Figures and their capitals, checked against the rules and the examples
# of 正确填写票据和结算凭证的基本规定
CASES = [
    # 元 only: 整 after 元
    ('1', '壹元整'),
    ('10', '壹拾元整'),
    ('15', '壹拾伍元整'),
    ('100', '壹佰元整'),
    ('110', '壹佰壹拾元整'),
    ('1000', '壹仟元整'),
    ('100000', '壹拾万元整'),
    ('1000000', '壹佰万元整'),
    ('10000000', '壹仟万元整'),
    ('100000000', '壹亿元整'),
    ('1000000000000', '壹万亿元整'),
    # one 零 per run of zeros, none at the end
    ('101', '壹佰零壹元整'),
    ('1001', '壹仟零壹元整'),
    ('1010', '壹仟零壹拾元整'),
    ('1100', '壹仟壹佰元整'),
    ('10001', '壹万零壹元整'),
    ('10010', '壹万零壹拾元整'),
    ('10100', '壹万零壹佰元整'),
    ('11000', '壹万壹仟元整'),
    ('100500', '壹拾万零伍佰元整'),
    ('105000', '壹拾万伍仟元整'),
    ('1000001', '壹佰万零壹元整'),
    ('1010000', '壹佰零壹万元整'),
    ('100010000', '壹亿零壹万元整'),
    ('100000001', '壹亿零壹元整'),
    ('101000000', '壹亿零壹佰万元整'),
    ('110000000', '壹亿壹仟万元整'),
    ('1000100000000', '壹万零壹亿元整'),
    ('20000000000', '贰佰亿元整'),
    ('325000', '叁拾贰万伍仟元整'),
    ('508040', '伍拾万捌仟零肆拾元整'),
    ('500840', '伍拾万零捌佰肆拾元整'),
    ('1409.50', '壹仟肆佰零玖元伍角整'),
    ('6007.14', '陆仟零柒元壹角肆分'),
    # 角 and 分
    ('1234.50', '壹仟贰佰叁拾肆元伍角整'),
    ('221.25', '贰佰贰拾壹元贰角伍分'),
    ('0.05', '伍分'),
    ('0.10', '壹角整'),
    ('0.5', '伍角整'),
    ('0.25', '贰角伍分'),
    ('1.01', '壹元零壹分'),
    ('1001.01', '壹仟零壹元零壹分'),
    ('1680.32', '壹仟陆佰捌拾元叁角贰分'),
    ('107000.53', '壹拾万柒仟元伍角叁分'),
    ('16409.02', '壹万陆仟肆佰零玖元零贰分'),
    ('99999999999999.99',
        '玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'),
    # nothing, and below zero (a refund)
    ('0', '零元整'),
    ('0.00', '零元整'),
    ('-3.20', '负叁元贰角整'),
    ('-0.01', '负壹分'),
    ]


class AmountWordsTestCase(unittest.TestCase):
    "Amounts in Chinese capitals"

    def test_cases(self):
        "Each figure is written as the rules say"
        for figure, words in CASES:
            with self.subTest(figure=figure):
                self.assertEqual(amount_in_words(Decimal(figure)), words)

    def test_rounding_half_up(self):
        "A fraction of a fen is rounded half up (四舍五入)"
        self.assertEqual(amount_in_words(Decimal('0.005')), '壹分')
        self.assertEqual(amount_in_words(Decimal('0.004')), '零元整')
        self.assertEqual(amount_in_words(Decimal('2.675')), '贰元陆角捌分')

    def test_integers_and_strings(self):
        "Amounts given as int or text read the same as Decimals"
        self.assertEqual(amount_in_words(100000), '壹拾万元整')
        self.assertEqual(amount_in_words('1001.01'), '壹仟零壹元零壹分')

    def test_every_digit(self):
        "Every digit has its capital"
        self.assertEqual(
            amount_in_words(Decimal('123456789')),
            '壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整')

    def test_no_double_zero(self):
        "No amount up to 20,000.99 writes two 零 in a row or ends with 零"
        for cents in range(0, 2000100, 7):
            words = amount_in_words(Decimal(cents) / 100)
            with self.subTest(cents=cents):
                self.assertNotIn('零零', words)
                self.assertFalse(words.endswith('零'))
                self.assertTrue(words.endswith(('整', '分')))
