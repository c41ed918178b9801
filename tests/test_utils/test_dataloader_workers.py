"""release_dataloader_workers stops the persistent workers of a runner's
built loops and leaves unbuilt loops alone."""
from types import SimpleNamespace

import torch
from torch.utils.data import DataLoader, TensorDataset

from wsol_mm.utils.dataloader_workers import release_dataloader_workers


def _loader():
    # Large batches: the workers prefetch more than a pipe holds.
    data = TensorDataset(torch.zeros(64, 3, 64, 64))
    return DataLoader(data, batch_size=16, num_workers=2,
                      persistent_workers=True)


def test_persistent_workers_are_stopped():
    train, test = _loader(), _loader()
    for loader in (train, test):
        for _ in loader:
            pass
    workers = train._iterator._workers + test._iterator._workers
    assert all(w.is_alive() for w in workers)
    runner = SimpleNamespace(
        _train_loop=SimpleNamespace(dataloader=train),
        _val_loop=dict(type='ValLoop'),  # never built: a config
        _test_loop=SimpleNamespace(dataloader=test))
    release_dataloader_workers(runner)
    for worker in workers:
        worker.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
    assert train._iterator is None and test._iterator is None
    # A loader used again starts new workers.
    assert sum(len(batch[0]) for batch in train) == 64


def test_a_runner_without_loops_is_left_alone():
    release_dataloader_workers(SimpleNamespace())
    loader = DataLoader(TensorDataset(torch.zeros(4, 1)), batch_size=2)
    list(loader)
    release_dataloader_workers(
        SimpleNamespace(_test_loop=SimpleNamespace(dataloader=loader)))
    assert loader._iterator is None
