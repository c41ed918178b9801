"""Progress of long loops that are not MMEngine training or test loops.

:func:`progress` wraps an iterable. On an interactive terminal it draws
MMEngine's :class:`~mmengine.utils.ProgressBar` (count, speed, elapsed time,
ETA, one line redrawn with carriage returns); otherwise (a log file, a
pipe, a batch job) it logs plain lines: after the first step, then one per
``1 / chunks`` of the work (every step when there are at most ``chunks``
steps), with the count, the elapsed time and the ETA, through the logger,
so the runner's log file gets them too. Only the main process reports:
under DDP every rank runs a share of the same size.
"""
import logging
import math
import sys
import time
from typing import Callable, Iterable, Iterator, Optional, TextIO, Union

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.utils import ProgressBar


def format_seconds(seconds: float) -> str:
    """``H:MM:SS`` (``M:SS`` under an hour)."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f'{hours}:{minutes:02d}:{seconds:02d}'
    return f'{minutes}:{seconds:02d}'


def progress(iterable: Iterable,
             total: Optional[int] = None,
             desc: str = 'Progress',
             unit: str = 'items',
             count: Optional[Callable[[object], int]] = None,
             chunks: int = 20,
             stream: Optional[TextIO] = None,
             logger: Union[str, logging.Logger] = 'current') -> Iterator:
    """Yield the items of ``iterable``, reporting progress.

    Args:
        iterable: the work, one step per item.
        total (int, optional): the number of units of work; defaults to
            ``len(iterable)``. Without either, non-interactive lines have no
            ETA.
        desc (str): what is being done, the start of every line.
        unit (str): the name of a unit of work (``'images'``).
        count (callable, optional): the number of units an item holds (e.g.
            ``lambda batch: len(batch['data_samples'])`` over a loader, with
            ``total`` the number of images); 1 per item when None.
        chunks (int): number of lines of a non-interactive run (one per
            ``total / chunks`` units, plus the last).
        stream (file, optional): where the interactive bar is drawn and
            whose ``isatty()`` chooses the mode; ``sys.stdout`` when None.
        logger (str | Logger): where non-interactive lines go
            (:func:`mmengine.logging.print_log`'s ``logger``).
    """
    if chunks < 1:
        raise ValueError(f'chunks must be >= 1, got {chunks}')
    if total is None and hasattr(iterable, '__len__'):
        total = len(iterable)
    if not is_main_process():
        yield from iterable
        return
    stream = sys.stdout if stream is None else stream
    interactive = bool(getattr(stream, 'isatty', lambda: False)())
    if interactive:
        yield from _bar(iterable, total, count, stream)
    else:
        yield from _lines(iterable, total, desc, unit, count, chunks, logger)


def _bar(iterable, total, count, stream) -> Iterator:
    bar = ProgressBar(total or 0, file=stream)
    try:
        for item in iterable:
            yield item
            bar.update(1 if count is None else count(item))
    finally:
        stream.write('\n')
        stream.flush()


def _lines(iterable, total, desc, unit, count, chunks, logger) -> Iterator:
    start = time.perf_counter()
    done, reported = 0, -1
    for item in iterable:
        yield item
        done += 1 if count is None else count(item)
        chunk = (math.floor(done * chunks / total) if total else done)
        if chunk == reported and done != total:
            continue
        reported = chunk
        elapsed = time.perf_counter() - start
        line = f'{desc}: {done}'
        if total:
            eta = elapsed * (total - done) / done if done else 0.
            line += (f'/{total} {unit} ({100. * done / total:.0f}%), '
                     f'elapsed {format_seconds(elapsed)}, '
                     f'ETA {format_seconds(max(eta, 0.))}')
        else:
            line += f' {unit}, elapsed {format_seconds(elapsed)}'
        print_log(line, logger=logger)
