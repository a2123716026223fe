# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An amount of yuan in Chinese capitals (人民币大写金额), as receipts and
bank slips write it, following the People's Bank's rules for filling in
vouchers (正确填写票据和结算凭证的基本规定):

- one 零 stands for a run of zeros inside the figure (1001 → 壹仟零壹);
- 壹拾 is written in full (10 → 壹拾元整);
- 整 follows an amount that ends at 元 or 角, never one with 分;
- a 角 of zero followed by 分 is written 零 (1001.01 → …元零壹分), while a
  元 of zero before a 角 takes no 零 (1680.32 → 壹仟陆佰捌拾元叁角贰分)."""
from decimal import ROUND_HALF_UP, Decimal

DIGITS = '零壹贰叁肆伍陆柒捌玖'
# The places inside a group of four digits: units, tens, hundreds, thousands
PLACES = ('', '拾', '佰', '仟')
WAN = 10 ** 4
YI = 10 ** 8


def _group(number):
    "Write 0 < number < 10,000, with one 零 per run of inner zeros"
    words, zeros = '', False
    for place in range(3, -1, -1):
        digit = number // 10 ** place % 10
        if digit:
            if zeros:
                words += DIGITS[0]
            words += DIGITS[digit] + PLACES[place]
            zeros = False
        elif words:
            zeros = True
    return words


def _integer(number):
    "Write the whole yuan, number > 0, by 亿 and 万"
    for size, unit in ((YI, '亿'), (WAN, '万')):
        if number >= size:
            high, low = divmod(number, size)
            words = _integer(high) + unit
            if low:
                # A zero digit right below the unit is written 零
                if low < size // 10:
                    words += DIGITS[0]
                words += _integer(low)
            return words
    return _group(number)


def amount_in_words(amount):
    """Return amount (yuan, any sign) in Chinese capitals, rounded half up
    to the fen: 1234.50 → 壹仟贰佰叁拾肆元伍角整"""
    cents = int(Decimal(amount).quantize(Decimal('0.01'), ROUND_HALF_UP)
        * 100)
    sign = '负' if cents < 0 else ''
    yuan, rest = divmod(abs(cents), 100)
    jiao, fen = divmod(rest, 10)
    if not yuan and not rest:
        return '零元整'
    words = _integer(yuan) + '元' if yuan else ''
    if jiao:
        words += DIGITS[jiao] + '角'
    elif fen and yuan:
        words += DIGITS[0]
    if fen:
        words += DIGITS[fen] + '分'
    else:
        words += '整'
    return sign + words
