"""Evaluation: calibration measures, the metrics that report them, and
post-hoc temperature scaling (:mod:`.temperature_scaling`)."""
from .calibration import (PROBABILITY_FLOOR, ReliabilityBins,
                          confidence_and_correctness,
                          expected_calibration_error, negative_log_likelihood,
                          per_sample_nll, reliability_bins)
from .metrics import CalibrationMetric
from .temperature_scaling import (TemperatureScalingResult,
                                  calibrate_checkpoint, calibrate_model,
                                  fit_temperature, fold_temperature)

__all__ = [
    'CalibrationMetric', 'PROBABILITY_FLOOR', 'ReliabilityBins',
    'confidence_and_correctness', 'expected_calibration_error',
    'negative_log_likelihood', 'per_sample_nll', 'reliability_bins',
    'TemperatureScalingResult', 'calibrate_checkpoint', 'calibrate_model',
    'fit_temperature', 'fold_temperature'
]
