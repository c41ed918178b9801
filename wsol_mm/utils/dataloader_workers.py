"""Stop a runner's dataloader workers when it is done."""


def release_dataloader_workers(runner) -> None:
    """Stop the worker processes of the runner's built train / val / test
    dataloaders now.

    A persistent worker that prefetched the next batches blocks on its
    result pipe once the main process stops reading, so PyTorch's shutdown
    of a freed iterator waits its 5 s join timeout per worker before it
    terminates them (measured: 32 s for three loaders of two workers, 0.6 s
    with this call). The workers hold nothing a finished loop needs.
    """
    for name in ('_train_loop', '_val_loop', '_test_loop'):
        loader = getattr(getattr(runner, name, None), 'dataloader', None)
        iterator = getattr(loader, '_iterator', None)
        if iterator is None:
            continue
        for worker in getattr(iterator, '_workers', ()):
            if worker.is_alive():
                worker.terminate()
        shutdown = getattr(iterator, '_shutdown_workers', None)
        if shutdown is not None:
            shutdown()
        loader._iterator = None
