# The CAM demo (cam_r18_demo.py) trained at the GENUS level of generated data
# in the iNatLoc500 release layout (6 species -> 3 genera -> 2 families; see
# wsol_mm/datasets/synthetic_inatloc.py), written to data_root on first use.
# The head gets the genus count (model.head.num_classes=None: as many classes
# as the train dataset has). As in the demo, evaluation during training runs
# on the test split (species-labelled on disk, read at the genus level, so
# the GT-known CAM is the image's genus).
#
#   python tools/train.py configs/cam/cam_r18_demo_inatloc_genus.py
#
# Another level: --cfg-options train_dataloader.dataset.level=family
#   val_dataloader.dataset.level=family test_dataloader.dataset.level=family
_base_ = './cam_r18_demo.py'

data_root = 'data/synthetic_inatloc'
level = 'genus'
synthetic_inatloc = dict(
    num_genera=3,
    species_per_genus=2,
    genera_per_family=2,
    train_per_class=40,
    val_per_class=5,
    test_per_class=10,
    seed=0)
dataset = dict(
    type='SyntheticINatLoc500',
    data_root=data_root,
    metadata_root='metadata',
    level=level,
    generator=dict(_delete_=True, **synthetic_inatloc))
train_dataloader = dict(dataset=dict(dataset, split='train'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = dict(dataset=dict(dataset, split='test'))

model = dict(head=dict(num_classes=None))
