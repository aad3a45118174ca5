# CRD model zoo wrn_16_1 (RepDistiller models/wrn.py), docs/model_zoo.md. The
# other WRN configs inherit this one and change only what differs.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='WideResNet', arch='wrn_16_1', drop_rate=0.0, out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
        # Reference classifier init: PyTorch's default weight init
        # (kaiming_uniform_ with a = sqrt(5)) and zero bias.
        init_cfg=dict(
            type='Kaiming',
            layer='Linear',
            a=2.23606797749979,
            mode='fan_in',
            nonlinearity='leaky_relu',
            distribution='uniform',
            bias=0.)))
