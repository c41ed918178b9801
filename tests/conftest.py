"""Fixtures shared by every test."""
import logging

import pytest
import torch
from mmengine.logging import MMLogger


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny convolutions run far faster on one thread than on contended
    OpenMP threads (0.8 s vs 3 ms per forward on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def warnings_of(monkeypatch):
    """``warnings_of(module)``: the list of the WARNING messages that
    ``module`` logs through its ``print_log`` from now on."""

    def capture(module):
        messages = []

        def record(msg, logger=None, level=logging.INFO):
            if level == logging.WARNING:
                messages.append(msg)

        monkeypatch.setattr(module, 'print_log', record)
        return messages

    return capture


class _Records(logging.Handler):
    """Keeps every record it is handed."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def warnings(self):
        """The messages of the WARNING records."""
        return [r.getMessage() for r in self.records
                if r.levelno == logging.WARNING]


@pytest.fixture
def log_records():
    """The records MMEngine's current logger receives during the test
    (``log_records.warnings()``: its warning messages), MMEngine's own
    included."""
    logger = MMLogger.get_current_instance()
    handler = _Records()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
