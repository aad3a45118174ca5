# CRD model zoo resnet8 (RepDistiller models/resnet.py), docs/model_zoo.md. The
# other CIFARResNet configs inherit this one and change only what differs.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='CIFARResNet', arch='resnet8', out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # The reference classifier keeps PyTorch's default nn.Linear init.
        init_cfg=None))
