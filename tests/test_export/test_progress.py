"""wsol_mm.utils.progress: a bar on a terminal, plain lines in logs."""
import io
import logging
import re

import pytest

from wsol_mm.utils.progress import format_seconds, progress


class _Records(logging.Handler):

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


class _Terminal(io.StringIO):

    def isatty(self):
        return True


def _logger(name):
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = _Records()
    logger.handlers = [handler]
    return logger, handler


def test_format_seconds():
    assert format_seconds(5) == '0:05'
    assert format_seconds(65.4) == '1:05'
    assert format_seconds(3725) == '1:02:05'


def test_non_tty_logs_one_line_per_step_with_count_and_eta():
    logger, records = _logger('progress_steps')
    stream = io.StringIO()  # not a terminal
    items = list(progress(range(5), desc='Pseudo masks', unit='images',
                          stream=stream, logger=logger))
    assert items == [0, 1, 2, 3, 4]
    assert stream.getvalue() == ''  # nothing drawn, no carriage return
    assert len(records.lines) == 5
    for k, line in enumerate(records.lines, start=1):
        assert re.fullmatch(
            rf'Pseudo masks: {k}/5 images \({round(100 * k / 5)}%\), '
            r'elapsed \d+:\d\d, ETA \d+:\d\d', line), line
        assert '\r' not in line
    assert records.lines[-1].endswith('ETA 0:00')


def test_non_tty_long_loop_logs_per_chunk_and_counts_units():
    logger, records = _logger('progress_chunks')
    batches = [[0] * 4] * 50  # 50 batches of 4 images
    for _ in progress(batches, total=200, unit='images', count=len,
                      chunks=20, stream=io.StringIO(), logger=logger):
        pass
    # the first step (a first ETA), then one line per 5 % (10 images)
    assert len(records.lines) == 21
    counts = [int(re.search(r': (\d+)/200', line).group(1))
              for line in records.lines]
    assert counts[:3] == [4, 12, 20] and counts[-1] == 200
    assert all(b // 10 > a // 10 for a, b in zip(counts, counts[1:]))


def test_unknown_total_logs_counts_without_eta():
    logger, records = _logger('progress_unknown')
    list(progress(iter('abc'), desc='Stages', unit='stages',
                  stream=io.StringIO(), logger=logger))
    assert records.lines[0].startswith('Stages: 1 stages, elapsed ')
    assert 'ETA' not in records.lines[0]
    assert len(records.lines) == 3


def test_tty_draws_a_bar_with_eta_and_logs_nothing():
    logger, records = _logger('progress_tty')
    terminal = _Terminal()
    assert list(progress(range(3), stream=terminal, logger=logger)) == \
        [0, 1, 2]
    text = terminal.getvalue()
    assert records.lines == []
    assert '\r' in text and 'ETA' in text and '3/3' in text
    assert text.endswith('\n')


def test_bad_chunks():
    with pytest.raises(ValueError, match='chunks'):
        list(progress(range(2), chunks=0))
