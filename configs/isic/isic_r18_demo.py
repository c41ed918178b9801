# ISIC on the synthetic demo data, every stage on the CPU in a few minutes:
# the networks and data of configs/spol/spol_r18_demo.py with ISIC's stages
# (_base_/methods/isic.py), 4 classes.
#   python tools/train.py configs/isic/isic_r18_demo.py
# The class similarity comes from the trained model's own features
# (ClassSimilarityHook's extractor=None, no PCA), not from the ImageNet
# ResNet-50 of _base_/methods/isic.py: offline that ResNet-50 has no weights,
# so its S would be meaningless, and it would cost a ResNet-50 pass over the
# training images. The demo networks start from random weights, whose
# features make every class similar to every other (cosine 0.91-0.97 here,
# all above the paper's gamma 0.3), and lambda = 1 then shrinks the fused
# features of all classes together (the classification loss stalls at ln 4):
# the demo keeps the pairs above 0.95 and lambda = 0.1. The paper's values
# need a pretrained backbone.
_base_ = ['../spol/spol_r18_demo.py', '../_base_/methods/isic.py']

optim_wrapper = _base_.isic_optim_wrapper
model = dict(_base_.isic_model,
             feature_loss=dict(type='ICFSLoss', loss_weight=0.1))
stages = dict(
    _base_.isic_stages,
    cam=dict(cfg=dict(
        train_dataloader=dict(sampler=dict(
            _delete_=True, type='SimilarClassSampler', batch_size=16,
            samples_per_class=4)),
        custom_hooks=[
            dict(type='NumClassCheckHook'),
            dict(type='ClassSimilarityHook', gamma=0.95, extractor=None),
        ])))
