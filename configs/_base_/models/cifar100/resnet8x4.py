# CRD model zoo resnet8x4 (RepDistiller models/resnet.py), docs/model_zoo.md.
# Same neck and head as resnet8; only the arch and the head's input width
# differ.
_base_ = ['./resnet8.py']
model = dict(backbone=dict(arch='resnet8x4'), head=dict(in_channels=256))
