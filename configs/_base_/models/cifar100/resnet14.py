# CRD model zoo resnet14 (RepDistiller models/resnet.py), docs/model_zoo.md.
# Same neck and head as resnet8; only the arch differs.
_base_ = ['./resnet8.py']
model = dict(backbone=dict(arch='resnet14'))
