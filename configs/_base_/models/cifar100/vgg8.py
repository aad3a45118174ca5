# CRD model zoo vgg8 with BN (RepDistiller models/vgg.py, vgg8_bn),
# docs/model_zoo.md. The other VGG configs inherit this one and change only the
# arch.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARVGG', arch='vgg8', out_indices=(4, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # Reference classifier init: weight N(0, 0.01), bias 0.
        init_cfg=dict(type='Normal', layer='Linear', std=0.01, bias=0.)))
