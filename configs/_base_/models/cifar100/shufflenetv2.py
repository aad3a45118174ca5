# CRD model zoo ShuffleV2 (RepDistiller models/ShuffleNetv2.py),
# docs/model_zoo.md.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARShuffleNetV2', out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=1024,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # The reference classifier keeps PyTorch's default nn.Linear init.
        init_cfg=None))
