# This file is part of Kefu.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The import of a year's official working-day schedule (the State
Council's notice) from a CSV file or pasted lines."""
import datetime as dt
import re

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import CalendarError


class CalendarImportStart(ModelView):
    __string__ = "Import Calendar Schedule"
    __name__ = 'kefu.calendar.import.start'

    file = fields.Binary(
        "File", filename='filename',
        help="A CSV file (UTF-8 or the GB18030 of Chinese spreadsheets) of "
        "lines \"date, kind, name\", e.g. \"2027-02-05, holiday, 春节\".")
    filename = fields.Char("File Name")
    text = fields.Text(
        "Lines",
        help="Or paste the lines here, one day a line: date (2027-02-05 or "
        "2027/2/5), kind (holiday / working_day, or 休 / 班), name; "
        "separated by commas or tabs.  Used when no file is chosen.")


class CalendarImport(Wizard):
    """Import the State Council's schedule of one or more years: the lines
    replace the days entered for their years, and the years become
    official."""
    __name__ = 'kefu.calendar.import'

    start = StateView('kefu.calendar.import.start',
        'kefu_base.calendar_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        pool = Pool()
        Year = pool.get('kefu.calendar.year')
        Day = pool.get('kefu.calendar.day')
        lines = parse_schedule(self._source())
        years = Year.get_or_create({date.year for date, _, _ in lines})
        for year in years.values():
            if year.state == 'official':
                raise CalendarError(gettext(
                        'kefu_base.msg_calendar_import_official',
                        year=year.year))
        Day.delete([d for y in years.values() for d in y.days])
        Day.create([{
                    'year': years[date.year].id, 'date': date, 'kind': kind,
                    'name': name,
                    } for date, kind, name in lines])
        Year.make_official(list(years.values()))
        return 'end'

    def _source(self):
        if self.start.file:
            data = bytes(self.start.file)
            try:
                return data.decode('utf-8-sig')
            except UnicodeDecodeError:
                return data.decode('gb18030', errors='replace')
        return self.start.text or ''


DATE = re.compile(r'^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$')
KINDS = {
    'holiday': 'holiday', '休': 'holiday', '假': 'holiday',
    '节假日': 'holiday', '放假': 'holiday',
    'working_day': 'working_day', 'working day': 'working_day',
    '班': 'working_day', '上班': 'working_day', '工作日': 'working_day',
    }
HEADERS = {'date', '日期'}


def parse_schedule(text):
    """Return [(date, kind, name)] of the lines "date, kind, name" of text;
    a first line whose first column is "date" (日期) is a header.  The first
    bad line is refused with a message naming it."""
    lines, seen = [], set()
    for number, line in enumerate(text.splitlines(), 1):
        columns = [c.strip() for c in re.split(r'[,\t，]', line, maxsplit=2)]
        if not any(columns) or (
                not lines and columns[0].lower() in HEADERS):
            continue
        date, kind, name = _parse_line(number, line, columns)
        if date in seen:
            raise CalendarError(gettext(
                    'kefu_base.msg_calendar_import_duplicate',
                    line=number, text=line.strip(), date=date))
        seen.add(date)
        lines.append((date, kind, name))
    if not lines:
        raise CalendarError(gettext('kefu_base.msg_calendar_import_empty'))
    return lines


def _parse_line(number, line, columns):
    def refuse(message):
        raise CalendarError(gettext(
                'kefu_base.' + message, line=number, text=line.strip()))
    if len(columns) < 2:
        refuse('msg_calendar_import_columns')
    match = DATE.match(columns[0])
    try:
        date = dt.date(*map(int, match.groups())) if match else None
    except ValueError:
        date = None
    if date is None:
        refuse('msg_calendar_import_date')
    kind = KINDS.get(columns[1].lower())
    if kind is None:
        refuse('msg_calendar_import_kind')
    name = columns[2] if len(columns) > 2 else ''
    return date, kind, name or None
