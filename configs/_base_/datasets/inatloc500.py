"""iNatLoc500 (Cole et al., ECCV 2022) from its release, CUB's pipelines.

``data_root`` holds the release's ``train/``, ``val/``, ``test/`` image
folders and ``metadata/`` (Choe format, see ``wsol_mm.datasets.INatLoc500``).
val is train-fullsup (model selection), test is the test split. The
pipelines are CUB's, the wsolevaluation ones of ``wsoleval_pipelines.py``
(whose ``test_pipeline_center_crop`` selects the older test protocol).

Training level (fixed-granularity training): each dataset's ``level`` is one
of species, genus, family, order, class, phylum, kingdom. The val/test images
are labelled at the same level (the GT-known CAM is that of the image's
genus, family, ...): a top-level ``level`` sets the three together, and the
head follows the train dataset with ``model.head.num_classes=None``::

    python tools/train.py CONFIG --cfg-options level=genus \\
        model.head.num_classes=None

Data efficiency (N images per class at the training level, five seeds in
the paper): add ``subsample_per_class=50 subsample_seed=0`` to the options,
or in a child config::

    train_dataloader = dict(dataset=dict(
        _delete_=True, type='SubsampleDataset', num_per_class=50, seed=0,
        dataset={{_base_.train_dataloader.dataset}}))

The demo on generated data in this layout:
``python tools/train.py configs/cam/cam_r18_demo_inatloc_genus.py``.
"""
_base_ = './wsoleval_pipelines.py'

dataset_type = 'INatLoc500'
data_root = 'data/iNatLoc500'
metadata_root = 'metadata'  # relative to data_root
level = 'species'

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='train', level=level))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='val', level=level))
test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 metadata_root=metadata_root, split='test', level=level))
