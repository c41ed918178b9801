# Demo data of the label-granularity study: seeded synthetic images in the
# iNatLoc500 release layout (wsol_mm/datasets/synthetic_inatloc.py), written
# to data_root on first use. 6 species in 3 genera in 2 families (one order,
# class, phylum, kingdom): species, genus and family can be trained. The
# species of a genus share the genus' pattern. Splits as in the release:
# train (train-weaksup, 40 per species), val (train-fullsup, 10 per species:
# model selection and the few-shot baselines' training set), test (10 per
# species). Inputs are 112x112 (wsolevaluation's pipelines scaled by 1/2:
# resize 128, random crop 112, flip; test warps to 112x112) to keep the CPU
# demos quick; CAM thresholds every 0.001. No persistent workers: a study
# builds dozens of short-lived runners.
_base_ = './inatloc500.py'

data_root = 'data/synthetic_inatloc500'
synthetic_inatloc = dict(
    num_genera=3,
    species_per_genus=2,
    genera_per_family=2,
    train_per_class=40,
    val_per_class=10,
    test_per_class=10,
    seed=0)
demo_train_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(128, 128)),
    dict(type='RandomCrop', size=112),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackWSOLInputs'),
]
demo_test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(112, 112)),
    dict(type='PackWSOLInputs'),
]
demo_dataset = dict(
    type='SyntheticINatLoc500',
    data_root=data_root,
    metadata_root='metadata',
    level={{_base_.level}},
    generator=synthetic_inatloc)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        _delete_=True, split='train', pipeline=demo_train_pipeline,
        **demo_dataset))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        _delete_=True, split='val', pipeline=demo_test_pipeline,
        **demo_dataset))
test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        _delete_=True, split='test', pipeline=demo_test_pipeline,
        **demo_dataset))
