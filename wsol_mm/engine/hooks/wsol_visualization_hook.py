"""Draws score maps and boxes of chosen validation and test images."""
import os.path as osp
from typing import Optional, Sequence, Union

from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from wsol_mm.registry import HOOKS
from wsol_mm.visualization import WSOLVisualizer


@HOOKS.register_module()
class WSOLVisualizationHook(Hook):
    """Draws images with their score map blended in, GT boxes in green and
    the predicted box in red, through the runner's :class:`WSOLVisualizer`.

    Validation: every ``interval`` epochs (iterations for an iteration-based
    loop), the images chosen by ``indices`` go to every vis backend of the
    visualizer (``LocalVisBackend``: ``<log dir>/vis_data/vis_image/
    <name>_<epoch>.png``; TensorBoard: the image ``name`` at step
    ``epoch``), so the maps can be watched forming during training. Test:
    the chosen images, at step 0; ``tools/test.py --show-dir DIR`` draws
    every test image into ``DIR``.

    Images are the network inputs (after the test pipeline), so maps and
    boxes are on their grid. The images are picked by their ``sample_idx``
    (the dataset index), so the set is the same every epoch. Vis backends
    write on the main process only (MMEngine); ``out_dir`` files are written
    by every process.

    Args:
        enable (bool): draw at all. Defaults to False.
        interval (int): epochs (or iterations) between two validation
            drawings. Defaults to 1.
        indices (int | sequence of int | None): the images drawn: an int n is
            the first n images of the dataset, a sequence their dataset
            indices, None every image. Defaults to 8.
        out_dir (str, optional): write files ``<image name>.jpg`` (test) or
            ``<image name>_<step>.jpg`` (validation) into this folder instead
            of the vis backends; relative to the run's work dir.
        show (bool): show each drawing in a window. Defaults to False.
        wait_time (float): seconds a shown window waits. Defaults to 0.
        **draw_args: ``draw_gt``, ``draw_pred``, ``draw_score_map``,
            ``alpha`` of :meth:`WSOLVisualizer.add_datasample`.
    """

    def __init__(self,
                 enable: bool = False,
                 interval: int = 1,
                 indices: Union[int, Sequence[int], None] = 8,
                 out_dir: Optional[str] = None,
                 show: bool = False,
                 wait_time: float = 0.,
                 **draw_args) -> None:
        if int(interval) != interval or interval < 1:
            raise ValueError(
                f'interval must be a positive integer, got {interval}')
        allowed = {'draw_gt', 'draw_pred', 'draw_score_map', 'alpha'}
        unknown = set(draw_args) - allowed
        if unknown:
            raise TypeError(f'WSOLVisualizationHook got unknown arguments '
                            f'{sorted(unknown)}; allowed: {sorted(allowed)}')
        if isinstance(indices, bool) or not (
                indices is None or isinstance(indices, int) or all(
                    isinstance(i, int) for i in indices)):
            raise TypeError('indices must be an int, a sequence of ints or '
                            f'None, got {indices!r}')
        if isinstance(indices, int) and indices < 0:
            raise ValueError(f'indices must be >= 0, got {indices}')
        self.enable = enable
        self.interval = int(interval)
        self.indices = indices if indices is None or isinstance(
            indices, int) else frozenset(indices)
        self.out_dir = out_dir
        self.show = show
        self.wait_time = wait_time
        self.draw_args = draw_args

    def _chosen(self, sample_idx) -> bool:
        if self.indices is None:
            return True
        if sample_idx is None:
            raise KeyError('WSOLVisualizationHook picks images by '
                           'sample_idx, which the data samples lack; set '
                           'indices=None to draw every image')
        if isinstance(self.indices, int):
            return sample_idx < self.indices
        return sample_idx in self.indices

    def _draw(self, runner, data_batch, outputs, step: int,
              phase: str) -> None:
        visualizer = runner.visualizer
        if not isinstance(visualizer, WSOLVisualizer):
            raise TypeError(
                'WSOLVisualizationHook draws through a WSOLVisualizer, but '
                f'the config key visualizer.type builds '
                f"{type(visualizer).__name__}; set visualizer=dict("
                "type='WSOLVisualizer', vis_backends=[...])")
        for image, sample in zip(data_batch['inputs'], outputs):
            sample_idx = sample.metainfo.get('sample_idx')
            if not self._chosen(sample_idx):
                continue
            name = osp.splitext(osp.basename(sample.metainfo.get(
                'img_path', str(sample_idx))))[0]
            out_file = None
            if self.out_dir is not None:
                suffix = '' if phase == 'test' else f'_{step}'
                out_file = osp.join(runner.work_dir, self.out_dir,
                                    f'{name}{suffix}.jpg')
            # The network input is BGR (OpenCV), the visualizer draws RGB.
            rgb = image.permute(1, 2, 0).cpu().numpy()[..., ::-1]
            visualizer.add_datasample(
                f'{phase}_{name}', rgb, sample, show=self.show,
                wait_time=self.wait_time, out_file=out_file, step=step,
                **self.draw_args)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        if not self.enable or not outputs:
            return
        # During training, the epoch (iteration) just finished; 0 for a
        # validation run outside training (the train loop is not built).
        step = runner.iter if isinstance(
            getattr(runner, '_train_loop', None), IterBasedTrainLoop) \
            else runner.epoch
        if step % self.interval:
            return
        self._draw(runner, data_batch, outputs, step, 'val')

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs=None) -> None:
        if not self.enable or not outputs:
            return
        self._draw(runner, data_batch, outputs, 0, 'test')
