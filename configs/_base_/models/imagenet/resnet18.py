# ImageNet ResNet-18, torchvision layout (mdistiller
# models/imagenet/resnet.py), docs/model_zoo.md. zero_init_residual=False as in
# torchvision's default. resnet34/50 inherit this config.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch',
        zero_init_residual=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # The reference classifier keeps PyTorch's default nn.Linear init.
        init_cfg=None))
