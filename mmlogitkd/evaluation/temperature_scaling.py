"""Post-hoc temperature scaling (Guo, Pleiss, Sun, Weinberger, "On
Calibration of Modern Neural Networks", ICML 2017, arXiv 1706.04599).

One temperature ``T > 0`` divides every logit; it is the minimiser of the
negative log-likelihood of held-out labels, ``NLL(T) = mean_i [logsumexp(z_i
/ T) - z_{i,y_i} / T]``, which leaves every arg-max (top-1, top-5) unchanged
and only rescales the confidence. NLL is convex in ``beta = 1 / T`` (its
derivative ``mean_i [E_{softmax(beta z_i)}[z] - z_{i,y_i}]`` is increasing),
so :func:`fit_temperature` finds the root of that derivative by bisection in
float64: no learning rate, no iteration budget to tune.

The temperature is folded into the classifier (:func:`fold_temperature`:
the final linear layer's weight and bias divided by ``T``), so the exported
student *is* the calibrated model.

It is fitted on images the model did not train on where there are some,
never on the test set: the training split of another data root of the same
dataset (``calibration_root``: for the embedded dataset another draw,
``tools/dataset_converters/generate_embedded_cifar100.py --seed 1``), else
the training images the run left out (hold some out with
``train_dataloader.dataset.indices=N``, which trains on the first ``N``),
else a seeded random fraction of the training images, reported as seen in
training (a memorised image is classified with more confidence than a new
one, so the temperature is then too low, the result still over-confident;
:func:`calibration_indices`). The test set only measures the result.

Entry points:

* :func:`fit_temperature`: logits and labels -> temperature;
* :func:`calibrate_model`: a classifier and data loaders -> result;
* :func:`calibrate_checkpoint`: a training config and a run checkpoint ->
  result, the calibrated student exported (``tools/analysis/
  temperature_scaling.py``, ``make bench``/``make demo``).

Examples:
    >>> from mmlogitkd.evaluation.temperature_scaling import \\
    ...     calibrate_checkpoint
    >>> result = calibrate_checkpoint(
    ...     'configs/ls/kd-ls_resnet32x4_resnet8x4_240e_cifar100.py',
    ...     'work_dirs/kd-ls/epoch_240.pth',
    ...     out='work_dirs/kd-ls/student_calibrated.pth')  # doctest: +SKIP
    >>> result.temperature, result.test.ece_before, result.test.ece_after
"""
import copy
import json
import os.path as osp
import warnings
from dataclasses import asdict, dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .calibration import expected_calibration_error, negative_log_likelihood

#: The JSON record :func:`calibrate_checkpoint` writes into a work dir
#: (read by ``tools/analysis/summarize_results.py``).
RESULT_FILE = 'temperature_scaling.json'
#: Bounds of the fitted temperature.
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.01, 100.0


# --------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------
def _nll_slope(logits: torch.Tensor, labels: torch.Tensor,
               beta: float) -> float:
    """d NLL / d beta at ``beta = 1 / T``."""
    probs = torch.softmax(logits * beta, dim=1)
    expected = (probs * logits).sum(dim=1)
    true = logits.gather(1, labels.view(-1, 1)).squeeze(1)
    return float((expected - true).mean())


def fit_temperature(logits, labels, min_temperature: float = MIN_TEMPERATURE,
                    max_temperature: float = MAX_TEMPERATURE,
                    iterations: int = 100) -> float:
    """The temperature minimising the NLL of ``labels`` under
    ``softmax(logits / T)``.

    Args:
        logits (Tensor | ndarray): ``(N, C)`` raw logits.
        labels (Tensor | ndarray): ``(N,)`` class indices.
        min_temperature, max_temperature (float): The search interval; the
            result is clipped to it (and a warning says so: at the lower
            bound every sample is classified correctly and ever more
            confidently, typically images the model memorised).
        iterations (int): Bisection steps (100 halve the interval to
            machine precision).

    Returns:
        float: the temperature.
    """
    logits = torch.as_tensor(logits).detach().to('cpu', torch.float64)
    labels = torch.as_tensor(labels).detach().to('cpu').long().view(-1)
    if logits.dim() != 2 or len(logits) != len(labels) or not len(labels):
        raise ValueError(f'expected (N, C) logits and N labels, got '
                         f'{tuple(logits.shape)} and {tuple(labels.shape)}')
    if not torch.isfinite(logits).all():
        raise ValueError('logits contain NaN or Inf')
    low, high = 1.0 / max_temperature, 1.0 / min_temperature  # in beta
    if _nll_slope(logits, labels, low) >= 0:
        warnings.warn(f'temperature scaling: the NLL decreases up to '
                      f'T={max_temperature} (predictions no better than '
                      'uniform); clipped')
        return max_temperature
    if _nll_slope(logits, labels, high) <= 0:
        warnings.warn(f'temperature scaling: the NLL still decreases at '
                      f'T={min_temperature}: the calibration images are all '
                      'classified correctly (memorised?); clipped. Fit on '
                      'images the model did not train on.')
        return min_temperature
    for _ in range(iterations):
        middle = 0.5 * (low + high)
        if _nll_slope(logits, labels, middle) > 0:
            high = middle
        else:
            low = middle
    return 1.0 / (0.5 * (low + high))


# --------------------------------------------------------------------------
# Folding
# --------------------------------------------------------------------------
def classifier_layer(model: nn.Module) -> nn.Linear:
    """The final linear layer whose output is the model's logits: the
    ``fc`` of an MMPretrain ``LinearClsHead`` (or a subclass that keeps its
    ``forward``)."""
    from mmpretrain.models.heads import LinearClsHead
    head = getattr(model, 'head', None)
    if isinstance(head, LinearClsHead) and \
            type(head).forward is LinearClsHead.forward and \
            isinstance(getattr(head, 'fc', None), nn.Linear):
        return head.fc
    raise TypeError(
        'temperature folding needs a classifier whose logits are the output '
        'of a final linear layer (an MMPretrain LinearClsHead, model.head.fc)'
        f'; got head {type(head).__name__}. Divide its logits by the '
        'temperature instead.')


@torch.no_grad()
def fold_temperature(model: nn.Module, temperature: float) -> nn.Module:
    """Divide the weight and bias of the classifier layer by
    ``temperature`` in place: the logits become ``logits / temperature``,
    the predictions stay the same."""
    temperature = float(temperature)
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f'temperature must be a positive number, got '
                         f'{temperature}')
    layer = classifier_layer(model)
    layer.weight.div_(temperature)
    if layer.bias is not None:
        layer.bias.div_(temperature)
    return model


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------
@dataclass
class SplitStats:
    """Calibration of one split before and after scaling (ECE and top-1 as
    fractions, NLL in nats)."""
    num_samples: int
    top1: float
    ece_before: float
    ece_after: float
    nll_before: float
    nll_after: float


def split_stats(logits, labels, temperature: float,
                num_bins: int = 15) -> SplitStats:
    """ECE and NLL of ``logits`` unscaled and divided by ``temperature``."""
    logits = torch.as_tensor(logits).double()
    labels = torch.as_tensor(labels).long()
    before = F.softmax(logits, dim=1)
    after = F.softmax(logits / temperature, dim=1)
    return SplitStats(
        num_samples=len(labels),
        top1=float((logits.argmax(1) == labels).double().mean()),
        ece_before=expected_calibration_error(before, labels, num_bins),
        ece_after=expected_calibration_error(after, labels, num_bins),
        nll_before=negative_log_likelihood(before, labels),
        nll_after=negative_log_likelihood(after, labels))


@torch.no_grad()
def collect_logits(model: nn.Module, dataloader
                   ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Logits and labels of a classifier on every batch of ``dataloader``
    (its own data preprocessor, eval mode, first view)."""
    model.eval()
    all_logits, all_labels = [], []
    for data_batch in dataloader:
        data = model.data_preprocessor(data_batch, False)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        all_logits.append(model(inputs, mode='tensor').float().cpu())
        all_labels.append(torch.cat([s.gt_label for s in
                                     data['data_samples']]).cpu())
    if not all_logits:
        raise ValueError('the calibration data loader is empty')
    return torch.cat(all_logits), torch.cat(all_labels)


@dataclass
class TemperatureScalingResult:
    """What :func:`calibrate_model` / :func:`calibrate_checkpoint` found.

    Attributes:
        temperature: the fitted temperature.
        calibration: the split it was fitted on (training images).
        test: the test set, measured only (None if not evaluated).
        calibration_split: how the calibration images were chosen.
        seen_in_training: whether the model trained on them.
        checkpoint, config: the calibrated student written (or None).
        source: the checkpoint it came from.
    """
    temperature: float
    calibration: SplitStats
    test: Optional[SplitStats] = None
    calibration_split: str = ''
    seen_in_training: Optional[bool] = None
    checkpoint: Optional[str] = None
    config: Optional[str] = None
    source: Optional[str] = None

    def to_dict(self) -> dict:
        return asdict(self)


def calibrate_model(model: nn.Module, calibration_loader,
                    test_loader=None, num_bins: int = 15,
                    fold: bool = False) -> TemperatureScalingResult:
    """Fit a temperature on ``calibration_loader`` and measure it there and
    on ``test_loader``.

    Args:
        model (nn.Module): An MMPretrain classifier with its data
            preprocessor.
        calibration_loader: Held-out training images (never the test set).
        test_loader (optional): Measured only.
        num_bins (int): ECE bins (15, as our metric).
        fold (bool): Also fold the temperature into ``model``.
    """
    logits, labels = collect_logits(model, calibration_loader)
    temperature = fit_temperature(logits, labels)
    result = TemperatureScalingResult(
        temperature=temperature,
        calibration=split_stats(logits, labels, temperature, num_bins))
    if test_loader is not None:
        test_logits, test_labels = collect_logits(model, test_loader)
        result.test = split_stats(test_logits, test_labels, temperature,
                                  num_bins)
    if fold:
        fold_temperature(model, temperature)
    return result


# --------------------------------------------------------------------------
# From a training config and a run checkpoint
# --------------------------------------------------------------------------
def calibration_indices(dataset_cfg: dict, split_size: int,
                        fraction: float = 0.1, seed: int = 0
                        ) -> Tuple[List[int], bool, str]:
    """Which training images to fit on.

    Returns:
        tuple: the indices, whether the model trained on them, and a
        description. Images outside ``dataset_cfg['indices']`` (the ones
        training left out) if there are any; else a random ``fraction`` of
        the split (seeded), which the model trained on.
    """
    used = dataset_cfg.get('indices')
    if isinstance(used, int):
        used = range(min(used, split_size))
    if used is not None:
        used = set(int(i) for i in used)
        unused = [i for i in range(split_size) if i not in used]
        if unused:
            return unused, False, (
                f'{len(unused)} training images left out of training '
                '(train_dataloader.dataset.indices)')
    if not 0 < fraction <= 1:
        raise ValueError(f'fraction must be in (0, 1], got {fraction}')
    count = max(1, int(round(fraction * split_size)))
    chosen = np.random.RandomState(seed).choice(split_size, count,
                                                replace=False)
    return sorted(int(i) for i in chosen), True, (
        f'{count} training images ({fraction:.0%}, seed {seed}) the model '
        'trained on: no image was held out')


def held_out_dataset(train: dict, root: str) -> dict:
    """The training dataset config ``train`` read from data root ``root``
    instead, for fitting on images the run never saw.

    Raises:
        ValueError: ``train`` has no ``data_root`` to replace, or ``root``
            is that same folder (its images are the ones the run trained
            on).
    """
    trained_root = train.get('data_root')
    if trained_root is None:
        raise ValueError(
            'calibration_root: train_dataloader.dataset has no data_root to '
            f'replace with {root!r}')
    if osp.abspath(trained_root) == osp.abspath(root):
        raise ValueError(
            f'calibration_root {root!r} is the data root the run trained on '
            '(train_dataloader.dataset.data_root): give another draw of the '
            'dataset, e.g. generate_embedded_cifar100.py --seed 1')
    if not osp.isdir(root):
        raise FileNotFoundError(f'calibration_root {root!r} is not a folder')
    return dict(train, data_root=root)


def _loader(cfg, dataset: dict):
    from mmengine.runner import Runner
    loader = copy.deepcopy(cfg.test_dataloader.to_dict())
    loader['dataset'] = dataset
    loader['persistent_workers'] = False
    loader['sampler'] = dict(type='DefaultSampler', shuffle=False)
    return Runner.build_dataloader(loader)


def _student(cfg, checkpoint: str, trust_source: bool) -> nn.Module:
    """The trained classifier with the training data preprocessor."""
    from mmlogitkd.checkpoint import (find_state_dict,
                                      is_distillation_state_dict,
                                      load_checkpoint_file, select_prefix,
                                      student_state_dict)
    from mmlogitkd.checkpoint.export import (MMRAZOR_STUDENT_PREFIX,
                                             _is_mmrazor_distill,
                                             student_model_config,
                                             training_preprocessor)
    from mmlogitkd.registry import MODELS
    model_cfg = student_model_config(cfg)
    model_cfg['data_preprocessor'] = training_preprocessor(cfg)
    model = MODELS.build(model_cfg)
    state, _ = find_state_dict(
        load_checkpoint_file(checkpoint, allow_unsafe=trust_source or None),
        f'"{checkpoint}"')
    if _is_mmrazor_distill(cfg.model):
        state = select_prefix(state, MMRAZOR_STUDENT_PREFIX)
    elif is_distillation_state_dict(state):
        state, _ = student_state_dict(state)
    model.load_state_dict(state, strict=True)
    return model.eval()


def calibrate_checkpoint(config, checkpoint: str, out: Optional[str] = None,
                         fraction: float = 0.1, seed: int = 0,
                         num_bins: int = 15, evaluate_test: bool = True,
                         work_dir: Optional[str] = None,
                         max_samples: Optional[int] = None,
                         trust_source: bool = False,
                         overwrite: bool = False,
                         calibration_root: Optional[str] = None
                         ) -> TemperatureScalingResult:
    """Fit a temperature for the student of a run and export it calibrated.

    Args:
        config (str | Config): The training config (of the distillation or
            classifier run), for the model and the data; ``None`` reads the
            one stored in ``checkpoint``. Which training images were left
            out of training is read from the stored config when there is
            one (it records ``--cfg-options`` given at training time).
        checkpoint (str): The run's checkpoint.
        out (str, optional): Write the calibrated student here (and its
            config next to it, see :func:`~mmlogitkd.checkpoint.export
            .export_student`).
        fraction (float): Share of the training split to fit on when the
            run trained on all of it (see :func:`calibration_indices`).
        seed (int): Seed of that choice.
        num_bins (int): ECE bins.
        evaluate_test (bool): Also measure the test set (never fitted on).
        work_dir (str, optional): Write :data:`RESULT_FILE` there (e.g. the
            run's work dir, where ``summarize_results.py`` reads it).
        max_samples (int, optional): Fit on at most this many images (the
            first of the chosen ones).
        trust_source (bool): Allow full unpickling of ``checkpoint``.
        overwrite (bool): Replace existing outputs.
        calibration_root (str, optional): Fit on the whole training split of
            this data root instead (``train_dataloader.dataset.data_root``
            replaced; same dataset type, classes and test pipeline): images
            held out of training by construction, e.g. another draw of the
            embedded dataset. ``fraction`` then does not apply.

    Returns:
        TemperatureScalingResult
    """
    from mmengine.registry import DefaultScope

    from mmlogitkd.checkpoint import file_sha256, load_checkpoint_file
    from mmlogitkd.checkpoint.export import (export_student,
                                             load_training_config)
    stored = load_checkpoint_file(checkpoint,
                                  allow_unsafe=trust_source or None)
    cfg = load_training_config(stored, config, checkpoint)
    # Which training images the run left out is what the run itself was
    # configured with (e.g. --cfg-options train_dataloader.dataset.indices=N
    # at training time), stored in the checkpoint by MMEngine.
    trained_on = cfg.train_dataloader.dataset
    if isinstance((stored.get('meta') or {}).get('cfg'), str):
        trained_on = load_training_config(
            stored, None, checkpoint).train_dataloader.dataset
        if trained_on.get('indices') != cfg.train_dataloader.dataset.get(
                'indices'):
            warnings.warn(
                'temperature scaling: train_dataloader.dataset.indices of '
                'the given config differs from the one the run trained '
                'with (stored in the checkpoint); the stored one decides '
                'which images are held out.')
    test_pipeline = cfg.test_dataloader.dataset.get('pipeline', [])
    with DefaultScope.overwrite_default_scope('mmlogitkd'):
        model = _student(cfg, checkpoint, trust_source)
        train = copy.deepcopy(cfg.train_dataloader.dataset.to_dict())
        train.pop('indices', None)
        train['pipeline'] = copy.deepcopy(test_pipeline)
        from mmlogitkd.registry import DATASETS
        if calibration_root is not None:
            train = held_out_dataset(train, calibration_root)
        split_size = len(DATASETS.build(copy.deepcopy(train)))
        if calibration_root is not None:
            indices, seen = list(range(split_size)), False
            description = (f'{split_size} images of {calibration_root} '
                           '(held out: not a training root of the run)')
        else:
            indices, seen, description = calibration_indices(
                trained_on, split_size, fraction, seed)
        if max_samples is not None:
            indices = indices[:max_samples]
        calibration = _loader(cfg, dict(train, indices=indices))
        test = _loader(cfg, copy.deepcopy(
            cfg.test_dataloader.dataset.to_dict())) if evaluate_test \
            else None
        result = calibrate_model(model, calibration, test, num_bins)
    result.calibration_split = description
    result.seen_in_training = seen
    result.source = checkpoint
    if out is not None:
        report = export_student(
            checkpoint, out, config=cfg, temperature=result.temperature,
            extra_meta=dict(calibration_split=description),
            overwrite=overwrite, trust_source=trust_source,
            converter='mmlogitkd temperature scaling')
        result.checkpoint, result.config = report.checkpoint, report.config
    if work_dir is not None:
        record = result.to_dict()
        record['source_sha256'] = file_sha256(checkpoint)
        record['calibration_root'] = calibration_root
        with open(osp.join(work_dir, RESULT_FILE), 'w') as f:
            json.dump(record, f, indent=2)
    return result


def read_result(work_dir: str) -> Optional[dict]:
    """``<work_dir>/temperature_scaling.json``, or None."""
    path = osp.join(work_dir, RESULT_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


__all__: Sequence[str] = (
    'RESULT_FILE', 'SplitStats', 'TemperatureScalingResult',
    'calibrate_checkpoint', 'calibrate_model', 'calibration_indices',
    'classifier_layer', 'collect_logits', 'fit_temperature',
    'fold_temperature', 'read_result', 'split_stats')
