# CRD model zoo ResNet50 (RepDistiller models/resnetv2.py) = MMPretrain
# ResNet_CIFAR(depth=50), METHODS §14.2. zero_init_residual=False as in the
# reference (MMPretrain's default is True).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch',
        zero_init_residual=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # The reference classifier keeps PyTorch's default nn.Linear init.
        init_cfg=None))
