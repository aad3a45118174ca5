# CRD model zoo MobileNetV2 "mobile_half" (RepDistiller models/mobilenetv2.py),
# docs/model_zoo.md.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARMobileNetV2', out_indices=(7, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1280,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # Reference classifier init: weight N(0, 0.01), bias 0.
        init_cfg=dict(type='Normal', layer='Linear', std=0.01, bias=0.)))
