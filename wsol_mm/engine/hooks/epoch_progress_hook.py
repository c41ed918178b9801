"""One console line per training epoch and per validation."""
import time

from mmengine.hooks import Hook

from wsol_mm.registry import HOOKS


def minutes(seconds: float) -> str:
    """``M:SS`` of ``seconds`` (minutes may exceed 59)."""
    return f'{int(seconds) // 60}:{int(seconds) % 60:02d}'


@HOOKS.register_module()
class EpochProgressHook(Hook):
    """Prints one line per training epoch (the epoch's mean loss, elapsed
    time, ETA) and one per validation (GT-known Loc and MaxBoxAccV2 when
    the metrics have them), for consoles that hide MMEngine's per-iteration
    log (the quick-start demo)."""

    priority = 'VERY_LOW'

    def before_train(self, runner) -> None:
        self.start = time.monotonic()

    def after_train_epoch(self, runner) -> None:
        done, total = runner.epoch + 1, runner.max_epochs
        loss = runner.message_hub.get_scalar('train/loss').mean(
            len(runner.train_dataloader))
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (total - done)
        print(f'epoch {done:>2}/{total}  loss {loss:.4f}  '
              f'elapsed {minutes(elapsed)}  ETA {minutes(eta)}', flush=True)

    def after_val_epoch(self, runner, metrics=None) -> None:
        metrics = {key.split('/')[-1]: value
                   for key, value in (metrics or {}).items()}
        if 'gt_known_loc' in metrics:
            print(f'  validation: GT-known Loc {metrics["gt_known_loc"]:.2f}'
                  f'  MaxBoxAccV2 {metrics["max_box_acc_v2"]:.2f}',
                  flush=True)
