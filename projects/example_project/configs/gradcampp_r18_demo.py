# Grad-CAM++ maps over the CAM demo (narrow ResNet-18 from scratch on the
# synthetic CUB data): the same network, training and checkpoints as
# configs/cam/cam_r18_demo.py; only the class maps of predict change.
_base_ = ['../../../configs/cam/cam_r18_demo.py']

custom_imports = dict(
    imports=['projects.example_project.gradcampp'],
    allow_failed_imports=False)

# method='gradcam' gives Grad-CAM; score='exp' | 'linear' (see the head).
model = dict(head=dict(type='GradCAMPPHead', method='gradcam++'))
