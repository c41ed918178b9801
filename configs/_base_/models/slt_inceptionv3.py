# SLT-Net's localization branch on InceptionV3 (sections 3.1-3.3 and 4.1),
# joint mode (the parts: slt_net.py).
#   localizer  the InceptionV3 CAM of the model zoo (cam_inceptionv3.py:
#              torchvision's InceptionV3 without its last three blocks
#              Mixed_7a-c, wsolevaluation's extra convs; 18x18 maps at 299)
#   regressor  the same InceptionV3 up to Mixed_6e (768 channels, no extra
#              convs) + the box head
# The separate classifier slt_classifier: MMPretrain's InceptionV3 (its fc
# in the backbone) with the torchvision weights it converted, at 299x299.
_base_ = ['./cam_inceptionv3.py', './slt_net.py']

model = dict(
    _delete_=True,
    **_base_.slt_model,
    data_preprocessor=_base_.model.data_preprocessor,
    localizer=dict(
        _base_.model,
        head=dict(_base_.model.head, loss=_base_.slt_smt_loss),
        test_cfg=_base_.slt_localizer_test),
    regressor=dict(
        _base_.slt_regressor,
        backbone=dict(_base_.model.backbone, with_head=False),
        head=dict(_base_.slt_regressor.head, in_channels=768)))
# No lr groups: the paper trains every parameter at one lr.
lr_groups = {'_delete_': True}

inceptionv3_checkpoint = 'https://download.openmmlab.com/mmclassification/v0/inception-v3/inception-v3_3rdparty_8xb32_in1k_20220615-dcd4d910.pth'  # noqa: E501
slt_classifier = dict(
    _base_.slt_classifier_base,
    backbone=dict(type='mmpretrain.InceptionV3', num_classes=None,
                  aux_logits=False),
    init_cfg=dict(type='Pretrained', checkpoint=inceptionv3_checkpoint))
slt_classifier_lr_groups = {
    'backbone': dict(lr_mult=0.1),
    'backbone.fc': dict(lr_mult=1.0),
}
