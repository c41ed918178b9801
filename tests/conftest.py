"""Fixtures shared by every test."""
import logging

import pytest
import torch


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
