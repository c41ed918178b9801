# The "Center" baseline: a centred Gaussian score map for every image.
model = dict(
    type='CenterGaussian',
    sigma=0.25,
    data_preprocessor=dict(type='ImgDataPreprocessor'))
