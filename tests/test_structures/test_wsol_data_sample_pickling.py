"""WSOLDataSample pickles its small CPU tensors inline (a DataLoader worker
would otherwise send one file descriptor per tensor): the same dtypes,
shapes and values come back, through the workers' pickler and deepcopy;
large, grad-requiring and non-numpy tensors keep torch's own pickling."""
import copy
import io
import pickle
from multiprocessing.reduction import ForkingPickler

import numpy as np
import torch
import torch.multiprocessing  # noqa: F401 (registers the reducers)

from wsol_mm.structures import WSOLDataSample
from wsol_mm.structures.wsol_data_sample import INLINE_TENSOR_BYTES


def _sample():
    sample = WSOLDataSample().set_gt_label(3).set_gt_bboxes(
        [[1.5, 2, 30, 40], [0, 0, 7, 9]])
    sample.set_gt_mask(np.arange(12, dtype=np.uint8).reshape(3, 4))
    sample.flags = torch.tensor([True, False])
    sample.half = torch.tensor([0.5, -1.25], dtype=torch.float16)
    sample.view = torch.arange(6.).reshape(2, 3).t()  # not contiguous
    sample.bf16 = torch.tensor([1.5], dtype=torch.bfloat16)  # no numpy
    sample.grad = torch.ones(2, requires_grad=True)
    sample.large = torch.zeros(INLINE_TENSOR_BYTES // 4 + 1)  # float32
    sample.set_metainfo(dict(img_shape=(224, 224),
                             homography_matrix=np.eye(3)))
    return sample


def _worker_pickle(obj) -> bytes:
    buffer = io.BytesIO()
    ForkingPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _assert_same(copied, original):
    assert copied.metainfo_keys() == original.metainfo_keys()
    np.testing.assert_array_equal(copied.homography_matrix,
                                  original.homography_matrix)
    assert set(copied.keys()) == set(original.keys())
    for key in original.keys():
        value, expected = copied.get(key), original.get(key)
        assert type(value) is torch.Tensor, key
        assert value.dtype == expected.dtype, key
        assert value.requires_grad == expected.requires_grad, key
        assert torch.equal(value.detach(), expected.detach()), key


def test_round_trips_keep_every_tensor():
    original = _sample()
    _assert_same(pickle.loads(_worker_pickle(original)), original)
    _assert_same(pickle.loads(pickle.dumps(original)), original)
    deep = copy.deepcopy(original)
    _assert_same(deep, original)
    deep.gt_label[0] = 0  # a copy, not a view of the original
    assert original.gt_label.tolist() == [3]


class StorageCountingPickler(ForkingPickler):
    """The workers' pickler, counting the tensor storages it shares."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = 0

    def reducer_override(self, obj):
        if isinstance(obj, torch.UntypedStorage):
            self.storages += 1
        return NotImplemented


def _shared_storages(obj) -> int:
    pickler = StorageCountingPickler(io.BytesIO(), pickle.HIGHEST_PROTOCOL)
    pickler.dump(obj)
    return pickler.storages


def test_only_small_plain_cpu_tensors_travel_inline():
    """Only the large, the grad-requiring and the bfloat16 tensors are
    still shared (3 storages); the same tensors outside a data sample are
    all shared (9)."""
    sample = _sample()
    assert _shared_storages(sample) == 3
    assert _shared_storages(list(sample.values())) == 9
