# CRD model zoo ShuffleV1 (RepDistiller models/ShuffleNetv1.py),
# docs/model_zoo.md.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARShuffleNetV1', out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=960,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # The reference classifier keeps PyTorch's default nn.Linear init.
        init_cfg=None))
